"""Whether a new certificate is a renewal of the certificate it would replace (not of another unit, holder,
purpose or key).

A renewal keeps the organisation name and the unit code (统一社会信用代码, compared when either certificate
carries one), the holder (CN) and the purpose (signing replaces signing, encryption replaces encryption),
and certifies either the key of the certificate it replaces or the key pair generated for this very renewal.
A changed company name under the same unit code is not a renewal either: the CA handles it as a change of
the certificate's details (RENEW_UNIT_RENAMED).
"""

from __future__ import annotations

from collections.abc import Collection

from asn1crypto import x509

from helper import certs
from helper.messages import HelperError
from helper.renewal.trust import purpose_of


def public_key(der: bytes) -> bytes:
    """The certificate's SubjectPublicKeyInfo (DER)."""
    return x509.Certificate.load(der).public_key.dump()


def check_binding(new: certs.CertInfo, old: certs.CertInfo, allowed_keys: Collection[bytes]) -> None:
    """Raise RENEW_UNIT_RENAMED, RENEW_SUBJECT_MISMATCH, RENEW_PURPOSE_MISMATCH or RENEW_KEY_MISMATCH unless
    ``new`` renews ``old`` for one of ``allowed_keys`` (SubjectPublicKeyInfo DER)."""
    codes_differ = (new.unit_code or old.unit_code) and new.unit_code != old.unit_code
    if new.unit != old.unit and not codes_differ and new.unit_code:
        raise HelperError("RENEW_UNIT_RENAMED", old_unit=old.unit, new_unit=new.unit, unit_code=new.unit_code)
    for differs, what_zh, what_en, old_value, new_value in (
        (new.unit != old.unit, "单位名称", "unit name", old.unit, new.unit),
        (codes_differ, "统一社会信用代码", "unit code", old.unit_code or "-", new.unit_code or "-"),
        (new.subject_cn != old.subject_cn, "持有人", "holder", old.subject_cn, new.subject_cn),
    ):
        if differs:
            raise HelperError("RENEW_SUBJECT_MISMATCH", what=_lang(what_zh, what_en), old=old_value, new=new_value,
                              old_unit=old.unit, old_holder=old.subject_cn)
    if purpose_of(new) != purpose_of(old):
        raise HelperError("RENEW_PURPOSE_MISMATCH", old_purpose=_purpose(old), new_purpose=_purpose(new),
                          old_unit=old.unit, old_holder=old.subject_cn)
    if public_key(new.der) not in allowed_keys:
        raise HelperError("RENEW_KEY_MISMATCH", subject=new.subject, old_unit=old.unit, old_holder=old.subject_cn)


def _lang(zh: str, en: str) -> str:
    from helper import messages

    return zh if messages.language() == "zh" else en


def _purpose(info: certs.CertInfo) -> str:
    return _lang("签名证书", "signing certificate") if purpose_of(info) == "signing" else _lang(
        "加密证书", "encryption certificate")
