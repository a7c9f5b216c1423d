"""RenewalService: every renewal for every face (CLI, window, local web service).

It owns the whole operation — login, session, journal, checks, install, history — so the faces only
collect input (certificate, PIN, CA secret, file) and show the result. Every operation either ends with the
new certificate installed (``helper.renewal.install``) or leaves the key as it was; a key pair generated
for a request that fails is deleted again (only that pair). Key pairs generated for the CA's website wait
for their certificate in the journal, at most one per certificate (``awaiting``): ``recover`` and
``cancel`` remove them, and so does the window's start-up check once they are ``WAITING_DAYS`` old.

``on_change(serial)`` is called after anything on a key changed (from the calling thread).
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from asn1crypto import x509

from helper import certs, keytypes
from helper.keys import CertEntry, KeyService
from helper.messages import HelperError
from helper.renewal import install as inst
from helper.renewal import monitor
from helper.renewal.binding import public_key
from helper.renewal.cmp import CmpClient, MacProtection, SignatureProtection
from helper.renewal.journal import Journal, JournalStore
from helper.renewal.token_signer import TokenSigner
from helper.renewal.trust import installed_anchors, key_anchors, purpose_of
from helper.renewal.validate import check_replacement
from tokenio.session import CertObject, KeyRef, TokenSession
from tokenio.worker import SessionHandle

log = logging.getLogger(__name__)
KEY_SPEC = {"rsa": "rsa2048", "ec": "ec-p256", "sm2": "sm2"}
WAITING_DAYS = 30  # a key pair whose certificate never came is removed when the window opens after this
KeyType = Literal["rsa", "ec", "sm2"]


@dataclass(frozen=True)
class CmpRequest:
    """How to ask the CA: endpoint, protection (MAC with the CA's one-time secret, else the current key)."""

    url: str
    mac: MacProtection | None = None
    new_key: bool = False
    p10: bool = False  # with new_key: send a PKCS#10 (p10cr) instead of cr
    timeout: float = 20.0


@dataclass(frozen=True)
class CertRequest:
    """A PKCS#10 request made on the key for the CA's website."""

    csr: bytes
    certificate_id: str
    new_key: bool
    key: KeyRef


class RenewalService:
    def __init__(self, keys: KeyService, store: JournalStore | None = None, *,
                 on_change: Callable[[str], None] = lambda _serial: None, waiting_days: int = WAITING_DAYS) -> None:
        self.keys = keys
        self.store = store or JournalStore.default()
        self.on_change = on_change
        self.waiting = timedelta(days=waiting_days)

    # --- reading (no PIN) -------------------------------------------------------------------------
    def overview(self, entries: Sequence[CertEntry] | None = None,
                 now: datetime | None = None) -> list[monitor.ExpiryItem]:
        """Every certificate with a private key on the inserted keys (or among ``entries`` already read), soonest
        expiry first, superseded as the history and the certificates say."""
        found = self.keys.certificates() if entries is None else entries
        return monitor.items(found, now, history=self.store.history())

    def pending(self, serial: str | None = None) -> list[Journal]:
        return self.store.pending(serial)

    def history(self) -> list[dict[str, Any]]:
        return self.store.history()

    def needs_recovery(self, serial: str | None = None, now: datetime | None = None) -> list[Journal]:
        """What the window's start-up check deals with: interrupted renewals and key pairs that waited too long."""
        return [j for j in self.store.pending(serial) if j.step != "awaiting" or j.age(now) >= self.waiting]

    def precheck(self, entry: CertEntry, certificate: bytes, chain: Sequence[bytes]) -> None:
        """Every check of the install that needs no PIN (trust, binding to ``entry``): run before any dialog."""
        objects = self.keys.tokens_service.certificates(entry.token.id)
        journal = self._awaiting(entry.token.serial, entry.info.der, public_key(certificate))
        check_replacement(certificate, [*chain, *(o.der for o in objects if o.der)], entry.info.der,
                          generated_spki=journal.generated_public_key if journal else None,
                          anchors=key_anchors(objects))

    # --- operations that ask for the PIN ---------------------------------------------------------------
    def renew_cmp(self, entry: CertEntry, pin: bytearray, request: CmpRequest) -> inst.InstallResult:
        """Renew ``entry`` over CMP (一键延期 / ``renew cmp``)."""
        with self._session(entry.token.id, pin) as handle:
            return self.cmp_in_session(handle, entry.info.der, request)

    def import_file(self, token: str, pin: bytearray, data: bytes, source: str = "",
                    cert_id: str | None = None) -> inst.InstallResult:
        """Install the certificate in a .cer/.pem/.p7b file as the renewal of a certificate on the key ``token``
        (its id, serial or label; ``cert_id``, else the certificate whose key pair it certifies); the file's other
        certificates are its chain."""
        found = certs.load_certificates(data)
        if not found:
            raise HelperError("RENEW_NO_CERTIFICATE", path=source)
        parsed = [certs.parse(der) for der in found]
        target_der = self.keys.find_certificate(cert_id, token).info.der if cert_id else None
        with self._session(token, pin) as handle:
            inst.ensure_no_interrupted(handle, self.store)
            leaf, target, journal = self._import_target(handle, parsed, target_der)
            return self._installed(handle, inst.install(handle, self.store, leaf, [d for d in found if d != leaf],
                                                        target=target, kind="import", journal=journal))

    def recover(self, serial: str, pin: bytearray, *, all_waiting: bool = True) -> list[inst.InstallResult | Journal]:
        """Finish interrupted installations on ``serial``, undo cut-off key generation, and remove key pairs
        waiting for a certificate (all of them, or only those older than WAITING_DAYS)."""
        now = datetime.now(UTC)
        with self._session(serial, pin) as handle:
            done = inst.recover(handle, self.store, lambda j: all_waiting or j.age(now) >= self.waiting)
        self.on_change(serial)
        return done

    def cancel(self, serial: str, pin: bytearray, cert_id: str | None = None) -> list[Journal]:
        """Give up renewals waiting for the CA (of ``cert_id``, or all on the key): their key pairs are removed."""
        target = self.keys.find_certificate(cert_id, serial).info.der if cert_id else None
        waiting = [j for j in self.store.pending(serial) if j.step == "awaiting" and target in (None, j.target)]
        if not waiting:
            return []
        with self._session(serial, pin) as handle:
            for journal in waiting:
                inst.discard_generated_key(handle, journal, "cancelled")
        self.on_change(serial)
        return waiting

    # --- in a session opened by the caller (the local service's consent flow, tests) ------------------------
    def cmp_in_session(self, handle: SessionHandle, cert_der: bytes, request: CmpRequest) -> inst.InstallResult:
        """Renew the certificate ``cert_der`` on the key in ``handle`` (a logged-in read-write session)."""
        keytypes.require(certs.parse(cert_der), "renew_cmp")
        inst.ensure_no_interrupted(handle, self.store)
        objects = handle.run(TokenSession.certificates)
        obj = inst.find_target(objects, cert_der)
        key = self._key(handle, obj)
        old_cert = x509.Certificate.load(cert_der)
        old_signer = TokenSigner(handle, key, old_cert)
        on_key = key_anchors(objects)
        client = CmpClient(request.url, protection=request.mac or SignatureProtection(old_signer),
                           timeout=request.timeout, trusted=[x509.Certificate.load(d)
                                                             for d in [*installed_anchors(), *on_key]])
        if not request.new_key:
            result = client.key_update(old_cert, old_signer)
            return self._installed(handle, inst.install(
                handle, self.store, result.certificate.dump(), [c.dump() for c in result.ca_certs], target=cert_der,
                kind="cmp-kur", anchors=[c.dump() for c in result.trust_anchors], on_key=on_key))
        journal, new_key = self._generate(handle, obj, key.key_type, "cmp-new-key")
        try:
            if request.p10:
                result = client.certify_p10(handle.run(TokenSession.make_csr, new_key, old_cert.subject))
            else:
                # with the CA's reference and secret this is an initial request (ir), else a certification request
                result = client.certify(TokenSigner(handle, new_key), old_cert.subject,
                                        kind="ir" if request.mac else "cr")
            journal = inst.prepare(handle, self.store, result.certificate.dump(), [c.dump() for c in result.ca_certs],
                                   target=cert_der, kind="cmp-new-key", journal=journal,
                                   anchors=[c.dump() for c in result.trust_anchors], on_key=on_key)
        except BaseException:
            self._discard(handle, journal)
            raise
        return self._installed(handle, inst.run_steps(handle, journal))

    def request_in_session(self, handle: SessionHandle, entry: CertEntry, new_key: bool,
                           key_type: KeyType | None = None) -> CertRequest:
        """A PKCS#10 request with ``entry``'s subject, for its key pair or for a key pair generated for it.

        A second request for a new key pair reuses the one already waiting for this certificate (same kind),
        or replaces it (another kind): never more than one waiting key pair per certificate.
        """
        inst.ensure_no_interrupted(handle, self.store)
        obj = inst.find_target(handle.run(TokenSession.certificates), entry.info.der)
        key = self._key(handle, obj)
        subject = x509.Certificate.load(entry.info.der).subject
        if not new_key:
            return CertRequest(handle.run(TokenSession.make_csr, key, subject), entry.id, False, key)
        wanted = key_type or key.key_type
        reused = None
        for journal in self.store.pending(handle.info.serial):
            if journal.step != "awaiting" or journal.target != entry.info.der:
                continue
            found = inst.generated_key(handle, journal)
            if reused is None and found is not None and journal.generated_type == wanted:
                reused = found
            else:
                inst.discard_generated_key(handle, journal, "cancelled")
        if reused is not None:
            return CertRequest(handle.run(TokenSession.make_csr, reused, subject), entry.id, True, reused)
        journal, generated = self._generate(handle, obj, wanted, "web")
        try:
            csr = handle.run(TokenSession.make_csr, generated, subject)
            journal.advance("awaiting", generated_spki=base64.b64encode(generated.public_key_info or b"").decode())
        except BaseException:
            self._discard(handle, journal)
            raise
        log.info("generated key pair %s for a web renewal on %s", generated.cka_id.hex(), handle.info.serial)
        self.on_change(handle.info.serial)
        return CertRequest(csr, entry.id, True, generated)

    def install_in_session(self, handle: SessionHandle, entry: CertEntry, certificate: bytes,
                           chain: Sequence[bytes], kind: str = "web") -> inst.InstallResult:
        """Install ``certificate`` as the renewal of ``entry`` (checks first; the key is unchanged when any fails)."""
        inst.ensure_no_interrupted(handle, self.store)
        journal = self._awaiting(handle.info.serial, entry.info.der, public_key(certificate))
        return self._installed(handle, inst.install(handle, self.store, certificate, chain, target=entry.info.der,
                                                    kind=kind, journal=journal))

    # --- parts -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _session(self, token: str, pin: bytearray) -> Iterator[SessionHandle]:
        with self.keys.login(token, pin, rw=True).session as handle:
            yield handle

    def _installed(self, handle: SessionHandle, result: inst.InstallResult) -> inst.InstallResult:
        self.on_change(handle.info.serial)
        return result

    def _key(self, handle: SessionHandle, obj: CertObject) -> KeyRef:
        assert obj.key is not None
        keys = {k.cka_id: k for k in handle.run(TokenSession.private_keys)}
        if obj.key.cka_id not in keys:
            raise HelperError("CERT_NOT_FOUND", id=obj.fingerprint[:16])
        return keys[obj.key.cka_id]

    def _generate(self, handle: SessionHandle, obj: CertObject, key_type: str, kind: str) -> tuple[Journal, KeyRef]:
        """A new key pair for renewing ``obj``, journalled (CKA_ID first) before it is made."""
        assert obj.der is not None and obj.key is not None
        cka_id = inst.new_cka_id(handle)
        journal = self.store.begin(handle.info.serial, handle.info.label, kind, "keygen", target_der=_b64(obj.der),
                                   generated_cka_id=cka_id.hex(), generated_type=key_type)
        try:
            label = obj.key.label or ("签名密钥" if purpose_of(certs.parse(obj.der)) == "signing" else "加密密钥")
            return journal, handle.run(TokenSession.generate_keypair, KEY_SPEC[key_type], cka_id, label)
        except BaseException:
            self._discard(handle, journal)
            raise

    def _discard(self, handle: SessionHandle, journal: Journal) -> None:
        try:
            inst.discard_generated_key(handle, journal)
        except Exception:  # noqa: BLE001 - the key is gone or broken: the journal stays for `renew recover`
            log.warning("generated key pair not removed yet; left for recovery", exc_info=True)

    def _awaiting(self, serial: str, target: bytes, spki: bytes) -> Journal | None:
        """The journal of the key pair generated for renewing ``target`` whose public key is ``spki``."""
        return next((j for j in self.store.pending(serial) if j.step == "awaiting" and j.target == target
                     and j.generated_public_key == spki), None)

    def _import_target(self, handle: SessionHandle, parsed: Sequence[certs.CertInfo],
                       target: bytes | None) -> tuple[bytes, bytes, Journal | None]:
        """(leaf, certificate it renews, journal of the key pair generated for it) for an imported file."""
        leaves = [i for i in parsed if not x509.Certificate.load(i.der).ca] or [parsed[0]]
        objects = [o for o in handle.run(TokenSession.certificates) if o.der is not None and o.key is not None]
        waiting = [j for j in self.store.pending(handle.info.serial) if j.step == "awaiting"]
        for leaf in leaves:
            spki = public_key(leaf.der)
            for journal in waiting:
                if journal.generated_public_key == spki and target in (None, journal.target):
                    return leaf.der, journal.target, journal
            same_key = [o for o in objects if public_key(o.der) == spki and target in (None, o.der)]
            same_key.sort(key=lambda o: purpose_of(certs.parse(o.der)) != purpose_of(leaf))
            if same_key:
                return leaf.der, same_key[0].der, None
        if target is not None:
            return leaves[0].der, target, None  # explained by the binding check (another key)
        raise HelperError("RENEW_CERT_NO_KEY", subject=leaves[0].subject, token=inst.token_name(handle))


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")
