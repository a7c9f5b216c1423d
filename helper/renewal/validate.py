"""What a new certificate must pass before it is written to a key, in one place for CMP, files and websites.

``check_replacement``: the certificate validates to a trust anchor (``helper.renewal.trust``) and renews
the certificate it replaces (``helper.renewal.binding``): same unit, holder and purpose, and the key of the
replaced certificate or the key pair generated for this renewal. It needs no PIN and writes nothing, so a
face can run it before asking for consent; the install runs it again in its session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from helper import certs
from helper.renewal import trust
from helper.renewal.binding import check_binding, public_key


def check_replacement(new_der: bytes, supplied: Iterable[bytes], target: bytes, *, generated_spki: bytes | None = None,
                      anchors: Iterable[bytes] = (), now: datetime | None = None) -> list[bytes]:
    """Raise the first coded reason why ``new_der`` may not replace ``target``; returns the validated path.

    ``supplied``: intermediate certificates (the file's, the answer's, the key's); ``anchors``: trust anchors
    besides the installed ones (roots on the key, caPubs under the CA's secret); ``generated_spki``: the
    public key generated for this renewal, if any.
    """
    old = certs.parse(target)
    path = trust.validate(new_der, supplied, [*trust.installed_anchors(), *anchors], trust.purpose_of(old), now=now)
    allowed = {public_key(target), *([generated_spki] if generated_spki else [])}
    check_binding(certs.parse(new_der), old, allowed)
    return path
