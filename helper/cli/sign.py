"""`cahelper sign`: e-seal one PDF or a batch with one PIN entry.

Positions: ``--pos X,Y`` is the centre of the seal in millimetres from the bottom-left corner of the page
(``--pos 150,40``); add ``pt`` for PDF points (``--pos 425,113pt``). Pages count from 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from helper.cli.runtime import emit_json, emit_notice, obj, read_input, stop_requests
from helper.cli.secrets import SecretReader
from helper.cli.tokenopt import token_option
from helper.messages import HelperError

HELP = """给 PDF 加盖电子签章（可一次签多个文件或整个文件夹，只输一次口令）。
/ E-seal PDFs (several files or a folder with one PIN entry).

\b
位置 / placement (choose one; default: lower right of the last page):
  --page N --pos X,Y   印章中心距页面左下角 X、Y 毫米（加 pt 表示磅）/ seal centre, mm from bottom-left
  --anchor TEXT        盖在文字上，如 "（盖章）" / centred on the first occurrence of TEXT
  --field NAME         盖在已有的空签名域 / into an existing empty signature field
  --invisible          不显示印章 / no visible seal
  --cross-page         另加骑缝章（每页右边缘一条）/ add a cross-page seal along the right edges

\b
标准输入 / stdin: with --password-stdin and --pin-stdin, the PDF password comes first, then the PIN.
输出 / output: one file: --out FILE; several: --out DIR (NAME-signed.pdf); default: next to the input.
"""


def parse_pos(text: str) -> tuple[float, float]:
    """``X,Y`` in millimetres, or ``X,Ypt`` in points; returns millimetres."""
    raw = text.strip().lower()
    factor = 25.4 / 72 if raw.endswith("pt") else 1.0
    raw = raw.removesuffix("pt").removesuffix("mm")
    try:
        x, y = (float(v) * factor for v in raw.split(","))
    except ValueError as exc:
        raise HelperError("SIGN_OPTION_INVALID", option="--pos", value=text) from exc
    if x < 0 or y < 0:
        raise HelperError("SIGN_OPTION_INVALID", option="--pos", value=text)
    return x, y


def build_placement(page: int | None, pos: str | None, anchor: str | None, field: str | None, invisible: bool,
                    cross_page: bool, size_mm: float):
    from helper.signing.options import Placement

    chosen = [name for name, given in (("--pos", pos), ("--anchor", anchor), ("--field", field),
                                        ("--invisible", invisible)) if given]
    if len(chosen) > 1:
        raise HelperError("OPTIONS_EXCLUSIVE", options=" / ".join(chosen))
    x_mm, y_mm = parse_pos(pos) if pos else (None, None)
    mode = "invisible" if invisible else "field" if field else "anchor" if anchor else "coords"
    return Placement(mode=mode, page=page or 0, x_mm=x_mm, y_mm=y_mm, size_mm=size_mm, anchor=anchor or "",
                     field=field or "", cross_page=cross_page)


@click.command("sign", help=HELP)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="输出文件或文件夹 / output file or folder.")
@click.option("--seal", "seal_png", type=click.Path(dir_okay=False, path_type=Path), help="印章图片 PNG / seal image.")
@click.option("--seal-from-token", "seal_name", metavar="NAME", help="用U盾里保存的印章 / a seal stored on the key.")
@click.option("--page", type=click.IntRange(min=1), help="页码，从 1 开始 / page number from 1.")
@click.option("--pos", metavar="X,Y", help="印章中心，毫米（或加 pt）/ seal centre in mm (or pt).")
@click.option("--anchor", metavar="TEXT", help="按文字定位 / place on this text.")
@click.option("--field", metavar="NAME", help="已有的签名域 / existing signature field.")
@click.option("--invisible", is_flag=True, help="不可见签名 / invisible signature.")
@click.option("--cross-page", is_flag=True, help="骑缝章 / cross-page seal.")
@click.option("--size-mm", type=float, default=42.0, show_default=True, help="印章直径（毫米）/ seal diameter.")
@click.option("--no-text", is_flag=True, help="印章下不加签章人和时间 / no signer and time text.")
@click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT"]), default="B-B", show_default=True)
@click.option("--tsa", metavar="URL", help="时间戳服务器（默认取设置）/ timestamp server (default: Settings).")
@click.option("--reason", default="", help="签章原因 / reason.")
@click.option("--location", default="", help="签章地点 / location.")
@click.option("--certify", is_flag=True, help="认证签名，锁定文档（只允许填表）/ certify (DocMDP: form filling only).")
@click.option("--overwrite", is_flag=True, help="覆盖已存在的输出文件 / replace existing outputs.")
@click.option("--include-signed", is_flag=True,
              help="批量时也签之前签好的文件（NAME-signed.pdf）/ in a batch, sign earlier outputs too.")
@token_option
@click.option("--cert", "cert_id", metavar="ID", help="签名证书 ID（见 cahelper certs）/ certificate ID.")
@click.option("--pin-stdin", is_flag=True, help="从标准输入读取口令 / read the PIN from stdin.")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取 PDF 打开密码 / read the PDF password from stdin.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
def sign(inputs: tuple[Path, ...], out: Path | None, seal_png: Path | None, seal_name: str | None, page: int | None,
         pos: str | None, anchor: str | None, field: str | None, invisible: bool, cross_page: bool, size_mm: float,
         no_text: bool, level: str, tsa: str | None, reason: str, location: str, certify: bool, overwrite: bool,
         include_signed: bool, serial: str | None, cert_id: str | None, pin_stdin: bool, password_stdin: bool, as_json: bool) -> None:
    from dataclasses import replace

    from helper import settings
    from helper.signing import batch
    from helper.signing.appearance import check_placement
    from helper.signing.options import SignOptions
    from helper.signing.pdfinput import read_pdf
    from helper.signing.service import SigningService

    ctx = obj()
    ctx.json = as_json
    if seal_png and seal_name:
        raise HelperError("OPTIONS_EXCLUSIVE", options="--seal / --seal-from-token")
    conf = settings.load()
    options = SignOptions(level=level, tsa_url=tsa or conf.tsa_url, reason=reason, location=location,
                          certify=certify, show_text=not no_text, overwrite=overwrite,
                          placement=build_placement(page, pos, anchor, field, invisible, cross_page, size_mm))
    selection = batch.select(list(inputs), out, include_signed=include_signed, overwrite=overwrite)
    items = batch.items_for(selection, out)
    seal = _seal_choice(seal_png, seal_name)
    password = bytes(SecretReader(True).read(ctx.t("PDF 打开密码: ", "PDF password: "))) if password_stdin else None
    if password is not None:
        items = [replace(i, password=password) for i in items]
    if not items:
        _finish(ctx, batch.BatchReport((), None), as_json, selection.skipped)
        return
    _check_outputs(items, overwrite)
    if len(items) == 1:  # a lone file and where its seal goes are checked before the PIN is asked for
        source = read_pdf(items[0].source, max_mb=conf.max_pdf_mb, password=password)
        check_placement(source, options.placement)
    service = SigningService(ctx.keys())
    identity = service.identity(serial, cert_id, level=options.level)
    default = None
    if not seal.png and not seal.on_token and (options.placement.visible or cross_page):
        default = _default_seal(ctx, identity.token.id)
        seal = replace(seal, on_token=default.name or "")
    pin = SecretReader(pin_stdin).read(ctx.t("请输入U盾口令: ", "PIN: "))
    with stop_requests() as cancelled:
        outcome = service.sign(identity, pin, items, options, seal, cancelled=cancelled,
                               on_result=None if as_json else lambda r: _print_result(ctx, r))
    if outcome.default_pin:
        emit_notice("DEFAULT_PIN_IN_USE")
    notice = default.notice() if default is not None else None
    if notice is not None and not as_json and outcome.report.count("signed"):
        click.echo(notice.as_text(), err=True)
    _finish(ctx, outcome.report, as_json, selection.skipped)


def _check_outputs(items, overwrite: bool) -> None:
    """What needs no key is refused before the PIN: an output on its input, a missing or unwritable folder,
    a lone file's existing output."""
    from helper.fileio import check_output

    for item in items:
        if item.output.resolve() == item.source.resolve():
            raise HelperError("SIGN_OUT_IS_INPUT", path=str(item.source))
    for item in {i.output.parent: i for i in items}.values():  # one check per folder
        check_output(item.output, overwrite=overwrite or len(items) > 1)


def _seal_choice(seal_png: Path | None, seal_name: str | None):
    from helper.signing.service import SealChoice

    if seal_png is None:
        return SealChoice(on_token=seal_name or "")
    from helper.seals import seal_from_png

    return SealChoice(png=seal_from_png(read_input(seal_png), str(seal_png)).png)



def _default_seal(ctx, serial: str):
    """The default seal rule (helper.seals.default_seal) for the key, read without the PIN."""
    from helper import seal_store

    with ctx.token_service().session(serial) as s:
        return seal_store.default_on_key(s)


def _print_result(ctx, r) -> None:
    if r.status == "signed":
        where = f" {ctx.t('第', 'page ')}{r.signed.page}{ctx.t('页', '')}" if r.signed.page else ""
        repaired = ctx.t("（原文件结构有损坏，已修复后签章）", " (the file was damaged and was rebuilt before signing)")
        click.echo(f"✓ {r.item.source} → {r.item.output}{where}{repaired if r.signed.repaired else ''}")
    elif r.code:
        click.echo(f"✗ {r.item.source}: {r.error.message().title} ({r.code})", err=True)


def _finish(ctx, report, as_json: bool, skipped: list[Path]) -> None:
    from helper import messages

    signed, refused, left = (report.count(s) for s in ("signed", "refused", "not_processed"))
    if as_json:
        emit_json({"ok": report.ok, "signed": signed, "refused": refused, "not_processed": left,
                   "skipped": [str(p) for p in skipped], "results": [_result_json(r) for r in report.results]})
    if report.stopped is not None:
        if as_json:
            raise click.exceptions.Exit(messages.get(report.stopped.code).exit_code)
        if report.stopped.code == "CANCELLED":
            raise HelperError("SIGN_BATCH_CANCELLED", done=signed, left=left)
        raise HelperError("SIGN_BATCH_STOPPED", done=signed, left=left, reason=report.stopped.error.message().title)
    failures = [r for r in report.results if r.status == "refused"]
    if failures and len(report.results) == 1 and not as_json:
        raise failures[0].error
    if not as_json:
        click.echo(ctx.t(f"完成：已签章 {signed} 个，未签章 {refused} 个。", f"Done. Signed: {signed}; refused: {refused}."))
        if skipped:
            click.echo(ctx.t(f"跳过 {len(skipped)} 个文件：之前签好的文件，或已有签好的副本（要连签好的文件也签，"
                             "请加 --include-signed）。",
                             f"Skipped: {len(skipped)}, signed earlier or already with a signed copy (add "
                             "--include-signed to sign the signed files too)."))
    if failures:
        raise click.exceptions.Exit(messages.get(failures[0].code).exit_code)


def _result_json(r) -> dict:
    d = {"file": str(r.item.source), "output": str(r.item.output), "status": r.status}
    if r.signed is not None:
        d.update(page=r.signed.page, field=r.signed.field_name, sha256_before=r.signed.sha256_before,
                 sha256_after=r.signed.sha256_after, repaired=r.signed.repaired,
                 box=list(r.signed.box) if r.signed.box else None)
    if r.code:
        d["error"] = r.error.message().as_json()
    return d
