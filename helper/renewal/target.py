"""Which inserted key a certificate file belongs to, before asking for a PIN (same key pair renewed)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from helper import certs
from helper.keys import CertEntry


def key_for_certificates(entries: Sequence[CertEntry], data: bytes) -> str | None:
    """Serial of the key holding a certificate with the same public key as one in ``data``, if any.

    Only a hint for choosing the key: the install itself matches the private key and checks everything.
    """
    from asn1crypto import x509

    spkis = set()
    for der in certs.load_certificates(data):
        with contextlib.suppress(Exception):  # an unreadable file is explained by the import itself
            spkis.add(x509.Certificate.load(der).public_key.dump())
    return next((e.token.serial for e in entries
                 if e.info and x509.Certificate.load(e.info.der).public_key.dump() in spkis), None)
