"""The fields of 查看证书 and `cert show`, named in the user's language: one list both faces print."""

from __future__ import annotations

from dataclasses import dataclass

from helper.certnames import (
    ATTRIBUTES,
    EXTENDED_KEY_USAGES,
    EXTENSION_TEXTS,
    EXTENSIONS,
    FIELDS,
    KEY_USAGES,
    UNIT_CODE_KINDS,
    USAGE,
    named,
    pick,
)
from helper.certs import CertInfo

# Extensions shown as fields of their own.
_AS_FIELDS = {"key_usage", "extended_key_usage"}


@dataclass(frozen=True)
class Row:
    key: str  # a FIELDS key, or "extension:<name or OID>"
    label: str
    value: str


def usage(info: CertInfo) -> str:
    """signing / encryption / ca."""
    return "ca" if info.is_ca else "signing" if info.is_signing else "encryption"


def rows(info: CertInfo, lang: str, *, has_private_key: bool | None = None) -> list[Row]:
    """Every field of the certificate, then every other extension by name (or OID) with its decoded text."""
    yes, no = ("是", "否") if lang == "zh" else ("Yes", "No")
    code_label = named(UNIT_CODE_KINDS, info.unit_code_kind, lang) if info.unit_code_kind else pick(FIELDS["unit_code"], lang)
    values: list[tuple[str, str, str]] = [
        ("unit", pick(FIELDS["unit"], lang), info.unit),
        ("unit_code", code_label, info.unit_code or "-"),
        ("holder", pick(FIELDS["holder"], lang), info.subject_cn),
        ("department", pick(FIELDS["department"], lang), info.org_unit or "-"),
    ]
    if info.personal_id:
        values.append(("personal_id", pick(FIELDS["personal_id"], lang), info.personal_id))
    if info.social_insurance:
        values.append(("social_insurance", pick(FIELDS["social_insurance"], lang), info.social_insurance))
    values += [
        ("subject", pick(FIELDS["subject"], lang), human_name(info.subject_parts, lang) or info.subject),
        ("issuer", pick(FIELDS["issuer"], lang), human_name(info.issuer_parts, lang) or info.issuer),
        ("serial", pick(FIELDS["serial"], lang), info.serial_hex),
        ("valid_from", pick(FIELDS["valid_from"], lang), info.not_before.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("valid_to", pick(FIELDS["valid_to"], lang), info.not_after.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("days_left", pick(FIELDS["days_left"], lang), str(max(info.days_left(), 0))),
        ("usage", pick(FIELDS["usage"], lang), pick(USAGE[usage(info)], lang)),
        ("key", pick(FIELDS["key"], lang), f"{info.key_algorithm} {info.key_size}"),
        ("signature_algorithm", pick(FIELDS["signature_algorithm"], lang), info.signature_algorithm),
        ("key_usage", pick(FIELDS["key_usage"], lang),
         ("、" if lang == "zh" else ", ").join(named(KEY_USAGES, u, lang) for u in info.key_usage) or "-"),
        ("extended_key_usage", pick(FIELDS["extended_key_usage"], lang),
         ("、" if lang == "zh" else ", ").join(named(EXTENDED_KEY_USAGES, u, lang) for u in info.extended_key_usage)
         or "-"),
    ]
    if has_private_key is not None:
        values.append(("private_key", pick(FIELDS["private_key"], lang), yes if has_private_key else no))
    values += [("sha256", pick(FIELDS["sha256"], lang), _grouped(info.sha256)),
               ("sha1", pick(FIELDS["sha1"], lang), _grouped(info.sha1))]
    for ext in info.extensions:
        if ext.name in _AS_FIELDS:
            continue
        label = named(EXTENSIONS, ext.name, lang)
        if label == ext.name and ext.name != ext.oid:
            label = ext.oid
        if ext.critical:
            label += "（关键）" if lang == "zh" else " (critical)"
        text = named(EXTENSION_TEXTS, ext.text, lang) if ext.name == "basic_constraints" else ext.text
        values.append((f"extension:{ext.oid}", label, text or "-"))
    return [Row(k, label, value) for k, label, value in values]


def human_name(parts: tuple[tuple[str, str], ...], lang: str) -> str:
    """A subject or issuer with each attribute named for people: 单位=…，名称=… / Organisation=…, Common name=…"""
    return ("，" if lang == "zh" else ", ").join(f"{named(ATTRIBUTES, key, lang)}={value}" for key, value in parts)


def _grouped(hexdigits: str) -> str:
    return " ".join(hexdigits[i:i + 2].upper() for i in range(0, len(hexdigits), 2))
