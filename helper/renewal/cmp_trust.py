"""Which certificate signed a CMP response, and whether it chains to a trusted CA."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from asn1crypto import x509

from helper.renewal.cmp_asn1 import PKIHeader

log = logging.getLogger(__name__)


def find_sender_cert(header: PKIHeader, candidates: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The candidate named by the header's senderKID (key identifier) or else its sender name."""
    kid = header["sender_kid"].native
    sender = header["sender"]
    for cert in candidates:
        if kid is not None:
            if cert.key_identifier == kid:
                return cert
        elif sender.name == "directory_name" and cert.subject == sender.chosen:
            return cert
    return None


def signer_problem(cert: x509.Certificate, untrusted: Sequence[x509.Certificate],
                   trusted: Sequence[x509.Certificate]) -> str | None:
    """Why the certificate that signed a CMP answer is not to be trusted (None when it is): its path to one of
    ``trusted`` is validated like every other certificate (``helper.renewal.trust.validate``)."""
    from helper.messages import HelperError
    from helper.renewal import trust

    anchors = [t.dump() for t in trusted]
    if cert.dump() in anchors:
        anchors_now = trust.usable_anchors([cert.dump()])
        return None if anchors_now else "signer certificate not valid"
    try:
        trust.validate(cert.dump(), [c.dump() for c in untrusted], anchors, "cmp-protection")
    except HelperError as exc:
        log.info("CMP signer not trusted: %s %s", exc.code, exc.params.get("detail", ""))
        return "signer key usage" if exc.code == "RENEW_CERT_PURPOSE" else "signer not trusted"
    return None
