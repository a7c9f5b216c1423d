"""Chinese unit codes and ID numbers in certificates: where CAs put them, and their check characters.

- 统一社会信用代码 (USCC, GB 32100-2015): 18 characters, the last a check character (mod 31).
- 组织机构代码 (organisation code, GB 11714-1997): 8 characters and a check character (mod 11), often
  written ``XXXXXXXX-X``; characters 9-17 of a USCC are the unit's organisation code.
- GM/T 0015 extensions under 1.2.156.10260.4.1: .1 personal ID number, .2 social insurance number,
  .3 工商注册号, .4 组织机构代码 (in practice often the USCC), .5 税号.
- The older e-government arc 1.2.86.11.7 numbers its extensions differently from vendor to vendor: a
  value there counts only when it passes one of the two checks.
Personal ID and social insurance numbers are never shown in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_RE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}")
_ORG_RE = re.compile(r"[0-9A-Z]{8}-?[0-9X]")

GMT_ARC = "1.2.156.10260.4.1"
EGOV_ARC = "1.2.86.11.7"
PERSONAL_ID_OIDS = {f"{GMT_ARC}.1": "personal_id", f"{GMT_ARC}.2": "social_insurance"}
UNIT_EXTENSION_OIDS = {f"{GMT_ARC}.4": "org_code", f"{GMT_ARC}.3": "registration", f"{GMT_ARC}.5": "tax"}


def uscc_valid(code: str) -> bool:
    """GB 32100: 18 characters whose last is the check character of the first 17."""
    if len(code) != 18 or not _USCC_RE.fullmatch(code):
        return False
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def org_code_valid(code: str) -> bool:
    """GB 11714: 8 digits/letters and a check character (0-9 or X), with or without the hyphen."""
    code = code.replace("-", "")
    if len(code) != 9 or not _ORG_RE.fullmatch(code):
        return False
    total = sum(int(c, 36) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return code[8] == {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True)
class UnitCode:
    value: str
    kind: str  # "uscc", "org_code", "registration", "tax"
    source: str  # where it was found: an attribute or extension name, or its OID


def checked_code(text: str, *, letter_prefix: bool = False) -> tuple[str, str] | None:
    """(code, kind) when ``text`` is, or contains as a field, a valid code.

    Others write the bare code, ``XXXXXXXX-X``, or a labelled value such as ``统一社会信用代码:9111…``;
    CFCA writes ``N91350200556207664B`` (a letter, then the USCC) inside its CN fields (``letter_prefix``).
    """
    value = text.strip().upper()
    for candidate in (value, value[1:]) if letter_prefix and value[:1].isalpha() else (value,):
        if uscc_valid(candidate):
            return candidate, "uscc"
        if org_code_valid(candidate) and len(candidate) in (9, 10):
            return candidate, "org_code"
    for found in _USCC_RE.finditer(value):
        if uscc_valid(found.group()) and _standalone(value, found):
            return found.group(), "uscc"
    for found in _ORG_RE.finditer(value):
        if org_code_valid(found.group()) and _standalone(value, found):
            return found.group(), "org_code"
    return None


def _standalone(text: str, found: re.Match[str]) -> bool:
    """Not part of a longer run of letters and digits."""
    before = text[found.start() - 1] if found.start() else ""
    after = text[found.end()] if found.end() < len(text) else ""
    return not before.isalnum() and not after.isalnum()


def extension_code(oid: str, text: str) -> tuple[str, str] | None:
    """The unit code an extension carries, or None. GM/T 0015 values count when they are not a malformed
    USCC/organisation code; e-government arc values only when they pass a check."""
    checked = checked_code(text)
    if checked:
        return checked
    kind = UNIT_EXTENSION_OIDS.get(oid)
    value = text.strip()
    if kind is None or not value or looks_like_code(value):
        return None
    return (value, kind) if re.fullmatch(r"[0-9A-Za-z-]{6,30}", value) else None


def looks_like_code(value: str) -> bool:
    """Shaped like a USCC or an organisation code (so it must pass the check to count)."""
    v = value.strip().upper()
    return len(v) == 18 or bool(re.fullmatch(r"[0-9A-Z]{8}-?[0-9A-Z]", v))


def mask(number: str) -> str:
    """All but the last 4 characters hidden: personal ID and social-insurance numbers are never shown."""
    number = number.strip()
    return "*" * max(0, len(number) - 4) + number[-4:]
