"""The subscriber as a clerk reads it from a Chinese certificate: unit name, unit code, department, the
masked personal numbers, and every extension as text.

Chinese CAs differ: some put their own name in O (CFCA's ``O=CFCA OCA1``) and the subscriber in CN as
``@``-separated fields (``041@<code>@<name>@<n>``, ``CFCA@<name>@N<USCC>@1``); some put the USCC in OU, in
organizationIdentifier, serialNumber or name; others in GM/T 0015 or e-government extensions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asn1crypto import core, x509

from helper import unitcode

# Where a unit code may sit in the subject, in the order tried.
SUBJECT_CODE_PLACES = ("2.5.4.97", "2.5.4.5", "2.5.4.41", "organizational_unit_name", "common_name")
# Generic OU values CAs add that are not a department.
_GENERIC_OU = re.compile(r"^(organizational|individual|enterprises?|local ra|ssl|personal|employee|company)(-\d+)?$",
                         re.IGNORECASE)
_CA_NAME = re.compile(r"(\bO?CA\d*\b|certification authority|认证|\bCFCA\b|\bBJCA\b|\bSHECA\b|UniTrust|NRCAC)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Extension:
    """One extension as shown: ``name`` is a key of certnames.EXTENSIONS or the dotted OID."""

    oid: str
    name: str
    critical: bool
    text: str


@dataclass(frozen=True)
class Fields:
    unit: str
    code: unitcode.UnitCode | None
    department: str
    personal_id: str
    social_insurance: str


def subject_values(name: x509.Name, key: str) -> list[str]:
    """Every value of attribute ``key`` (native name or dotted OID), as text."""
    out = []
    for rdn in name.chosen:
        for atv in rdn:
            if key in (atv["type"].native, atv["type"].dotted):
                value = atv["value"].native
                out.append(value if isinstance(value, str) else str(value))
    return out


def decode_text(raw: bytes) -> str:
    """An extension value as text: any DER string type, an OCTET STRING around one, a SEQUENCE of them, or
    the raw ASCII bytes some CAs store with no DER tag at all."""
    try:
        value = core.load(raw, strict=True)
    except (ValueError, TypeError):
        value = None
    if value is not None:
        text = _asn1_text(value)
        if text is not None:
            return text
    if raw and all(32 <= b < 127 for b in raw):
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.hex(" ").upper()


def _asn1_text(value: core.Asn1Value) -> str | None:
    if isinstance(value, core.AbstractString):
        return value.native
    if isinstance(value, core.OctetString):
        return decode_text(value.native)
    if isinstance(value, core.Integer):
        return str(value.native)
    if isinstance(value, core.ObjectIdentifier):
        return value.dotted
    if isinstance(value, (core.Sequence, core.SequenceOf, core.Set, core.SetOf)) or value.__class__ is core.Any:
        parts = []
        try:
            children = [value[i] for i in range(len(value))]
        except Exception:  # noqa: BLE001 - an undecodable structure is shown as hex by the caller
            return None
        for child in children:
            text = _asn1_text(child.chosen if isinstance(child, core.Any) else child)
            if text is None:
                return None
            parts.append(text)
        return ", ".join(parts)
    return None


def read(cert: x509.Certificate) -> Fields:
    subject = cert.subject
    chinese = {e["extn_id"].dotted: decode_text(e["extn_value"].contents) for e in cert["tbs_certificate"]["extensions"]
               if e["extn_id"].dotted.startswith((unitcode.GMT_ARC, unitcode.EGOV_ARC))}
    return Fields(
        unit=unit_name(cert),
        code=unit_code(subject, chinese),
        department=next((v for v in subject_values(subject, "organizational_unit_name")
                         if not _GENERIC_OU.match(v.strip()) and not unitcode.checked_code(v)), ""),
        personal_id=unitcode.mask(chinese.get(f"{unitcode.GMT_ARC}.1", "")),
        social_insurance=unitcode.mask(chinese.get(f"{unitcode.GMT_ARC}.2", "")),
    )


def unit_code(subject: x509.Name, chinese: dict[str, str]) -> unitcode.UnitCode | None:
    """The first valid unit code: subject attributes, OU and CN values (and CN ``@`` fields), then the GM/T 0015
    extensions (.4, .3, .5), then the e-government arc (only values that pass a check)."""
    for place in SUBJECT_CODE_PLACES:
        for value in subject_values(subject, place):
            for part in ([value, *value.split("@")] if "@" in value else [value]):
                found = unitcode.checked_code(part, letter_prefix=part is not value)
                if found:
                    return unitcode.UnitCode(found[0], found[1], place)
    for oid in unitcode.UNIT_EXTENSION_OIDS:
        if oid in chinese:
            found = unitcode.extension_code(oid, chinese[oid])
            if found:
                return unitcode.UnitCode(found[0], found[1], oid)
    for oid, text in sorted(chinese.items()):
        if oid.startswith(unitcode.EGOV_ARC + "."):
            found = unitcode.checked_code(text)
            if found:
                return unitcode.UnitCode(found[0], found[1], oid)
    return None


def unit_name(cert: x509.Certificate) -> str:
    """The subscriber's organisation: O, unless O is the CA's own name; then CN ``@`` fields; then a
    department-like OU; then CN."""
    subject = cert.subject
    issuer_names = {v.strip() for key in ("organization_name", "common_name")
                    for v in subject_values(cert.issuer, key)}
    cns = subject_values(subject, "common_name")
    for org in subject_values(subject, "organization_name"):
        if org.strip() and not _is_ca_name(org, issuer_names, cert):
            return org.strip()
    for cn in cns:
        fields = [f.strip() for f in cn.split("@")]
        if len(fields) >= 3:
            named = [f for f in fields[1:-1]
                     if f and not unitcode.checked_code(f, letter_prefix=True) and not _code_like(f)]
            if named:
                return named[0]
    for ou in subject_values(subject, "organizational_unit_name"):
        if ou.strip() and not _GENERIC_OU.match(ou.strip()) and not unitcode.checked_code(ou):
            return ou.strip()
    return cns[0].strip() if cns else ""


def _is_ca_name(org: str, issuer_names: set[str], cert: x509.Certificate) -> bool:
    """O holds the CA's own name (a CA or self-issued certificate keeps its O: there it is the subscriber)."""
    if cert.ca or cert.self_issued:
        return False
    return org.strip() in issuer_names or bool(_CA_NAME.search(org))


def _code_like(field: str) -> bool:
    """A CN ``@`` field that is a number or a prefixed code, not a name."""
    return bool(re.fullmatch(r"[A-Z]?[0-9A-Z-]{6,}", field)) and any(c.isdigit() for c in field)


def extensions(cert: x509.Certificate) -> list[Extension]:
    """Every extension with its text; known ones are summarised, unknown ones decoded from their value."""
    out = []
    for ext in cert["tbs_certificate"]["extensions"]:
        oid = ext["extn_id"].dotted
        native = ext["extn_id"].native
        name = native if native != oid else oid
        try:
            text = _known_text(name, ext["extn_value"].parsed) if native != oid else None
        except Exception:  # noqa: BLE001 - a malformed known extension is shown decoded, never raised
            text = None
        if text is None:
            text = decode_text(ext["extn_value"].contents)
            if oid in unitcode.PERSONAL_ID_OIDS:
                text = unitcode.mask(text)
        out.append(Extension(oid, name, bool(ext["critical"].native), text))
    return out


def _known_text(name: str, value: core.Asn1Value) -> str | None:
    if name == "key_usage":
        return ", ".join(sorted(value.native))
    if name == "extended_key_usage":
        return ", ".join(value.native)
    if name == "basic_constraints":
        return "CA" if value["ca"].native else "end entity"
    if name == "key_identifier":
        return value.native.hex(" ").upper()
    if name == "authority_key_identifier":
        kid = value["key_identifier"].native
        return kid.hex(" ").upper() if kid else ""
    if name == "crl_distribution_points":
        return ", ".join(u for dp in value.native for u in _urls(dp.get("distribution_point")))
    if name == "authority_information_access":
        return ", ".join(str(d["access_location"]) for d in value.native)
    if name == "certificate_policies":
        return ", ".join(p["policy_identifier"] for p in value.native)
    if name in ("subject_alt_name", "issuer_alt_name"):
        return ", ".join(str(v) for v in value.native)
    return None


def _urls(point) -> list[str]:
    if isinstance(point, list):
        return [str(p) for p in point if isinstance(p, str)]
    return []
