"""CMP client (RFC 4210 / RFC 9480) over HTTP: certify a new key, renew (kur), or send a PKCS#10 request.

The client knows nothing of USB keys: the caller supplies ``RawSigner`` objects that sign, and
either a one-time reference/secret from the CA (MAC) or a key with a certificate (signature).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from asn1crypto import csr, keys, x509

from helper.messages import HelperError
from helper.renewal.cmp_asn1 import CertReqMessages, CertRequest, CertResponse, PKIBody, PKIMessage
from helper.renewal.cmp_protection import signature_algorithm
from helper.renewal.cmp_status import free_text, rejection_error
from helper.renewal.cmp_transaction import Transaction
from helper.renewal.cmp_types import MacProtection, Protection, RawSigner, SignatureProtection

__all__ = ["CmpClient", "CmpResult", "MacProtection", "RawSigner", "SignatureProtection"]

CERT_REQ_ID = 0
_REPLY = {"ir": "ip", "cr": "cp", "kur": "kup", "p10cr": "cp"}
# certConf status for a certificate we refuse (RFC 4210 5.3.18): rejection, badCertTemplate.
_REFUSED = {"status": "rejection", "fail_info": {"badCertTemplate"}}


@dataclass(frozen=True)
class CmpResult:
    """The issued certificate and the CA certificates the server sent along."""

    certificate: x509.Certificate
    ca_certs: tuple[x509.Certificate, ...]
    status: Literal["accepted", "granted_with_mods"]
    status_text: str = ""
    # caPubs of a response protected with the CA's shared secret: trust anchors (RFC 4210, 5.3.2)
    trust_anchors: tuple[x509.Certificate, ...] = ()


class CmpClient:
    """Talks to one CMP endpoint; each call is one complete transaction ending in certConf/pkiConf."""

    def __init__(
        self,
        url: str,
        *,
        protection: Protection,
        timeout: float = 20.0,
        poll_limit_s: float = 300,
        recipient: x509.Name | None = None,
        trusted: Sequence[x509.Certificate] = (),
    ) -> None:
        self.url = url
        self.protection = protection
        self.timeout = timeout
        self.poll_limit_s = poll_limit_s
        self.recipient = recipient
        self.trusted = tuple(trusted)

    def key_update(self, old_cert: x509.Certificate, key_signer: RawSigner) -> CmpResult:
        """Renew ``old_cert`` (kur) for the key of ``key_signer``, which signs the proof of possession."""
        old_cert_id = {
            "issuer": x509.GeneralName(name="directory_name", value=old_cert.issuer),
            "serial_number": old_cert.serial_number,
        }
        request = _signed_request(
            {"subject": old_cert.subject, "public_key": key_signer.public_key_info},
            key_signer,
            controls=[{"type": "old_cert_id", "value": old_cert_id}],
        )
        return self._enroll(
            "kur",
            request,
            default_sender=old_cert.subject,
            recipient=self.recipient or old_cert.issuer,
            public_key=key_signer.public_key_info,
        )

    def certify(
        self, key_signer: RawSigner, subject: x509.Name, *, kind: Literal["cr", "ir"] = "cr"
    ) -> CmpResult:
        """Certify a new key pair (cr, or ir for a first enrolment) with a POP by that key."""
        if kind not in ("cr", "ir"):
            raise ValueError(f"kind must be 'cr' or 'ir', not {kind!r}")
        request = _signed_request({"subject": subject, "public_key": key_signer.public_key_info}, key_signer)
        return self._enroll(
            kind,
            request,
            default_sender=subject,
            recipient=self.recipient or x509.Name.build({}),
            public_key=key_signer.public_key_info,
        )

    def certify_p10(self, csr_der: bytes) -> CmpResult:
        """Send a PKCS#10 request (p10cr); the CSR's own signature is the proof of possession."""
        request = csr.CertificationRequest.load(csr_der, strict=True)
        info = request["certification_request_info"]
        subject, public_key = info["subject"], info["subject_pk_info"]
        return self._enroll(
            "p10cr",
            request,
            default_sender=subject,
            recipient=self.recipient or x509.Name.build({}),
            public_key=public_key,
        )

    def _enroll(
        self,
        kind: str,
        content: CertReqMessages | csr.CertificationRequest,
        *,
        default_sender: x509.Name,
        recipient: x509.Name,
        public_key: keys.PublicKeyInfo,
    ) -> CmpResult:
        sender = default_sender
        if isinstance(self.protection, SignatureProtection):
            sender = self.protection.signer.certificate.subject
        tx = Transaction(
            self.url,
            self.protection,
            sender=sender,
            recipient=recipient,
            timeout=self.timeout,
            trusted=self.trusted,
        )
        response = tx.exchange(PKIBody(name=kind, value=content))
        response, cert_response = self._final_response(tx, response, _REPLY[kind], any_id=kind == "p10cr")
        status = cert_response["status"]
        if status["status"].native not in ("accepted", "granted_with_mods"):
            raise rejection_error(status, mac_protected=tx.mac_protected)
        pair = cert_response["certified_key_pair"]
        if pair.native is None or pair["cert_or_enc_cert"].name != "certificate":
            raise HelperError(
                "CMP_MALFORMED_RESPONSE", url=self.url, detail="no plain certificate in response"
            )
        certificate = pair["cert_or_enc_cert"].chosen.untag()
        req_id = cert_response["cert_req_id"].native
        if certificate.public_key.dump() != public_key.dump():
            self._confirm(tx, certificate, req_id, _REFUSED)
            raise HelperError("CMP_UNEXPECTED_CERT", detail="public key differs from the request")
        self._confirm(tx, certificate, req_id, None)
        return CmpResult(
            certificate=certificate,
            ca_certs=_ca_certs(response, certificate),
            status=status["status"].native,
            status_text=free_text(status),
            trust_anchors=_mac_ca_pubs(response),
        )

    def _final_response(
        self, tx: Transaction, response: PKIMessage, reply: str, *, any_id: bool
    ) -> tuple[PKIMessage, CertResponse]:
        """Poll while the CA says 'waiting'; return the final response and its CertResponse."""
        deadline = time.monotonic() + self.poll_limit_s
        while True:
            body = tx.expect(response, reply)
            cert_response = _pick(body.chosen["response"], None if any_id else CERT_REQ_ID, self.url)
            if cert_response["status"]["status"].native != "waiting":
                return response, cert_response
            response = self._poll(tx, cert_response["cert_req_id"].native, reply, deadline)

    def _poll(self, tx: Transaction, req_id: int, reply: str, deadline: float) -> PKIMessage:
        """pollReq until the server stops answering pollRep (honouring checkAfter) or time runs out."""
        while True:
            response = tx.exchange(PKIBody(name="poll_req", value=[{"cert_req_id": req_id}]))
            body = tx.expect(response, "poll_rep", reply)
            if body.name == reply:
                return response
            check_after = max(0, _pick(body.chosen, req_id, self.url)["check_after"].native)
            if time.monotonic() + check_after > deadline:
                raise HelperError("CMP_WAITING_TOO_LONG", minutes=f"{self.poll_limit_s / 60:.0f}")
            time.sleep(check_after)

    def _confirm(
        self, tx: Transaction, certificate: x509.Certificate, req_id: int, status: dict | None
    ) -> None:
        """certConf with the certificate's hash; the server must answer pkiConf."""
        cert_status = {
            "cert_hash": hashlib.new(certificate.hash_algo, certificate.dump()).digest(),
            "cert_req_id": req_id,
        }
        if status is not None:
            cert_status["status_info"] = status
        tx.expect(tx.exchange(PKIBody(name="cert_conf", value=[cert_status])), "pkiconf")


def _signed_request(template: dict, signer: RawSigner, controls: list | None = None) -> CertReqMessages:
    """One CertReqMsg whose POP is the signer's signature over the CertRequest."""
    fields = {"cert_req_id": CERT_REQ_ID, "cert_template": template}
    if controls:
        fields["controls"] = controls
    cert_request = CertRequest(fields)
    popo = {
        "algorithm_identifier": signature_algorithm(signer.signature_algorithm),
        "signature": signer.sign(cert_request.dump()),
    }
    return CertReqMessages([{"cert_req": cert_request, "popo": {"signature": popo}}])


def _pick(items: Sequence, req_id: int | None, url: str):
    """The item for ``req_id`` (or the only one when ``req_id`` is None)."""
    for item in items:
        if req_id is None or item["cert_req_id"].native == req_id:
            return item
    raise HelperError("CMP_MALFORMED_RESPONSE", url=url, detail=f"no answer for certReqId {req_id}")


def _mac_ca_pubs(response: PKIMessage) -> tuple[x509.Certificate, ...]:
    """caPubs of a response whose (already verified) protection is the shared-secret MAC: the secret came
    from the CA out of band, so the CA certificates it vouches for may anchor the new certificate's chain."""
    if response["header"]["protection_alg"]["algorithm"].native != "password_based_mac":
        return ()
    body = response["body"].chosen
    return tuple(body["ca_pubs"]) if body["ca_pubs"].native else ()


def _ca_certs(response: PKIMessage, issued: x509.Certificate) -> tuple[x509.Certificate, ...]:
    """caPubs, then extraCerts, without duplicates: the pool the issued certificate's path is built from (the
    path validation decides which of them may issue)."""
    body = response["body"].chosen
    candidates = [*(body["ca_pubs"] if body["ca_pubs"].native else ())]
    candidates += list(response["extra_certs"] if response["extra_certs"].native else ())
    seen = {issued.dump()}
    result = []
    for cert in candidates:
        if cert.dump() not in seen:
            seen.add(cert.dump())
            result.append(cert)
    return tuple(result)
