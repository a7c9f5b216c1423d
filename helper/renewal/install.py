"""Transactional install of a renewed certificate into a key, and recovery after an interruption.

Decision on history: the key keeps exactly one certificate per key pair. A replaced certificate is
kept outside the key (the journal store's ``history/<sha256>.cer`` plus the history log), so nothing on
the key needs a "current" rule and every reader (certificate list, signing, login) sees one
certificate per key. When a renewal creates a new key pair, the old pair keeps its own certificate
until it expires; ``helper.renewal.monitor`` treats it as superseded.

Every install is for one certificate on the key (the *target*, the one the user chose to renew) and is
checked against it first (``helper.renewal.validate.check_replacement``). Steps, each recorded in the
journal before the next starts:
  prepared     the new certificate and what it replaces are in the journal (nothing on the key yet)
  written      the new certificate object exists (same CKA_ID as its key, label marked as new)
  verified     it was read back and is DER-equal
  old_removed  the replaced certificate object is gone (only now: the key was never without one)
  relabelled   the new object carries its final label; then the journal is closed in the history.
Every step is idempotent and decided from what is on the key, so ``recover`` simply runs them again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from helper import certs
from helper.messages import HelperError
from helper.renewal import journal as jr
from helper.renewal.binding import public_key
from helper.renewal.journal import Journal, JournalStore
from helper.renewal.trust import key_anchors
from helper.renewal.validate import check_replacement
from tokenio.session import CertObject, TokenSession
from tokenio.worker import SessionHandle

log = logging.getLogger(__name__)

NEW_LABEL_MARK = "（新证书，安装中）"


@dataclass(frozen=True)
class InstallResult:
    """A finished renewal on one key."""

    token_serial: str
    cka_id: bytes
    certificate: certs.CertInfo
    replaced: tuple[str, ...]  # SHA-256 of the certificates taken off the key
    outcome: jr.Outcome
    journal_id: str


def token_name(handle: SessionHandle) -> str:
    return f"{handle.info.label} ({handle.info.serial})"


def find_target(objects: Iterable[CertObject], der: bytes) -> CertObject:
    """The certificate object holding ``der`` with its private key; CERT_NOT_FOUND otherwise."""
    found = next((o for o in objects if o.der == der and o.key is not None), None)
    if found is None:
        raise HelperError("CERT_NOT_FOUND", id=hashlib.sha256(der).hexdigest()[:16])
    return found


def prepare(handle: SessionHandle, store: JournalStore, new_der: bytes, chain: Iterable[bytes] = (), *,
            target: bytes, kind: str, journal: Journal | None = None, anchors: Iterable[bytes] = (),
            on_key: Iterable[bytes] | None = None) -> Journal:
    """Check ``new_der`` as the renewal of ``target`` on the key in ``handle`` and record the plan; nothing is
    written to the key. ``journal``: the renewal's journal so far (a key pair generated for it);
    ``anchors``: CA certificates this renewal's channel vouches for (caPubs under the CA's shared secret);
    ``on_key``: the key's own anchors when the caller has them already (``trust.key_anchors``)."""
    objects = handle.run(TokenSession.certificates)
    if any(o.der == new_der for o in objects):
        raise HelperError("RENEW_ALREADY_INSTALLED", token=token_name(handle), subject=certs.parse(new_der).subject)
    old = find_target(objects, target)
    assert old.key is not None
    generated = generated_key(handle, journal)
    check_replacement(new_der, [*chain, *(o.der for o in objects if o.der is not None)], target,
                      generated_spki=generated.public_key_info if generated else None,
                      anchors=[*(key_anchors(objects) if on_key is None else on_key), *anchors])
    same_key = public_key(new_der) == public_key(target)
    key = old.key if same_key else generated
    assert key is not None
    if same_key:
        store.save_old_certificate(target)
    fields = {"target_der": jr.encode(target), "cka_id": key.cka_id.hex(), "new_der": jr.encode(new_der),
              "old_ders": (jr.encode(target),) if same_key else (),
              "final_label": old.label if same_key else (key.label or old.label)}
    if journal is None:
        return store.begin(handle.info.serial, handle.info.label, kind, "prepared", **fields)
    return journal.advance("prepared", **fields)


def generated_key(handle: SessionHandle, journal: Journal | None):
    """The key pair generated for ``journal``'s renewal, if it has one and it is on the key."""
    if journal is None or not journal.generated_cka_id:
        return None
    wanted = bytes.fromhex(journal.generated_cka_id)
    return next((k for k in handle.run(TokenSession.private_keys) if k.cka_id == wanted), None)


def run_steps(handle: SessionHandle, journal: Journal) -> InstallResult:
    """Bring the key to the journal's end state (used for a fresh install and for recovery alike)."""
    new_der = journal.new_certificate
    cka_id = bytes.fromhex(journal.cka_id)
    present = [o for o in handle.run(TokenSession.certificates) if o.der == new_der]
    if not present:
        handle.run(TokenSession.import_certificate, new_der, cka_id, journal.final_label + NEW_LABEL_MARK)
    journal = journal.advance("written")
    readback = [o for o in handle.run(TokenSession.certificates) if o.der == new_der and o.cka_id == cka_id]
    if not readback:
        raise HelperError("RENEW_INSTALL_CHECK_FAILED")
    journal = journal.advance("verified")
    for old in journal.old_certificates:
        if old != new_der:
            handle.run(TokenSession.delete_certificate, old)
    journal = journal.advance("old_removed")
    handle.run(TokenSession.relabel_certificate, new_der, journal.final_label)
    journal = journal.advance("relabelled")
    replaced = tuple(hashlib.sha256(d).hexdigest() for d in journal.old_certificates)
    info = certs.parse(new_der)
    journal.finish("completed", certificate=info.sha256, not_after=info.not_after.isoformat(),
                   subject=info.subject, replaced=list(replaced),
                   renewed=hashlib.sha256(journal.target).hexdigest() if journal.target_der else "")
    return InstallResult(handle.info.serial, cka_id, info, replaced, "completed", journal.id)


def install(handle: SessionHandle, store: JournalStore, new_der: bytes, chain: Iterable[bytes] = (), *,
            target: bytes, kind: str, journal: Journal | None = None, anchors: Iterable[bytes] = (),
            on_key: Iterable[bytes] | None = None) -> InstallResult:
    """Check, then install ``new_der`` in place of ``target`` transactionally (``handle``: read-write)."""
    return run_steps(handle, prepare(handle, store, new_der, chain, target=target, kind=kind, journal=journal,
                                     anchors=anchors, on_key=on_key))


def discard_generated_key(handle: SessionHandle, journal: Journal, outcome: jr.Outcome = "rolled_back") -> None:
    """Undo a renewal that never got a certificate: delete only the key pair it generated, and only while no
    certificate on the key uses that key pair."""
    if journal.generated_cka_id:
        cka_id = bytes.fromhex(journal.generated_cka_id)
        used = any(o.cka_id == cka_id or (o.key is not None and o.key.cka_id == cka_id)
                   for o in handle.run(TokenSession.certificates))
        if used:
            log.warning("generated key pair %s has a certificate now: kept", cka_id.hex())
        else:
            handle.run(TokenSession.delete_keypair, cka_id)
    journal.finish(outcome)


def recover(handle: SessionHandle, store: JournalStore,
            discard_waiting: Callable[[Journal], bool] = lambda _j: True) -> list[InstallResult | Journal]:
    """Finish every interrupted installation on this key; roll back key generation that was cut off, and key
    pairs still waiting for a certificate when ``discard_waiting`` says so.

    Returns the InstallResult of each finished one and the Journal of each rolled back one.
    """
    done: list[InstallResult | Journal] = []
    for journal in store.pending(handle.info.serial):
        if journal.step == "awaiting" and not discard_waiting(journal):
            continue
        log.info("recovering renewal %s at step %s", journal.id, journal.step)
        if journal.installing:
            done.append(run_steps(handle, journal))
        else:
            discard_generated_key(handle, journal)
            done.append(journal)
    return done


def ensure_no_interrupted(handle: SessionHandle, store: JournalStore) -> None:
    """Refuse to start a renewal while an interrupted one on the same key waits for recovery (a key pair that
    waits for its certificate from the CA's website does not block)."""
    if any(j.step != "awaiting" for j in store.pending(handle.info.serial)):
        raise HelperError("RENEW_PENDING", token=token_name(handle))


def new_cka_id(handle: SessionHandle) -> bytes:
    """A random CKA_ID used by no object on the key."""
    used = {k.cka_id for k in handle.run(TokenSession.private_keys)}
    used |= {o.cka_id for o in handle.run(TokenSession.certificates)}
    while True:
        candidate = os.urandom(8)
        if candidate not in used:
            return candidate
