"""What the helper can do with each key type today: the one place that dispatches on ``CertInfo.key_type``.

SM2 keys are listed, shown and classified like the others; signing PDFs and web login with them come with
the SM2 signing path (tokenio.sm2). Until an action supports a key type, asking for it gives the coded
message KEY_TYPE_UNSUPPORTED instead of a failure deep inside a library.
"""

from __future__ import annotations

from typing import Literal

from helper.certs import CertInfo
from helper.messages import HelperError

Action = Literal["sign_pdf", "web_login"]

SUPPORTED: dict[Action, frozenset[str]] = {
    "sign_pdf": frozenset({"rsa", "ec"}),
    "web_login": frozenset({"rsa", "ec"}),
}


def supports(info: CertInfo, action: Action) -> bool:
    return info.key_type in SUPPORTED[action]


def require(info: CertInfo, action: Action) -> None:
    """Raise KEY_TYPE_UNSUPPORTED when ``action`` cannot be done with this certificate's key type yet."""
    if not supports(info, action):
        raise HelperError("KEY_TYPE_UNSUPPORTED", algorithm=info.key_algorithm, unit=info.unit)
