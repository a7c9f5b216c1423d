"""Verify the signatures in any PDF: who signed, when, whether the document is unchanged, whether trusted.

Trust comes from the CA certificates the helper knows (bundled + the user's folder) plus any given by the
caller; nothing is fetched from the network, and revocation data embedded in the file (B-LT) is used.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from helper import certs
from helper.messages import HelperError
from helper.signing import sm2verify
from helper.signing.identity import trust_pool
from helper.signing.pdfinput import read_pdf

log = logging.getLogger(__name__)

_ACCEPTED_CHANGES = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS")

# Why a signature does not pass, as a clerk reads it: the failed checks, then SignatureReport.problem's codes.
REASONS: dict[str, tuple[str, str]] = {
    "integrity": ("签章后文件内容被改动过", "the signed content was changed"),
    "signature": ("签名值与证书不符", "the signature does not match its certificate"),
    "trust": ("签章证书不是受信任的CA签发的", "the certificate is not from a trusted CA"),
    "changes": ("签章之后文件又被改动过", "the document was changed after this signature"),
    "unreadable": ("签名数据无法读取", "the signature data cannot be read"),
    "check_failed": ("签章无法检查", "the signature could not be checked"),
    "signed_attributes": ("签名缺少 PAdES 要求的签名属性", "the signature lacks the attributes PAdES requires"),
    "key_usage": ("这张证书不能用于签章（例如加密证书）", "this certificate may not sign (e.g. an encryption certificate)"),
    "revoked": ("签章证书已被吊销", "the certificate has been revoked"),
    "chain_no_issuer": ("找不到签发这张证书的CA证书", "the CA certificate that issued it is not available"),
    "chain_untrusted": ("证书的根CA不在受信任列表中", "its root CA is not in the trusted list"),
    "chain_bad_signature": ("证书链上的签名不正确", "a signature in its certificate chain is wrong"),
    "chain_expired": ("证书链中有证书已过期", "a certificate in its chain has expired"),
    "chain_not_yet_valid": ("证书链中有证书尚未生效", "a certificate in its chain is not valid yet"),
    "chain_not_ca": ("签发者不是CA证书", "its issuer is not a CA certificate"),
    "chain_path_length": ("证书链的层级超出了上级CA允许的范围", "the chain is longer than a CA in it allows"),
    "chain_name_constraints": ("证书链中的CA限制了可签发的名称，无法确认", "a CA in the chain restricts the names it may certify"),
}
_UNCHECKED = ("unreadable", "check_failed")
_TRUST_CODES = ("revoked", "chain_")  # problems that already say why the certificate is not trusted


def is_trust_problem(code: str) -> bool:
    """Whether a problem code tells why the certificate is not trusted (rather than another failure)."""
    return code.startswith(_TRUST_CODES)


def reason(code: str, lang: str) -> str:
    """One REASONS code in words."""
    zh, en = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en


@dataclass(frozen=True)
class SignatureReport:
    """One signature as a clerk needs to see it."""

    field: str
    unit: str
    holder: str
    cert_serial: str
    issuer: str
    signing_time: datetime | None  # as claimed by the signer's computer
    timestamp: datetime | None  # from a timestamp authority (B-T and above)
    timestamp_trusted: bool | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is correct
    trusted: bool  # the certificate chains to a trusted CA
    certified: bool  # a certification (DocMDP) signature
    covers_whole_file: bool
    changes_after: str  # what changed after this signature: NONE, FORM_FILLING, ANNOTATIONS, OTHER, APPENDED …
    changes_allowed: bool
    level: str  # PAdES level seen: B-B, B-T, B-LT
    problem: str = ""
    cert_not_before: datetime | None = None
    cert_not_after: datetime | None = None
    page: int | None = None  # 1-based page of the visible seal; None for an invisible signature
    box: tuple[float, float, float, float] | None = None  # the seal's rectangle on that page (points)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.changes_allowed and not self.problem

    def failures(self) -> list[str]:
        """The REASONS codes of what failed, most basic first (empty when the signature passes)."""
        if self.problem in _UNCHECKED:
            return [self.problem]  # the other checks could not run
        explained = is_trust_problem(self.problem)
        return [code for code, bad in (("integrity", not self.intact), ("signature", self.intact and not self.valid),
                                       ("trust", not self.trusted and not explained),
                                       ("changes", not self.changes_allowed), (self.problem, bool(self.problem)))
                if bad]

    def reasons(self, lang: str) -> list[str]:
        """What failed, in words (``lang`` "zh" or "en")."""
        return [reason(code, lang) for code in self.failures()]


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    signatures: tuple[SignatureReport, ...]

    @property
    def modified_after_last(self) -> bool:
        """Something other than validation data (B-LT's DSS) was added after the last signature."""
        last = self.signatures[-1] if self.signatures else None
        return last is not None and not last.covers_whole_file and last.changes_after not in ("NONE", "LTA_UPDATES")

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures) and not self.modified_after_last

    def problems(self) -> list[str]:
        """Each failing signature's field and REASONS codes, for logs and JSON."""
        out = [f"{s.field}: {', '.join(s.failures())}" for s in self.signatures if s.failures()]
        if self.modified_after_last:
            out.append("modified after the last signature")
        return out

    def reasons(self, lang: str) -> list[str]:
        """What failed in this file, in words: each failing signature by its number, then later changes."""
        zh = lang == "zh"
        out = [(f"签章 {n}：" if zh else f"signature {n}: ") + ("，" if zh else ", ").join(s.reasons(lang))
               for n, s in enumerate(self.signatures, 1) if s.failures()]
        if self.modified_after_last:
            out.append("最后一个签章之后文件又被修改过" if zh else "the file was changed after the last signature")
        return out

    def as_json(self) -> dict[str, Any]:
        sigs = []
        for s in self.signatures:
            d = asdict(s)
            d["signing_time"] = s.signing_time.isoformat() if s.signing_time else None
            d["timestamp"] = s.timestamp.isoformat() if s.timestamp else None
            for key in ("cert_not_before", "cert_not_after"):
                d[key] = d[key].isoformat() if d[key] else None
            d["ok"] = s.ok
            sigs.append(d)
        return {"file": str(self.path), "ok": self.ok, "modified_after_last_signature": self.modified_after_last,
                "signatures": sigs, "problems": self.problems()}


def verify_pdf(path: Path, extra_trust: tuple[bytes, ...] = (), *, max_mb: int = 2048,
               password: bytes | None = None) -> VerifyReport:
    """Validate every signature in ``path``. A signature that does not verify (or cannot even be decoded) is
    reported, not raised; a file that cannot be read raises HelperError (VERIFY_UNREADABLE, FILE_NOT_FOUND,
    PDF_NOT_PDF, PDF_PASSWORD_REQUIRED …)."""
    sm2verify.prepare()
    reader = _reader(path, max_mb, password)
    roots, others = _trust(extra_trust)
    reports = tuple(_check(sig, reader, roots, others) if not isinstance(sig, Exception) else _undecodable(name, sig)
                    for name, sig in _signatures(reader))
    return VerifyReport(path, reports)


_SIGNING_REFUSALS = ("PDF_MALFORMED", "PDF_SIGNED_DAMAGED", "PDF_CERTIFIED_NO_CHANGES")


def _reader(path: Path, max_mb: int, password: bytes | None):
    """The file opened for reading its signatures. What only refuses signing (damage that a rebuild would
    need, a certification that allows no change) is no reason not to verify."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        source = read_pdf(path, max_mb=max_mb, password=password)
        data, password = source.data, source.password
    except HelperError as exc:
        if exc.code not in _SIGNING_REFUSALS:
            raise
        data = path.read_bytes()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            reader.decrypt(password or b"")
        reader.root  # noqa: B018 - forces the trailer and catalogue to be read
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HelperError("VERIFY_UNREADABLE", path=str(path), detail=type(exc).__name__) from exc
    return reader


def _signatures(reader) -> list[tuple[str, Any]]:
    """(field name, signature) in signing order; a signature pyHanko cannot decode comes as its exception."""
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    try:
        return [(str(s.field_name), s) for s in reader.embedded_signatures]
    except Exception:  # noqa: BLE001 - one undecodable signature: read the others one by one
        out: list[tuple[str, Any]] = []
        for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
            try:
                out.append((name, EmbeddedPdfSignature(reader, field, name)))
            except Exception as exc:  # noqa: BLE001 - reported as a signature that does not verify
                out.append((name, exc))
        return out


def _undecodable(field: str, exc: Exception) -> SignatureReport:
    """A signature whose data cannot be decoded: it does not verify (the file itself could be read)."""
    log.warning("signature %s unreadable: %s", field, type(exc).__name__)
    return SignatureReport(field, "", "", "", "", None, None, None, False, False, False, False, False, "NONE",
                           True, "?", problem="unreadable")


def _trust(extra: tuple[bytes, ...]):
    from asn1crypto import x509

    pool = [x509.Certificate.load(c) for c in trust_pool(extra)]
    roots = [c for c in pool if c.self_signed != "no"]
    return roots, [c for c in pool if c.self_signed == "no"]


@cache
def acrobat_diff_policy():
    """pyHanko's default change review, except that signing a certified (DocMDP 2 or 3) document in a new
    visible signature field is allowed, as the PDF standard and Adobe Reader allow it: a certified form
    that a second party e-seals stays valid."""
    from pyhanko.sign.diff_analysis import (
        DEFAULT_DIFF_POLICY,
        FormUpdatingRule,
        GenericFieldModificationRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
    )

    return StandardDiffPolicy(global_rules=DEFAULT_DIFF_POLICY.global_rules, form_rule=FormUpdatingRule(field_rules=[
        SigFieldCreationRule(allow_new_visible_after_certify=True), SigFieldModificationRule(),
        GenericFieldModificationRule()]))


def _check(sig, reader, roots, others) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    kwargs = {"trust_roots": roots, "other_certs": others, "allow_fetching": False, "revocation_mode": "soft-fail"}
    try:
        vc = DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except Exception:  # noqa: BLE001 - no DSS, or an unreadable one: validate without embedded revocation data
        from pyhanko_certvalidator import ValidationContext

        vc = ValidationContext(**kwargs)
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    try:
        info = certs.parse(sig.signer_cert.dump())
    except Exception as exc:  # noqa: BLE001 - the signed data is garbled: a signature that does not verify
        return _undecodable(str(sig.field_name), exc)
    shown = {"cert_not_before": info.not_before, "cert_not_after": info.not_after, **_widget_place(sig, reader)}
    if sm2verify.is_sm2(sig):
        return sm2verify.check(sig, reader, roots, others, acrobat_diff_policy(), vc, shown)
    try:
        st = validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc,
                                    key_usage_settings=usage, diff_policy=acrobat_diff_policy())
    except Exception as exc:  # noqa: BLE001 - a broken signature is reported, not raised
        log.warning("signature %s could not be checked: %s", sig.field_name, type(exc).__name__)
        return SignatureReport(str(sig.field_name), info.unit, info.subject_cn, info.serial_hex, info.issuer_cn, None,
                               None, None, False, False, False, sig.docmdp_level is not None, False, "OTHER", False,
                               "?", problem="check_failed", **shown)
    ts = st.timestamp_validity
    whole = st.coverage.name == "ENTIRE_FILE"
    level_name = changes_after(whole, st.modification_level.name if st.modification_level is not None else "NONE")
    has_dss = "/DSS" in reader.root
    level = "B-LT" if ts is not None and has_dss else "B-T" if ts is not None else "B-B"
    return SignatureReport(
        field=str(sig.field_name), unit=info.unit, holder=info.subject_cn, cert_serial=info.serial_hex,
        issuer=info.issuer_cn, signing_time=st.signer_reported_dt, timestamp=ts.timestamp if ts else None,
        timestamp_trusted=ts.trusted if ts else None, intact=st.intact, valid=st.valid, trusted=st.trusted,
        certified=sig.docmdp_level is not None, covers_whole_file=whole,
        changes_after=level_name, changes_allowed=bool(st.docmdp_ok) and level_name in _ACCEPTED_CHANGES,
        level=level, problem="" if st.trusted else _trust_problem(st.trust_problem_indic), **shown)


def _trust_problem(indication: Any) -> str:
    """The REASONS code for pyHanko's AdES sub-indication of a certificate that is not trusted."""
    name = getattr(indication, "name", "")
    if name.startswith("REVOKED"):
        return "revoked"
    if name in ("EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"):
        return "chain_expired"
    return "chain_not_yet_valid" if name == "NOT_YET_VALID" else "chain_untrusted"


def changes_after(whole: bool, level_name: str) -> str:
    """What changed after the signature; bytes after the signed range that form no revision count too."""
    return "APPENDED" if not whole and level_name == "NONE" else level_name


def _widget_place(sig, reader) -> dict[str, Any]:
    """``page`` and ``box`` of the signature's widget when it has a visible one."""
    try:
        field = sig.sig_field
        annot = field["/Kids"][0].get_object() if "/Kids" in field else field  # the widget: merged or a kid
        x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
        page_ref = annot.raw_get("/P")
        pages = int(reader.root["/Pages"]["/Count"])
        page = next(ix for ix in range(pages) if reader.find_page_for_modification(ix)[0].idnum == page_ref.idnum)
    except (KeyError, ValueError, TypeError, AttributeError, StopIteration):
        return {}
    if abs(x2 - x1) < 1 or abs(y2 - y1) < 1:
        return {}
    return {"page": page + 1, "box": (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))}


def require_signatures(report: VerifyReport) -> None:
    if not report.signatures:
        raise HelperError("VERIFY_NO_SIGNATURES", path=str(report.path))
