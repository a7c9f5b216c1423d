"""Turn a CMP PKIStatusInfo into the user-facing error it stands for."""

from __future__ import annotations

from helper.messages import HelperError
from helper.renewal.cmp_asn1 import PKIStatusInfo

# First match wins, so the most telling reasons come first.
_FAILURE_CODES: tuple[tuple[str, str], ...] = (
    ("certRevoked", "CMP_CERT_REVOKED"),
    ("badCertId", "CMP_WRONG_CERT_ID"),
    ("badPOP", "CMP_BAD_POP"),
    ("signerNotTrusted", "CMP_NOT_AUTHORIZED"),
    ("notAuthorized", "CMP_NOT_AUTHORIZED"),
    ("wrongAuthority", "CMP_NOT_AUTHORIZED"),
    ("duplicateCertReq", "CMP_DUPLICATE_REQUEST"),
    ("certConfirmed", "CMP_DUPLICATE_REQUEST"),
    ("transactionIdInUse", "CMP_DUPLICATE_REQUEST"),
    ("badTime", "CMP_CLOCK_WRONG"),
    ("missingTimeStamp", "CMP_CLOCK_WRONG"),
    ("timeNotAvailable", "CMP_CLOCK_WRONG"),
    ("badRequest", "CMP_REQUEST_NOT_ACCEPTED"),
    ("badCertTemplate", "CMP_REQUEST_NOT_ACCEPTED"),
    ("badDataFormat", "CMP_REQUEST_NOT_ACCEPTED"),
    ("incorrectData", "CMP_REQUEST_NOT_ACCEPTED"),
    ("unacceptedPolicy", "CMP_REQUEST_NOT_ACCEPTED"),
    ("unacceptedExtension", "CMP_REQUEST_NOT_ACCEPTED"),
    ("addInfoNotAvailable", "CMP_REQUEST_NOT_ACCEPTED"),
    ("badAlg", "CMP_REQUEST_NOT_ACCEPTED"),
    ("badRecipientNonce", "CMP_PROTOCOL_MISMATCH"),
    ("badSenderNonce", "CMP_PROTOCOL_MISMATCH"),
    ("unsupportedVersion", "CMP_PROTOCOL_MISMATCH"),
    ("wrongIntegrity", "CMP_PROTOCOL_MISMATCH"),
    ("systemUnavail", "CMP_CA_UNAVAILABLE"),
    ("systemFailure", "CMP_CA_UNAVAILABLE"),
)


def free_text(info: PKIStatusInfo) -> str:
    """The server's status strings, joined."""
    return "; ".join(info["status_string"].native or ())


def failure_names(info: PKIStatusInfo) -> frozenset[str]:
    """The PKIFailureInfo bits set, by their RFC 4210 names."""
    return frozenset(info["fail_info"].native or ())


def rejection_error(info: PKIStatusInfo, *, mac_protected: bool) -> HelperError:
    """The catalogue error for a rejection; a bad message check means a wrong secret under MAC."""
    failures = failure_names(info)
    params = {"detail": free_text(info) or "-", "failures": ", ".join(sorted(failures)) or "-"}
    if "badMessageCheck" in failures:
        return HelperError("CMP_BAD_MAC" if mac_protected else "CMP_SIGNATURE_NOT_ACCEPTED", **params)
    code = next((code for bit, code in _FAILURE_CODES if bit in failures), "CMP_REJECTED")
    return HelperError(code, **params)
