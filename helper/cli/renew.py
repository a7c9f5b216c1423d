"""`cahelper renew check|cmp|import|recover|cancel`: expiry check, renewal over CMP, certificate import,
recovery, and giving up a renewal that waits for the CA. The work is done by helper.renewal.service.

With --secret-stdin and --pin-stdin together, standard input carries the CA's one-time secret on the
first line and the PIN on the second.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from helper import wording
from helper.cli.runtime import emit_json, obj
from helper.cli.secrets import SecretReader
from helper.cli.tokenopt import token_option

STATE_EN = {"valid": "valid", "expiring": "expiring", "expired": "EXPIRED", "not_yet_valid": "not yet valid"}


@click.group(help="证书延期：到期检查、在线延期、导入证书文件、恢复中断的安装 / certificate renewal.")
def renew() -> None:
    pass


def _service(ctx):
    from helper.renewal.service import RenewalService

    return RenewalService(ctx.keys())


def _item_json(i) -> dict[str, Any]:
    return {"token_serial": i.token_serial, "token_label": i.token_label, "id": i.cert_id, "unit": i.unit,
            "holder": i.holder, "issuer": i.issuer, "not_after": i.not_after.isoformat(), "days_left": i.days_left,
            "state": i.state, "expired": i.state == "expired", "superseded": i.superseded,
            "usage": "signing" if i.is_signing else "encryption"}


@renew.command("check", help="检查已插入U盾中证书的到期情况 / check when the certificates expire.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
def check(as_json: bool) -> None:
    from helper.renewal import monitor

    ctx = obj()
    ctx.json = as_json
    service = _service(ctx)
    items = service.overview()
    pending = service.pending()
    if as_json:
        emit_json({"ok": True, "certificates": [_item_json(i) for i in items],
                   "pending_renewals": [{"id": j.id, "token_serial": j.token_serial, "step": j.step,
                                         "certificate": hashlib.sha256(j.target).hexdigest()[:16] if j.target_der
                                         else ""} for j in pending]})
        return
    if not items:
        click.echo(ctx.t("没有找到带私钥的证书。请插入数字证书U盾。", "No certificates with a private key found."))
    for i in items:
        state = monitor.STATE_ZH[i.state] if ctx.zh else STATE_EN[i.state]
        colour = {"valid": "green", "expiring": "yellow"}.get(i.state, "red")
        note = ctx.t("（已由新证书替代）", " (superseded by a newer certificate)") if i.superseded else ""
        days = ctx.t(f"剩余 {i.days_left} 天", f"{wording.count(i.days_left, 'day')} left") if i.days_left >= 0 else ""
        click.echo(f"[{i.cert_id}] {i.unit}{ctx.t(f'（{i.holder}）', f' ({i.holder})')}  {i.not_after:%Y-%m-%d}  "
                   + click.style(f"{state} {days}".strip(), fg=colour, bold=i.state == "expired") + note)
    for j in pending:
        if j.step == "awaiting":
            click.echo(ctx.t(f"U盾 {j.token_label} ({j.token_serial}) 里有为延期新生成的密钥，正在等待证书机构签发证书"
                             f"（{j.created[:10]} 起）；不再办理请运行 cahelper renew cancel",
                             f"Key {j.token_label} ({j.token_serial}) holds a key pair generated for a renewal, waiting "
                             f"for the CA's certificate since {j.created[:10]}; to give up run cahelper renew cancel"))
        else:
            click.echo(ctx.t(f"未完成的证书安装：U盾 {j.token_label} ({j.token_serial})，请运行 cahelper renew recover",
                             f"Unfinished installation on key {j.token_label} ({j.token_serial}): "
                             "run cahelper renew recover"))


def _pick_certificate(ctx, serial: str | None, cert_id: str | None):
    """The certificate to renew: --cert, else the one signing certificate with a key on the chosen key."""
    keys = ctx.keys()
    token = keys.find_token(serial)
    if cert_id:
        return keys.find_certificate(cert_id, token.id)
    candidates = [e for e in keys.certificates(token.id) if e.info and e.has_key and e.info.is_signing]
    if len(candidates) != 1:
        raise click.UsageError(ctx.t("U盾里有多张签名证书，请用 --cert 指定（编号见 cahelper renew check）。",
                                     "The key holds several signing certificates: choose one with --cert."))
    return candidates[0]


def _mac_protection(ctx, reference: str | None, reader: SecretReader):
    from helper.messages import HelperError
    from helper.renewal import mac_secret
    from helper.renewal.cmp import MacProtection

    if reference is None:
        return None
    if reader.from_stdin:
        secret = bytes(reader.read(""))
    else:
        secret = mac_secret.recall(reference) or b""
        if not secret and click.get_text_stream("stdin").isatty():
            secret = bytes(reader.read(ctx.t("请输入证书机构提供的授权码: ", "Authorisation code from the CA: ")))
    if not secret:
        raise HelperError("RENEW_SECRET_MISSING", ref=reference)
    mac_secret.remember(reference, secret)
    return MacProtection(reference.encode("utf-8"), secret)


def _print_result(ctx, result, as_json: bool) -> None:
    info = result.certificate
    if as_json:
        emit_json({"ok": True, "token_serial": result.token_serial, "cka_id": result.cka_id.hex(), "id": info.id,
                   "subject": info.subject, "not_after": info.not_after.isoformat(), "replaced": list(result.replaced),
                   "outcome": result.outcome})
        return
    click.echo(ctx.t(f"证书已安装到U盾，有效期至 {info.not_after:%Y-%m-%d}。", f"Certificate installed, valid until "
                     f"{info.not_after:%Y-%m-%d}."))
    click.echo(f"  [{info.id}] {info.unit}{ctx.t(f'（{info.subject_cn}）', f' ({info.subject_cn})')}")


@renew.command("cmp", help="通过证书机构的CMP服务在线延期。--secret-stdin 与 --pin-stdin 同用时，标准输入第一行为授权码，"
                           "第二行为口令。 / Renew online over CMP; with --secret-stdin and --pin-stdin stdin "
                           "carries the CA secret, then the PIN.")
@click.option("--server", "url", metavar="URL", help="CMP 服务地址（默认取 resources/cas.toml）/ CMP endpoint.")
@click.option("--new-key", is_flag=True, help="在U盾内生成新密钥对 / generate a new key pair on the key.")
@click.option("--p10", is_flag=True, help="与 --new-key 同用：以 PKCS#10 申请（p10cr）/ with --new-key: send p10cr.")
@click.option("--ref", "reference", metavar="REF", help="证书机构给的参考号（MAC保护）/ CA reference (MAC).")
@click.option("--secret-stdin", is_flag=True, help="从标准输入读取授权码 / read the CA secret from stdin.")
@click.option("--pin-stdin", is_flag=True, help="从标准输入读取口令 / read the PIN from stdin.")
@token_option
@click.option("--cert", "cert_id", metavar="ID", help="要延期的证书编号 / certificate to renew.")
@click.option("--timeout", default=20.0, show_default=True, help="网络超时（秒）/ network timeout (s).")
@click.option("--json", "as_json", is_flag=True)
def cmp_command(url: str | None, new_key: bool, p10: bool, reference: str | None, secret_stdin: bool,
                pin_stdin: bool, serial: str | None, cert_id: str | None, timeout: float, as_json: bool) -> None:
    from helper.messages import HelperError
    from helper.renewal import cas, mac_secret
    from helper.renewal.service import CmpRequest

    ctx = obj()
    ctx.json = as_json
    if secret_stdin and not reference:
        raise click.UsageError("--secret-stdin needs --ref")
    if p10 and not new_key:
        raise click.UsageError("--p10 needs --new-key")
    entry = _pick_certificate(ctx, serial, cert_id)
    if url is None:
        ca = cas.ca_for(entry.info)
        if ca is None or not ca.supports_cmp:
            raise HelperError("RENEW_NO_ONLINE_RENEWAL", subject=entry.info.subject, issuer=entry.info.issuer_cn)
        url = ca.cmp_url
    mac = _mac_protection(ctx, reference, SecretReader(secret_stdin))
    pin = SecretReader(pin_stdin).read(ctx.t(f"请输入U盾“{entry.token.label}”的口令: ", "PIN: "))
    request = CmpRequest(url, mac=mac, new_key=new_key, p10=p10, timeout=timeout)
    result = _service(ctx).renew_cmp(entry, pin, request)
    if reference:
        mac_secret.forget(reference)
    _print_result(ctx, result, as_json)


@renew.command("import", help="把证书机构签发的证书文件（.cer/.pem/.p7b）导入U盾 / import a certificate file.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pin-stdin", is_flag=True, help="从标准输入读取口令 / read the PIN from stdin.")
@token_option
@click.option("--cert", "cert_id", metavar="ID", help="要延期的证书编号（默认按公钥匹配）/ certificate it renews.")
@click.option("--json", "as_json", is_flag=True)
def import_command(file: Path, pin_stdin: bool, serial: str | None, cert_id: str | None, as_json: bool) -> None:
    ctx = obj()
    ctx.json = as_json
    data = file.read_bytes()
    token = ctx.keys().find_token(serial)
    pin = SecretReader(pin_stdin).read(ctx.t(f"请输入U盾“{token.label}”的口令: ", "PIN: "))
    result = _service(ctx).import_file(token.id, pin, data, str(file), cert_id)
    _print_result(ctx, result, as_json)


@renew.command("recover", help="完成或撤销被中断的证书安装，并删除为延期生成、仍在等待证书的密钥 / finish or undo "
                               "interrupted installations and remove key pairs still waiting for a certificate.")
@click.option("--pin-stdin", is_flag=True, help="从标准输入读取口令（每只U盾一行）/ PINs from stdin, one per key.")
@click.option("--json", "as_json", is_flag=True)
def recover(pin_stdin: bool, as_json: bool) -> None:
    ctx = obj()
    ctx.json = as_json
    service = _service(ctx)
    present = {t.serial: t for t in ctx.keys().tokens()}
    reader = SecretReader(pin_stdin)
    report: list[dict[str, Any]] = []
    for serial in dict.fromkeys(j.token_serial for j in service.pending()):
        if serial not in present:
            report.append({"token_serial": serial, "state": "key_absent"})
            continue
        pin = reader.read(ctx.t(f"请输入U盾“{present[serial].label}”的口令: ", "PIN: "))
        for done in service.recover(serial, pin):
            finished = hasattr(done, "certificate")
            report.append({"token_serial": serial, "state": "completed" if finished else "rolled_back",
                           "id": done.certificate.id if finished else done.id})
    _print_report(ctx, report, as_json, ctx.t("没有未完成的证书安装。", "No unfinished installations."))


@renew.command("cancel", help="不再办理正在等待证书机构的延期：删除为它新生成的密钥 / give up a renewal that waits for "
                              "the CA and remove the key pair generated for it.")
@token_option
@click.option("--cert", "cert_id", metavar="ID", help="只取消这张证书的延期 / only this certificate's renewal.")
@click.option("--pin-stdin", is_flag=True, help="从标准输入读取口令 / read the PIN from stdin.")
@click.option("--json", "as_json", is_flag=True)
def cancel(serial: str | None, cert_id: str | None, pin_stdin: bool, as_json: bool) -> None:
    ctx = obj()
    ctx.json = as_json
    service = _service(ctx)
    token = ctx.keys().find_token(serial)
    report: list[dict[str, Any]] = []
    if any(j.step == "awaiting" for j in service.pending(token.serial)):
        pin = SecretReader(pin_stdin).read(ctx.t(f"请输入U盾“{token.label}”的口令: ", "PIN: "))
        report = [{"token_serial": token.serial, "state": "cancelled", "id": j.id}
                  for j in service.cancel(token.serial, pin, cert_id)]
    _print_report(ctx, report, as_json, ctx.t("没有等待证书机构的延期。", "No renewal waits for the CA."))


def _print_report(ctx, report: list[dict[str, Any]], as_json: bool, nothing: str) -> None:
    if as_json:
        emit_json({"ok": all(r["state"] != "key_absent" for r in report), "recovered": report})
        return
    if not report:
        click.echo(nothing)
    for r in report:
        text = {"completed": ctx.t("已完成安装", "installation finished"),
                "rolled_back": ctx.t("已撤销，为延期新生成的密钥已删除", "undone, the key pair generated for it removed"),
                "cancelled": ctx.t("已取消，为延期新生成的密钥已删除", "cancelled, the key pair generated for it removed"),
                "key_absent": ctx.t("请插入这只U盾后再运行", "insert this key and run again")}[r["state"]]
        click.echo(f"U盾 {r['token_serial']}: {text}")
