"""The signing service both faces (CLI, GUI) and the local web service use: one PIN for a whole batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from helper import seal_store, settings
from helper.audit import AuditLog
from helper.keys import KeyService
from helper.signing import batch, sm2signer
from helper.signing.engine import DocumentSigner
from helper.signing.identity import SigningIdentity, choose_identity
from helper.signing.options import SignOptions


@dataclass(frozen=True)
class SealChoice:
    """The seal image: PNG bytes, or the name of a seal stored on the key (read after login)."""

    png: bytes | None = None
    on_token: str = ""


@dataclass(frozen=True)
class BatchOutcome:
    report: batch.BatchReport
    default_pin: bool  # the PIN just used is a factory default: the faces should urge a change


class SigningService:
    def __init__(self, keys: KeyService, audit: AuditLog | None = None) -> None:
        self.keys = keys
        self.audit = audit or AuditLog()

    def identity(self, serial: str | None = None, cert_id: str | None = None, *, level: str = "B-B") -> SigningIdentity:
        """Choose and check the signing certificate, and that it can sign at ``level`` (before any PIN is asked
        for)."""
        identity = choose_identity(self.keys, serial, cert_id)
        sm2signer.check_level(identity.info, level)
        return identity

    def sign(self, identity: SigningIdentity, pin: bytearray, items: Sequence[batch.BatchItem],
             options: SignOptions, seal: SealChoice = SealChoice(), *, origin: str = "",
             on_result: Callable[[batch.FileResult], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> BatchOutcome:
        """Log in once (``pin`` is wiped right after), sign every item, log out.

        ``origin`` names the website that asked for the signatures (local web service), for the seal-use log.
        """
        login = self.keys.login(identity.token.id, pin)
        try:
            png = seal_store.load(login.session, seal.on_token).png if seal.on_token else seal.png
            signer = DocumentSigner(login.session, identity, options, seal_png=png,
                                    max_mb=settings.load().max_pdf_mb, origin=origin, audit=self.audit)
            report = batch.run(signer, items, on_result, cancelled)
        finally:
            login.session.close()
        return BatchOutcome(report, login.default_pin)
