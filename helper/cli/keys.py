"""`cahelper tokens`, `cahelper certs`, `cahelper cert show|export`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from helper import wording
from helper.cli.runtime import emit_json, obj
from helper.cli.tokenopt import token_option

STATUS_ZH = {"valid": "有效", "expiring": "即将到期", "expired": "已过期", "not_yet_valid": "尚未生效"}
PIN_ZH = {"ok": "正常", "count_low": "输错过，请仔细输入", "final_try": "最后一次机会", "locked": "已锁定",
          "to_be_changed": "需要修改口令", "uninitialized": "未设置口令"}
PIN_EN = {"ok": "OK", "count_low": "wrong PIN entered before", "final_try": "final try", "locked": "locked",
          "to_be_changed": "must be changed", "uninitialized": "not set"}


def token_json(t) -> dict[str, Any]:
    return {
        "id": t.id, "serial": t.serial, "label": t.label, "manufacturer": t.manufacturer, "model": t.model,
        "module": t.module_path, "slot": t.slot_id, "usb_key": t.usb_key, "initialized": t.initialized,
        "pin_state": t.pin.summary,
        "pin_flags": {"count_low": t.pin.count_low, "final_try": t.pin.final_try, "locked": t.pin.locked,
                      "to_be_changed": t.pin.to_be_changed, "so_locked": t.pin.so_locked},
        "free_memory": t.free_public_memory,
    }


def cert_json(e) -> dict[str, Any]:
    base = {"id": e.id, "token_id": e.token.id, "token_serial": e.token.serial, "label": e.label, "cka_id": e.cka_id.hex(),
            "has_private_key": e.has_key}
    if e.info is None:
        return {**base, "readable": False, "problem": e.problem}
    i = e.info
    return {
        **base, "readable": True, "unit": i.unit, "unit_code": i.unit_code, "holder": i.subject_cn,
        "subject": i.subject, "issuer": i.issuer, "serial": i.serial_hex,
        "not_before": i.not_before.isoformat(), "not_after": i.not_after.isoformat(),
        "days_left": i.days_left(), "status": i.status(), "usage": "signing" if i.is_signing else "encryption",
        "key_usage": list(i.key_usage), "key_algorithm": f"{i.key_type}-{i.key_size}",
        "signature_algorithm": i.signature_algorithm, "unit_code_kind": i.unit_code_kind,
        "sha256": i.sha256,
    }


@click.command(help="列出已插入的U盾 / list the inserted USB keys.")
@click.option("--all", "all_slots", is_flag=True,
              help="也列出不是U盾的插槽（未初始化、驱动内部的） / also slots that are not a USB key.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
def tokens(all_slots: bool, as_json: bool) -> None:
    ctx = obj()
    ctx.json = as_json
    found = ctx.keys().tokens(all_slots=all_slots)
    if as_json:
        emit_json({"ok": True, "tokens": [token_json(t) for t in found]})
        return
    if not found:
        click.echo(ctx.t("没有检测到U盾。请插入数字证书U盾。", "No USB key detected. Please insert your certificate key."))
        return
    names = PIN_ZH if ctx.zh else PIN_EN
    for t in found:
        other = "" if t.usb_key else ctx.t("  （不是U盾：未初始化或驱动内部使用）", "  (not a USB key: uninitialised or internal)")
        click.echo(f"[{t.id}] {t.label or '-'}  {ctx.t('序列号', 'serial')} {t.serial or '-'}{other}")
        click.echo(f"  {ctx.t('厂商', 'Vendor')}: {t.manufacturer} {t.model}")
        click.echo(f"  {ctx.t('口令状态', 'PIN state')}: {names[t.pin.summary]}")
        click.echo(f"  {ctx.t('驱动', 'Driver')}: {t.module_name} ({ctx.t('插槽', 'slot')} {t.slot_id})")


@click.command("certs", help="列出U盾里的证书 / list the certificates on the keys.")
@token_option
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
def certs_command(serial: str | None, as_json: bool) -> None:
    ctx = obj()
    ctx.json = as_json
    entries = ctx.keys().certificates(serial)
    if as_json:
        emit_json({"ok": True, "certificates": [cert_json(e) for e in entries]})
        return
    if not entries:
        click.echo(ctx.t("U盾里没有证书。", "No certificates on the key."))
        return
    for e in entries:
        _print_cert_summary(ctx, e)


def _print_cert_summary(ctx, e) -> None:
    if e.info is None:
        click.echo(f"[{e.id}] {ctx.t('无法读取的证书', 'unreadable certificate')} “{e.label}”: {e.problem}")
        return
    i = e.info
    status = i.status()
    state = STATUS_ZH[status] if ctx.zh else status.replace("_", " ")
    days = i.days_left()
    colour = {"valid": "green", "expiring": "yellow"}.get(status, "red")
    usage = ctx.t("签名证书", "signing") if i.is_signing else ctx.t("加密证书", "encryption")
    click.echo(click.style(f"[{i.id}] {i.unit}", bold=True) + f"  ({usage})")
    click.echo(f"  {ctx.t('持有人', 'Holder')}: {i.subject_cn}   {ctx.t('单位代码', 'Unit code')}: {i.unit_code or '-'}")
    click.echo(f"  {ctx.t('颁发者', 'Issuer')}: {i.issuer_cn}")
    click.echo(f"  {ctx.t('有效期', 'Valid')}: {_d(i.not_before)} — {_d(i.not_after)}  "
               + click.style(ctx.t(f"{state}，剩余{days}天", f"{state}, {wording.count(days, 'day')} left"), fg=colour))
    click.echo(f"  {ctx.t('私钥', 'Private key')}: {ctx.t('有', 'yes') if e.has_key else ctx.t('无', 'no')}"
               f"   {ctx.t('U盾', 'Key')}: {e.token.label} [{e.token.id}]")


def _d(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d")


@click.group(help="查看或导出一张证书 / show or export one certificate.")
def cert() -> None:
    pass


@cert.command("show", help="显示证书详情 / show all details of a certificate (ID from `cahelper certs`).")
@click.argument("cert_id")
@token_option
@click.option("--json", "as_json", is_flag=True)
def cert_show(cert_id: str, serial: str | None, as_json: bool) -> None:
    from helper import certdetails, certs, settings

    ctx = obj()
    ctx.json = as_json
    entry = ctx.keys().find_certificate(cert_id, serial)
    if entry.info is None:
        raise_unreadable(entry)
    i = entry.info
    on_key = [e.info.der for e in ctx.keys().certificates(entry.token.id) if e.info and e.info.is_ca]
    pool = on_key + list(certs.bundled_ca_certs()) + certs.user_ca_certs(settings.user_ca_dir())
    chain = [certs.parse(d) for d in certs.build_chain(i.der, pool)]
    if as_json:
        emit_json({"ok": True, "certificate": {**cert_json(entry), "sha1": i.sha1,
                                                "extended_key_usage": list(i.extended_key_usage),
                                                "fields": [{"key": r.key, "name": r.label, "value": r.value}
                                                           for r in certdetails.rows(i, ctx.lang or "zh")],
                                                "chain": [{"subject": c.subject, "sha256": c.sha256} for c in chain],
                                                "chain_complete": certs.chain_complete([c.der for c in chain])}})
        return
    rows = [(r.label, r.value) for r in certdetails.rows(i, ctx.lang or "zh", has_private_key=entry.has_key)]
    width = max(wording.columns(r[0]) for r in rows)
    for label, value in rows:
        click.echo(f"{wording.pad(label, width)}  {value}")
    click.echo(ctx.t("证书链：", "Chain:"))
    for depth, c in enumerate(chain):
        click.echo(f"  {'  ' * depth}└ {c.subject_cn or c.unit}")
    if not certs.chain_complete([c.der for c in chain]):
        click.echo(ctx.t("  （证书链不完整：缺少上级CA证书）", "  (chain incomplete: an issuing CA certificate is missing)"))


def raise_unreadable(entry) -> None:
    from tokenio.errors import ObjectUnreadable

    raise ObjectUnreadable(entry.problem or "", label=entry.label)


@cert.command("export", help="导出证书到文件（.cer/.der 为DER，.pem/.crt 为PEM）/ export a certificate.")
@click.argument("cert_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@token_option
@click.option("--overwrite", is_flag=True, help="覆盖已存在的文件 / replace an existing file.")
def cert_export(cert_id: str, out: Path, serial: str | None, overwrite: bool) -> None:
    from asn1crypto import pem

    from helper.fileio import atomic_write_bytes, check_output

    ctx = obj()
    check_output(out, overwrite=overwrite)
    entry = ctx.keys().find_certificate(cert_id, serial)
    if entry.info is None:
        raise_unreadable(entry)
    der = entry.info.der
    data = pem.armor("CERTIFICATE", der) if out.suffix.lower() in (".pem", ".crt") else der
    atomic_write_bytes(out, data, overwrite=overwrite)
    click.echo(ctx.t(f"已导出证书到 {out}", f"Certificate exported to {out}"))
