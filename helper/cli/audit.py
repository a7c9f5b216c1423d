"""`cahelper audit list|verify|export`: the seal-use log (用印记录)."""

from __future__ import annotations

from pathlib import Path

import click

from helper.cli.runtime import emit_json, obj


@click.group("audit", help="用印记录：每次签章的记录，防篡改 / the tamper-evident seal-use log.")
def audit() -> None:
    pass


@audit.command("list", help="列出用印记录 / list the entries.")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    entries = AuditLog().entries()
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
@click.option("--json", "as_json", is_flag=True)
def verify(as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    log = AuditLog()
    count = log.verify()
    if as_json:
        emit_json({"ok": True, "entries": count, "path": str(log.path)})
    else:
        click.echo(ctx.t(f"用印记录完整，共 {count} 条。", f"The seal-use log is intact: {count} entries."))


@audit.command("export", help="导出为 CSV（Excel 可直接打开）/ export as CSV.")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def export(csv_path: Path, overwrite: bool, as_json: bool) -> None:
    from helper.audit import AuditLog

    ctx = obj()
    ctx.json = as_json
    count = AuditLog().export_csv(csv_path, overwrite=overwrite)
    if as_json:
        emit_json({"ok": True, "entries": count, "csv": str(csv_path)})
    else:
        click.echo(ctx.t(f"已导出 {count} 条到 {csv_path}。", f"Exported {count} entries to {csv_path}."))
