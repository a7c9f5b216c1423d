"""Transactional install of a renewed certificate into a key, and recovery after an interruption.

Decision on history: the key keeps exactly one certificate per key pair. A replaced certificate is
kept outside the key (``data_dir/renewal/history/<sha256>.cer`` plus the history log), so nothing on
the key needs a "current" rule and every reader (certificate list, signing, login) sees one
certificate per key. When a renewal creates a new key pair, the old pair keeps its own certificate
until it expires; ``helper.renewal.monitor`` treats it as superseded.

Steps, each recorded in the journal before the next starts:
  prepared     the new certificate and what it replaces are in the journal (nothing on the key yet)
  written      the new certificate object exists (same CKA_ID as its key, label marked as new)
  verified     it was read back and is DER-equal
  old_removed  the replaced certificate objects are gone (only now: the key was never without one)
  relabelled   the new object carries its final label; then the journal is closed in the history.
Every step is idempotent and decided from what is on the key, so ``recover`` simply runs them again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

from helper import certs
from helper.messages import HelperError
from helper.renewal import journal as jr
from helper.renewal.journal import Journal
from helper.renewal.validate import check_new_certificate, key_anchors
from tokenio.session import TokenSession
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


def prepare(handle: SessionHandle, new_der: bytes, chain: Iterable[bytes] = (), *, kind: str,
            journal: Journal | None = None, anchors: Iterable[bytes] = ()) -> Journal:
    """Validate ``new_der`` against the key in ``handle`` and record the plan; nothing is written yet.
    ``anchors``: CA certificates this renewal's channel vouches for (caPubs under the CA's shared secret)."""
    keys = handle.run(TokenSession.private_keys)
    token = f"{handle.info.label} ({handle.info.serial})"
    objects = handle.run(TokenSession.certificates)
    if any(o.der == new_der for o in objects):
        raise HelperError("RENEW_ALREADY_INSTALLED", token=token, subject=certs.parse(new_der).subject)
    on_key = [o.der for o in objects if o.der is not None]
    key = check_new_certificate(new_der, [*chain, *on_key], keys, token,
                                extra_anchors=[*key_anchors(objects), *anchors])
    old = [o for o in objects if o.der is not None and o.key is not None and o.key.cka_id == key.cka_id]
    for o in old:
        jr.save_old_certificate(o.der)
    label = old[0].label if old else (key.label or "签名证书")
    fields = {"cka_id": key.cka_id.hex(), "new_der": jr.encode(new_der),
              "old_ders": tuple(jr.encode(o.der) for o in old), "final_label": label}
    if journal is None:
        return Journal.begin(handle.info.serial, handle.info.label, kind, "prepared", **fields)
    return journal.advance("prepared", **fields)


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
                   subject=info.subject, replaced=list(replaced))
    return InstallResult(handle.info.serial, cka_id, info, replaced, "completed", journal.id)


def install(handle: SessionHandle, new_der: bytes, chain: Iterable[bytes] = (), *, kind: str,
            journal: Journal | None = None, anchors: Iterable[bytes] = ()) -> InstallResult:
    """Validate, then install ``new_der`` transactionally (``handle``: a read-write session)."""
    return run_steps(handle, prepare(handle, new_der, chain, kind=kind, journal=journal, anchors=anchors))


def discard_generated_key(handle: SessionHandle, journal: Journal) -> None:
    """Undo a renewal that never got a certificate: delete only the key pair it generated."""
    if journal.generated_cka_id:
        cka_id = bytes.fromhex(journal.generated_cka_id)
        if not any(o.cka_id == cka_id for o in handle.run(TokenSession.certificates)):
            handle.run(TokenSession.delete_keypair, cka_id)
    journal.finish("rolled_back")


def recover(handle: SessionHandle) -> list[InstallResult | Journal]:
    """Finish (or, before a certificate existed, roll back) every unfinished renewal on this key.

    Returns the InstallResult of each finished one and the Journal of each rolled back one.
    """
    done: list[InstallResult | Journal] = []
    for journal in jr.pending(handle.info.serial):
        log.info("recovering renewal %s at step %s", journal.id, journal.step)
        if journal.step == "keygen":
            discard_generated_key(handle, journal)
            done.append(journal)
        else:
            done.append(run_steps(handle, journal))
    return done


def ensure_no_pending(serial: str, label: str) -> None:
    """Refuse to start a renewal while another one on the same key is unfinished."""
    if jr.pending(serial):
        raise HelperError("RENEW_PENDING", token=f"{label} ({serial})")


def new_cka_id(handle: SessionHandle) -> bytes:
    """A random CKA_ID used by no object on the key."""
    used = {k.cka_id for k in handle.run(TokenSession.private_keys)}
    used |= {o.cka_id for o in handle.run(TokenSession.certificates)}
    while True:
        candidate = os.urandom(8)
        if candidate not in used:
            return candidate

