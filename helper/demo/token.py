"""Fill a fresh key with what a Chinese CA puts on a company key: signing keys and their certificates."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from helper.demo.pki import DemoPKI, Usage, unit_name
from helper.demo.sm2pki import Sm2DemoCA
from tokenio.session import KeySpec, TokenSession
from tokenio.worker import TokenService

DEMO_USER_PIN = "123456"
DEMO_SO_PIN = "12345678"


@dataclass(frozen=True)
class IssuedKey:
    cka_id: bytes
    spec: KeySpec
    usage: Usage
    cert_der: bytes


def provision(
    service: TokenService,
    serial: str,
    pki: DemoPKI | Sm2DemoCA,
    *,
    pin: str = DEMO_USER_PIN,
    subject: x509.Name | None = None,
    keys: tuple[tuple[KeySpec, Usage], ...] = (("rsa2048", "sign"), ("ec-p256", "sign"), ("rsa2048", "enc")),
    days: int = 365,
) -> list[IssuedKey]:
    """Generate each key on the token, issue its certificate from ``pki`` and store it beside the key."""
    subject = subject or unit_name()
    issued = []
    service.rescan()  # the token was just made: as if plugged in, the watcher's rescan sees it
    with service.session(serial, bytearray(pin.encode()), rw=True) as s:
        for n, (spec, usage) in enumerate(keys, 1):
            cka_id = bytes([n])
            kind = "签名" if usage == "sign" else "加密"
            label = f"{kind}证书{n}"
            key = s.run(TokenSession.generate_keypair, spec, cka_id, label)
            der = pki.issue(key.public_key_info, subject, usage=usage, days=days)
            s.run(TokenSession.import_certificate, der, cka_id, label)
            issued.append(IssuedKey(cka_id, spec, usage, der))
    return issued
