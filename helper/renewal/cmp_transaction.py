"""One CMP transaction: shared transactionID, chained nonces, protected requests, checked responses."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime

from asn1crypto import x509

from helper.messages import HelperError
from helper.renewal import cmp_http
from helper.renewal.cmp_asn1 import PVNO_CMP2000, PBMParameter, PKIBody, PKIHeader, PKIMessage
from helper.renewal.cmp_protection import (
    mac_matches,
    new_pbm_algorithm,
    pbm_mac,
    protected_part,
    signature_algorithm,
    signature_valid,
)
from helper.renewal.cmp_status import rejection_error
from helper.renewal.cmp_trust import find_sender_cert, signer_problem
from helper.renewal.cmp_types import MacProtection, Protection

log = logging.getLogger(__name__)

NONCE_SIZE = 16


class Transaction:
    """Sends the messages of one transaction and returns verified responses."""

    def __init__(
        self,
        url: str,
        protection: Protection,
        *,
        sender: x509.Name,
        recipient: x509.Name,
        timeout: float,
        trusted: Sequence[x509.Certificate],
    ) -> None:
        self.url = url
        self.protection = protection
        self.sender = sender
        self.recipient = recipient
        self.timeout = timeout
        self.trusted = tuple(trusted)
        self.transaction_id = os.urandom(NONCE_SIZE)
        self._trusted_signers: set[bytes] = set()  # signer certificates already validated in this transaction
        self._recip_nonce: bytes | None = None

    @property
    def mac_protected(self) -> bool:
        return isinstance(self.protection, MacProtection)

    def request(self, body: PKIBody) -> PKIMessage:
        """The protected request message for ``body`` (with a fresh senderNonce)."""
        nonce = os.urandom(NONCE_SIZE)
        header = self._header(nonce)
        data = protected_part(header, body)
        message = {"header": header, "body": body}
        if isinstance(self.protection, MacProtection):
            params = header["protection_alg"]["parameters"]
            message["protection"] = pbm_mac(self.protection.secret, params, data)
        else:
            signer = self.protection.signer
            message["protection"] = signer.sign(data)
            message["extra_certs"] = [signer.certificate, *self.protection.extra_certs]
        return PKIMessage(message)

    def exchange(self, body: PKIBody) -> PKIMessage:
        """Send ``body``; return the response once its header and protection check out."""
        request = self.request(body)
        log.debug("CMP %s to %s", body.name, self.url)
        response = parse(self.url, cmp_http.post(self.url, request.dump(), self.timeout))
        log.debug("CMP %s from %s", response["body"].name, self.url)
        self._check_header(response["header"], request["header"]["sender_nonce"].native)
        self._check_protection(response)
        self._recip_nonce = response["header"]["sender_nonce"].native
        return response

    def expect(self, response: PKIMessage, *names: str) -> PKIBody:
        """The response body if it is one of ``names``; the server's error raised as a HelperError."""
        body = response["body"]
        if body.name == "error":
            raise rejection_error(body.chosen["pki_status_info"], mac_protected=self.mac_protected)
        if body.name not in names:
            raise HelperError("CMP_MALFORMED_RESPONSE", url=self.url, detail=f"unexpected {body.name}")
        return body

    def _header(self, nonce: bytes) -> PKIHeader:
        if isinstance(self.protection, MacProtection):
            alg, kid = new_pbm_algorithm(), self.protection.reference
        else:
            signer = self.protection.signer
            alg = signature_algorithm(signer.signature_algorithm)
            kid = signer.certificate.key_identifier
        fields = {
            "pvno": PVNO_CMP2000,
            "sender": x509.GeneralName(name="directory_name", value=self.sender),
            "recipient": x509.GeneralName(name="directory_name", value=self.recipient),
            "message_time": datetime.now(UTC).replace(microsecond=0),
            "protection_alg": alg,
            "transaction_id": self.transaction_id,
            "sender_nonce": nonce,
        }
        if kid is not None:
            fields["sender_kid"] = kid
        if self._recip_nonce is not None:
            fields["recip_nonce"] = self._recip_nonce
        return PKIHeader(fields)

    def _check_header(self, header: PKIHeader, nonce: bytes) -> None:
        problem = None
        if header["pvno"].native not in (2, 3):
            problem = f"pvno {header['pvno'].native}"
        elif header["transaction_id"].native != self.transaction_id:
            problem = "transactionID differs"
        elif header["recip_nonce"].native != nonce:
            problem = "recipNonce differs"
        elif header["sender_nonce"].native is None:
            problem = "senderNonce missing"
        if problem:
            raise HelperError("CMP_PROTECTION_INVALID", url=self.url, detail=problem)

    def _check_protection(self, response: PKIMessage) -> None:
        header, body = response["header"], response["body"]
        alg, protection = header["protection_alg"], response["protection"].native
        if alg.native is None or protection is None:
            if negative(body):
                log.warning("unprotected negative CMP response from %s", self.url)
                return
            raise HelperError("CMP_PROTECTION_INVALID", url=self.url, detail="unprotected response")
        data = protected_part(header, body)
        if alg["algorithm"].native == "password_based_mac":
            self._check_mac(alg["parameters"], data, protection)
        else:
            self._check_signature(response, data, protection)

    def _check_mac(self, params: PBMParameter, data: bytes, mac: bytes) -> None:
        if not isinstance(self.protection, MacProtection):
            raise HelperError("CMP_PROTECTION_INVALID", url=self.url, detail="MAC without a shared secret")
        try:
            matches = mac_matches(self.protection.secret, params, data, mac)
        except ValueError as e:
            raise HelperError("CMP_PROTECTION_INVALID", url=self.url, detail=str(e)) from e
        if not matches:
            raise HelperError("CMP_BAD_MAC", detail="response MAC differs", failures="-")

    def _check_signature(self, response: PKIMessage, data: bytes, signature: bytes) -> None:
        extra = tuple(response["extra_certs"]) if response["extra_certs"].native else ()
        cert = find_sender_cert(response["header"], (*extra, *self.trusted))
        if cert is None:
            problem = "signer certificate not found"
        elif not signature_valid(cert.public_key, response["header"]["protection_alg"], data, signature):
            problem = "signature invalid"
        elif cert.dump() in self._trusted_signers:
            return
        else:
            problem = signer_problem(cert, extra, self.trusted)
            if problem is None:
                self._trusted_signers.add(cert.dump())
                return
        raise HelperError("CMP_PROTECTION_INVALID", url=self.url, detail=problem)


def parse(url: str, der: bytes) -> PKIMessage:
    """Parse a response fully (lazy parsing would defer errors); CMP_MALFORMED_RESPONSE if it is not one."""
    try:
        message = PKIMessage.load(der, strict=True)
        message.native  # noqa: B018 - forces the whole structure to parse now
    except (ValueError, TypeError, KeyError) as e:
        raise HelperError("CMP_MALFORMED_RESPONSE", url=url, detail=f"not a PKIMessage: {e}") from e
    return message


def negative(body: PKIBody) -> bool:
    """An error message or a certificate response that rejects."""
    if body.name == "error":
        return True
    if body.name in ("ip", "cp", "kup"):
        return all(r["status"]["status"].native == "rejection" for r in body.chosen["response"])
    return False
