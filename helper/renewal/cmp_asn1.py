"""ASN.1 structures of CMP (RFC 4210 / RFC 9480) and CRMF (RFC 4211) on asn1crypto.

Only the messages the client sends or receives are described. The CMP module uses
explicit tags, the CRMF module implicit ones (a tagged CHOICE such as ``Name`` is
always explicit).
"""

from __future__ import annotations

from asn1crypto import algos, core, csr, keys, x509

PVNO_CMP2000 = 2


class PasswordBasedMacId(core.ObjectIdentifier):
    """The MAC algorithms a PBMParameter names (HMAC-SHA1 has two common OIDs)."""

    _map = {
        "1.3.6.1.5.5.8.1.2": "sha1",
        "1.2.840.113549.2.7": "sha1",
        "1.2.840.113549.2.8": "sha224",
        "1.2.840.113549.2.9": "sha256",
        "1.2.840.113549.2.10": "sha384",
        "1.2.840.113549.2.11": "sha512",
    }
    _reverse_map = {"sha1": "1.3.6.1.5.5.8.1.2", "sha256": "1.2.840.113549.2.9"}


class MacAlgorithm(core.Sequence):
    _fields = [("algorithm", PasswordBasedMacId), ("parameters", core.Any, {"optional": True})]


class PBMParameter(core.Sequence):
    """RFC 4210 5.1.3.1 password-based MAC parameters."""

    _fields = [
        ("salt", core.OctetString),
        ("owf", algos.DigestAlgorithm),
        ("iteration_count", core.Integer),
        ("mac", MacAlgorithm),
    ]


class ProtectionAlgorithmId(algos.SignedDigestAlgorithmId):
    _map = {**algos.SignedDigestAlgorithmId._map, "1.2.840.113533.7.66.13": "password_based_mac"}
    _reverse_map = None


class ProtectionAlgorithm(algos.SignedDigestAlgorithm):
    """A signature algorithm or the password-based MAC."""

    _fields = [("algorithm", ProtectionAlgorithmId), ("parameters", core.Any, {"optional": True})]
    _oid_specs = {**algos.SignedDigestAlgorithm._oid_specs, "password_based_mac": PBMParameter}


class PKIFreeText(core.SequenceOf):
    _child_spec = core.UTF8String


class PKIStatus(core.Integer):
    _map = {
        0: "accepted",
        1: "granted_with_mods",
        2: "rejection",
        3: "waiting",
        4: "revocation_warning",
        5: "revocation_notification",
        6: "key_update_warning",
    }


FAILURE_BITS = (
    "badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId", "badDataFormat",
    "wrongAuthority", "incorrectData", "missingTimeStamp", "badPOP", "certRevoked",
    "certConfirmed", "wrongIntegrity", "badRecipientNonce", "timeNotAvailable",
    "unacceptedPolicy", "unacceptedExtension", "addInfoNotAvailable", "badSenderNonce",
    "badCertTemplate", "signerNotTrusted", "transactionIdInUse", "unsupportedVersion",
    "notAuthorized", "systemUnavail", "systemFailure", "duplicateCertReq",
)  # fmt: skip


class PKIFailureInfo(core.BitString):
    _map = dict(enumerate(FAILURE_BITS))


class PKIStatusInfo(core.Sequence):
    _fields = [
        ("status", PKIStatus),
        ("status_string", PKIFreeText, {"optional": True}),
        ("fail_info", PKIFailureInfo, {"optional": True}),
    ]


class CMPCertificates(core.SequenceOf):
    _child_spec = x509.Certificate


class InfoTypeAndValue(core.Sequence):
    _fields = [("info_type", core.ObjectIdentifier), ("info_value", core.Any, {"optional": True})]


class GeneralInfo(core.SequenceOf):
    _child_spec = InfoTypeAndValue


class PKIHeader(core.Sequence):
    _fields = [
        ("pvno", core.Integer),
        ("sender", x509.GeneralName),
        ("recipient", x509.GeneralName),
        ("message_time", core.GeneralizedTime, {"explicit": 0, "optional": True}),
        ("protection_alg", ProtectionAlgorithm, {"explicit": 1, "optional": True}),
        ("sender_kid", core.OctetString, {"explicit": 2, "optional": True}),
        ("recip_kid", core.OctetString, {"explicit": 3, "optional": True}),
        ("transaction_id", core.OctetString, {"explicit": 4, "optional": True}),
        ("sender_nonce", core.OctetString, {"explicit": 5, "optional": True}),
        ("recip_nonce", core.OctetString, {"explicit": 6, "optional": True}),
        ("free_text", PKIFreeText, {"explicit": 7, "optional": True}),
        ("general_info", GeneralInfo, {"explicit": 8, "optional": True}),
    ]


# --- CRMF (RFC 4211): the certificate request ---------------------------------------------------


class OptionalValidity(core.Sequence):
    _fields = [
        ("not_before", x509.Time, {"explicit": 0, "optional": True}),
        ("not_after", x509.Time, {"explicit": 1, "optional": True}),
    ]


class CertTemplate(core.Sequence):
    _fields = [
        ("version", x509.Version, {"implicit": 0, "optional": True}),
        ("serial_number", core.Integer, {"implicit": 1, "optional": True}),
        ("signing_alg", algos.SignedDigestAlgorithm, {"implicit": 2, "optional": True}),
        ("issuer", x509.Name, {"explicit": 3, "optional": True}),
        ("validity", OptionalValidity, {"implicit": 4, "optional": True}),
        ("subject", x509.Name, {"explicit": 5, "optional": True}),
        ("public_key", keys.PublicKeyInfo, {"implicit": 6, "optional": True}),
        ("issuer_uid", core.BitString, {"implicit": 7, "optional": True}),
        ("subject_uid", core.BitString, {"implicit": 8, "optional": True}),
        ("extensions", x509.Extensions, {"implicit": 9, "optional": True}),
    ]


class CertId(core.Sequence):
    _fields = [("issuer", x509.GeneralName), ("serial_number", core.Integer)]


class ControlType(core.ObjectIdentifier):
    _map = {"1.3.6.1.5.5.7.5.1.1": "reg_token", "1.3.6.1.5.5.7.5.1.5": "old_cert_id"}


class Control(core.Sequence):
    _fields = [("type", ControlType), ("value", core.Any)]
    _oid_pair = ("type", "value")
    _oid_specs = {"reg_token": core.UTF8String, "old_cert_id": CertId}


class Controls(core.SequenceOf):
    _child_spec = Control


class CertRequest(core.Sequence):
    _fields = [
        ("cert_req_id", core.Integer),
        ("cert_template", CertTemplate),
        ("controls", Controls, {"optional": True}),
    ]


class POPOSigningKey(core.Sequence):
    _fields = [
        ("poposk_input", core.Any, {"implicit": 0, "optional": True}),
        ("algorithm_identifier", algos.SignedDigestAlgorithm),
        ("signature", core.OctetBitString),
    ]


class ProofOfPossession(core.Choice):
    _alternatives = [
        ("ra_verified", core.Null, {"implicit": 0}),
        ("signature", POPOSigningKey, {"implicit": 1}),
    ]


class CertReqMsg(core.Sequence):
    _fields = [
        ("cert_req", CertRequest),
        ("popo", ProofOfPossession, {"optional": True}),
        ("reg_info", core.Any, {"optional": True}),
    ]


class CertReqMessages(core.SequenceOf):
    _child_spec = CertReqMsg


# --- CMP bodies ----------------------------------------------------------------------------------


class CertOrEncCert(core.Choice):
    _alternatives = [
        ("certificate", x509.Certificate, {"explicit": 0}),
        ("encrypted_cert", core.Any, {"explicit": 1}),
    ]


class CertifiedKeyPair(core.Sequence):
    _fields = [
        ("cert_or_enc_cert", CertOrEncCert),
        ("private_key", core.Any, {"explicit": 0, "optional": True}),
        ("publication_info", core.Any, {"explicit": 1, "optional": True}),
    ]


class CertResponse(core.Sequence):
    _fields = [
        ("cert_req_id", core.Integer),
        ("status", PKIStatusInfo),
        ("certified_key_pair", CertifiedKeyPair, {"optional": True}),
        ("rsp_info", core.OctetString, {"optional": True}),
    ]


class CertResponses(core.SequenceOf):
    _child_spec = CertResponse


class CertRepMessage(core.Sequence):
    _fields = [
        ("ca_pubs", CMPCertificates, {"explicit": 1, "optional": True}),
        ("response", CertResponses),
    ]


class CertStatus(core.Sequence):
    _fields = [
        ("cert_hash", core.OctetString),
        ("cert_req_id", core.Integer),
        ("status_info", PKIStatusInfo, {"optional": True}),
        ("hash_alg", algos.DigestAlgorithm, {"explicit": 0, "optional": True}),
    ]


class CertConfirmContent(core.SequenceOf):
    _child_spec = CertStatus


class PollReq(core.Sequence):
    _fields = [("cert_req_id", core.Integer)]


class PollReqContent(core.SequenceOf):
    _child_spec = PollReq


class PollRep(core.Sequence):
    _fields = [
        ("cert_req_id", core.Integer),
        ("check_after", core.Integer),
        ("reason", PKIFreeText, {"optional": True}),
    ]


class PollRepContent(core.SequenceOf):
    _child_spec = PollRep


class ErrorMsgContent(core.Sequence):
    _fields = [
        ("pki_status_info", PKIStatusInfo),
        ("error_code", core.Integer, {"optional": True}),
        ("error_details", PKIFreeText, {"optional": True}),
    ]


class PKIBody(core.Choice):
    _alternatives = [
        ("ir", CertReqMessages, {"explicit": 0}),
        ("ip", CertRepMessage, {"explicit": 1}),
        ("cr", CertReqMessages, {"explicit": 2}),
        ("cp", CertRepMessage, {"explicit": 3}),
        ("p10cr", csr.CertificationRequest, {"explicit": 4}),
        ("kur", CertReqMessages, {"explicit": 7}),
        ("kup", CertRepMessage, {"explicit": 8}),
        ("pkiconf", core.Null, {"explicit": 19}),
        ("error", ErrorMsgContent, {"explicit": 23}),
        ("cert_conf", CertConfirmContent, {"explicit": 24}),
        ("poll_req", PollReqContent, {"explicit": 25}),
        ("poll_rep", PollRepContent, {"explicit": 26}),
    ]


class ProtectedPart(core.Sequence):
    _fields = [("header", PKIHeader), ("body", PKIBody)]


class PKIMessage(core.Sequence):
    _fields = [
        ("header", PKIHeader),
        ("body", PKIBody),
        ("protection", core.OctetBitString, {"explicit": 0, "optional": True}),
        ("extra_certs", CMPCertificates, {"explicit": 1, "optional": True}),
    ]
