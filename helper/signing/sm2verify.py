"""Verify an SM2 PDF signature: pyHanko reads the file, checks coverage and later changes and validates the
timestamp (its TSA signs with RSA or EC); the SM3 digests, the SM3withSM2 signature and the SM2 chain are
checked here, because pyHanko's crypto (pyca/cryptography) cannot.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, x509

from helper import certs
from helper.crypto import chain, sm2

_GM_CONTENT_TYPES = {"1.2.156.10197.6.1.4.2.1": "data", "1.2.156.10197.6.1.4.2.2": "signed_data"}


def prepare() -> None:
    """Before reading signatures: the SM3 and SM2 names, and GM/T 0010's content types."""
    sm2.register_asn1_names()
    register_gm_content_types()


def register_gm_content_types() -> None:
    """Read GM/T 0010's content types (data, signedData) as RFC 5652's when parsing, so a signature made
    by a tool that writes them verifies too; what the helper writes keeps the RFC 5652 OIDs."""
    cms.ContentType.unmap("data")  # builds the reverse map first, so writing keeps the RFC OIDs
    for oid, name in _GM_CONTENT_TYPES.items():
        cms.ContentType._map.setdefault(oid, name)


def is_sm2(sig) -> bool:
    """An embedded signature whose signer certificate holds an SM2 key."""
    try:
        return sm2.is_sm2_certificate(sig.signer_cert)
    except Exception:  # noqa: BLE001 - no readable signer certificate: not ours to judge
        return False


def check(sig, reader, roots: list[x509.Certificate], others: list[x509.Certificate], diff_policy, vc,
          shown: dict[str, Any]):
    """The SignatureReport of one SM2 signature (``vc``: the validation context for its timestamp; ``shown``:
    the certificate dates and seal place the report carries)."""
    from pyhanko.sign.general import find_unique_cms_attribute
    from pyhanko.sign.validation.generic_cms import collect_timing_info

    from helper.signing.verify import _ACCEPTED_CHANGES, SignatureReport, changes_after

    cert = sig.signer_cert
    info = certs.parse(cert.dump())
    si = sig.signer_info
    problem = ""
    sig.compute_integrity_info(diff_policy=diff_policy)
    integrity = sig.summarise_integrity_info()
    digest_ok = si["digest_algorithm"]["algorithm"].dotted == sm2.SM3_OID
    if not digest_ok:
        problem = "digest_algorithm"
    intact = valid = False
    if digest_ok:
        signed_attrs = si["signed_attrs"]
        try:
            claimed = find_unique_cms_attribute(signed_attrs, "message_digest").native
            content_type = find_unique_cms_attribute(signed_attrs, "content_type")
        except Exception:  # noqa: BLE001 - missing attributes: not a PAdES signature
            claimed, content_type, problem = b"", None, "signed_attributes"
        intact = claimed == sig.compute_digest()
        econtent = sig.signed_data["encap_content_info"]["content_type"]
        algorithm_ok = si["signature_algorithm"]["algorithm"].dotted in sm2.SIGNATURE_OIDS
        valid = intact and algorithm_ok and content_type is not None and content_type.dotted == econtent.dotted \
            and sm2.verify_der(sm2.point_of(cert.public_key), signed_attrs.untag().dump(), si["signature"].native)
    timing = asyncio.run(collect_timing_info(si, vc, raw_digest=sig.compute_digest))
    ts = timing.get("timestamp_validity")
    moment = ts.timestamp if ts is not None and ts.trusted else datetime.now(UTC)
    usage = cert.key_usage_value.native if cert.key_usage_value is not None else {"digital_signature"}
    if valid and not {"digital_signature", "non_repudiation"} & set(usage):
        problem = "key_usage"  # e.g. the encryption certificate of a dual pair: it never seals
    trusted = False
    if valid:
        try:
            chain.validate_path(cert, roots, [*others, *sig.other_embedded_certs], moment)
            trusted = True
        except chain.ChainError as exc:
            problem = problem or f"chain_{exc.reason}"
    diff = integrity["diff_result"]
    whole = integrity["coverage"].name == "ENTIRE_FILE"
    level_name = changes_after(whole, diff.modification_level.name if hasattr(diff, "modification_level") else "OTHER")
    has_dss = "/DSS" in reader.root
    level = "B-LT" if ts is not None and has_dss else "B-T" if ts is not None else "B-B"
    return SignatureReport(
        field=str(sig.field_name), unit=info.unit, holder=info.subject_cn, cert_serial=info.serial_hex,
        issuer=info.issuer_cn, signing_time=timing.get("signer_reported_dt") or sig.self_reported_timestamp,
        timestamp=ts.timestamp if ts else None, timestamp_trusted=ts.trusted if ts else None,
        intact=intact, valid=valid, trusted=trusted, certified=sig.docmdp_level is not None,
        covers_whole_file=whole, changes_after=level_name,
        changes_allowed=bool(integrity["docmdp_ok"]) and level_name in _ACCEPTED_CHANGES, level=level,
        problem=problem, **shown)
