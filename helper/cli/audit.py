"""`cahelper audit list|verify|export|archive`: the seal-use log (用印记录)."""

from __future__ import annotations

from pathlib import Path

import click

from helper.cli.runtime import emit_json, obj


@click.group("audit", help="用印记录：每次签章的记录，防篡改 / the tamper-evident seal-use log.")
def audit() -> None:
    pass


log_option = click.option("--log", "log_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                          help="另一个用印记录文件（如 audit archive 保留的）/ another log file (e.g. one kept by archive).")


@audit.command("list", help="列出用印记录 / list the entries.")
@log_option
@click.option("--json", "as_json", is_flag=True)
def list_(log_path: Path | None, as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    entries = AuditLog(log_path).entries()
    if as_json:
        emit_json({"ok": True, "entries": entries})
        return
    if not entries:
        click.echo(ctx.t("还没有用印记录。", "No seal-use entries yet."))
    for e in entries:
        page = f" {ctx.t('第', 'p.')}{e['page']}{ctx.t('页', '')}" if e.get("page") else ""
        origin = f" [{e['origin']}]" if e.get("origin") else ""
        click.echo(f"{e['seq']:>5}  {e['time']}  {e['unit']} {e['holder']}  {e['file']} → {e['output']}{page}{origin}")


@audit.command("verify", help="检查用印记录是否被改动（编辑、删除、调换顺序）/ check the log for tampering.")
@log_option
@click.option("--json", "as_json", is_flag=True)
def verify(log_path: Path | None, as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    log = AuditLog(log_path)
    count = log.verify()
    if as_json:
        emit_json({"ok": True, "entries": count, "path": str(log.path)})
    else:
        click.echo(ctx.t(f"用印记录完整，共 {count} 条。", f"The seal-use log is intact: {count} entries."))


@audit.command("export", help="导出为 CSV（Excel 可直接打开）/ export as CSV.")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True)
@log_option
@click.option("--json", "as_json", is_flag=True)
def export(csv_path: Path, overwrite: bool, log_path: Path | None, as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    count = AuditLog(log_path).export_csv(csv_path, overwrite=overwrite)
    if as_json:
        emit_json({"ok": True, "entries": count, "csv": str(csv_path)})
    else:
        click.echo(ctx.t(f"已导出 {count} 条到 {csv_path}。", f"Exported {count} entries to {csv_path}."))


@audit.command("archive", help="保留现有用印记录（改为带日期的文件名），开始新的记录链 / keep the log under a dated name "
                               "and start a new chain.")
@click.option("--json", "as_json", is_flag=True)
def archive(as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    kept = AuditLog().archive()
    if as_json:
        emit_json({"ok": True, "kept": str(kept)})
    else:
        click.echo(ctx.t(f"原用印记录已保留为 {kept}，之后的签章从新的记录链开始。",
                         f"The seal-use log was kept as {kept}; later signatures start a new chain."))
