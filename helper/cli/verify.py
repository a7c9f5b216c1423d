"""`cahelper verify`: check the signatures in PDFs. Exit 0 when every signature is valid, trusted and the
file unchanged since the last one; 7 otherwise."""

from __future__ import annotations

from pathlib import Path

import click

from helper.cli.runtime import emit_json, obj
from helper.cli.secrets import SecretReader
from helper.messages import HelperError


@click.command("verify", help="验证 PDF 上的电子签章 / verify the signatures in PDFs.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", "trust", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="另外信任的CA根证书（可多次）/ extra trusted CA certificate (repeatable).")
@click.option("--password-stdin", is_flag=True,
              help="从标准输入读取 PDF 打开密码（用于所有文件）/ read the PDF password (for all files) from stdin.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
def verify(files: tuple[Path, ...], trust: tuple[Path, ...], password_stdin: bool, as_json: bool) -> None:
    from helper import certs
    from helper.signing.verify import verify_pdf

    ctx = obj()
    ctx.json = as_json
    extra: list[bytes] = []
    for path in trust:
        try:
            extra += certs.load_certificates(path.read_bytes())
        except FileNotFoundError as exc:
            raise HelperError("FILE_NOT_FOUND", path=str(path)) from exc
    password = bytes(SecretReader(True).read(ctx.t("PDF 打开密码: ", "PDF password: "))) if password_stdin else None
    reports = [verify_pdf(f, tuple(extra), password=password) for f in files]
    if as_json:
        emit_json({"ok": all(r.ok for r in reports), "files": [r.as_json() for r in reports]})
    else:
        for report in reports:
            _print(ctx, report)
    bad = [r for r in reports if not r.ok]
    if not bad:
        return
    if as_json:
        raise click.exceptions.Exit(7)
    first = bad[0]
    if not first.signatures:
        raise HelperError("VERIFY_NO_SIGNATURES", path=str(first.path))
    raise HelperError("VERIFY_FAILED", path=str(first.path), problems=ctx.t("；", "; ").join(first.reasons(ctx.lang)))


CHANGES = {
    "NONE": ("无", "none"), "LTA_UPDATES": ("仅补充验证数据", "validation data only"),
    "FORM_FILLING": ("填写表单", "form filling"), "ANNOTATIONS": ("添加批注", "annotations"),
    "OTHER": ("其他改动", "other changes"), "APPENDED": ("文件末尾被添加了内容", "data appended to the file"),
}


LEVELS = {"B-B": ("无时间戳", "no timestamp"), "B-T": ("带可信时间", "timestamped"),
          "B-LT": ("带可信时间和长期验证数据", "timestamped, with long-term validation data")}


def _changes(ctx, level: str) -> str:
    zh, en = CHANGES.get(level, (level, level))
    return ctx.t(zh, en)


def _yes(ctx, flag: bool | None) -> str:
    return ctx.t("是", "yes") if flag else ctx.t("否", "no")


def _print(ctx, report) -> None:
    click.echo(f"{report.path}: " + (ctx.t("签章有效", "signatures valid") if report.ok
                                      else ctx.t("验证未通过", "NOT valid")))
    for n, s in enumerate(report.signatures, 1):
        mark = "✓" if s.ok else "✗"
        about = [s.field, *([ctx.t(*LEVELS[s.level])] if s.level in LEVELS else []),
                 *([ctx.t("认证签名", "certification")] if s.certified else [])]
        click.echo(f"  {mark} {ctx.t('签章', 'Signature')} {n}{ctx.t('（', ' (')}{ctx.t('，', ', ').join(about)}"
                   f"{ctx.t('）', ')')}")
        click.echo(f"    {ctx.t('签章单位', 'Unit')}: {s.unit}   {ctx.t('签章人', 'Signer')}: {s.holder}")
        click.echo(f"    {ctx.t('证书', 'Certificate')}: {s.cert_serial} ({s.issuer})")
        when = s.signing_time.astimezone().strftime("%Y-%m-%d %H:%M:%S") if s.signing_time else "-"
        click.echo(f"    {ctx.t('签章时间（签章电脑）', 'Signing time (signer clock)')}: {when}")
        if s.timestamp:
            ts = s.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"    {ctx.t('时间戳', 'Timestamp')}: {ts} ({ctx.t('可信', 'trusted') if s.timestamp_trusted else ctx.t('不可信', 'untrusted')})")
        click.echo(f"    {ctx.t('内容未被篡改', 'Content intact')}: {_yes(ctx, s.intact and s.valid)}   "
                   f"{ctx.t('证书可信', 'Trusted')}: {_yes(ctx, s.trusted)}   "
                   f"{ctx.t('之后的改动', 'Changes after')}: {_changes(ctx, s.changes_after)}")
        if not s.ok:
            click.echo(f"    {ctx.t('原因', 'Why')}: {ctx.t('，', ', ').join(s.reasons(ctx.lang))}")
    if report.modified_after_last:
        click.echo("  ✗ " + ctx.t("最后一个签章之后文件又被修改过。", "The file was changed after the last signature."))
