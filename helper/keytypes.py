"""What the helper can do with each key type today: the one place that says so, from ``CertInfo.key_type``.

SM2 keys are listed, shown, classified, used for e-seals and web login like the others; CMP renewal signs
its requests with the old key in RSA or ECDSA only. Asking for an action a key type does not support yet
gives the coded message KEY_TYPE_UNSUPPORTED before the key is used, never a failure deep in a library.
"""

from __future__ import annotations

from typing import Literal

from helper.certs import CertInfo
from helper.messages import HelperError

Action = Literal["sign_pdf", "web_login", "renew_cmp"]

SUPPORTED: dict[Action, frozenset[str]] = {
    "sign_pdf": frozenset({"rsa", "ec", "sm2"}),
    "web_login": frozenset({"rsa", "ec", "sm2"}),
    "renew_cmp": frozenset({"rsa", "ec"}),
}


def supports(info: CertInfo, action: Action) -> bool:
    return info.key_type in SUPPORTED[action]


def require(info: CertInfo, action: Action) -> None:
    """Raise KEY_TYPE_UNSUPPORTED when ``action`` cannot be done with this certificate's key type yet."""
    if not supports(info, action):
        raise HelperError("KEY_TYPE_UNSUPPORTED", algorithm=info.key_algorithm, unit=info.unit)
