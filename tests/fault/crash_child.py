"""Test-only child process: run one renewal and SIGKILL itself at a chosen journal step.

Usage: python crash_child.py import SERIAL STEP WHEN FILE
       python crash_child.py new-key SERIAL STEP WHEN URL
STEP is a journal step; WHEN is "before" (the token change is done, the journal not yet updated) or
"after" (the journal records the step, the next change has not started). The PIN comes on stdin.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from helper.demo.softhsm import SOFTHSM_MODULE  # noqa: E402
from helper.renewal.journal import Journal  # noqa: E402
from tokenio.worker import TokenService  # noqa: E402


def die_at(step: str, when: str) -> None:
    original = Journal._save

    def save(self: Journal) -> None:
        if self.step == step and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        original(self)
        if self.step == step and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)

    Journal._save = save  # type: ignore[method-assign]


def main() -> None:
    kind, serial, step, when, target = sys.argv[1:6]
    die_at(step, when)
    pin = bytearray(sys.stdin.buffer.readline().rstrip(b"\n"))
    from renewal_kit import renewals

    service = TokenService((SOFTHSM_MODULE,), use_registry=False)
    if kind == "import":
        renewals(service).import_file(serial, pin, Path(target).read_bytes(), target)
    else:
        from renewal_kit import REF, SECRET

        from helper import certs
        from helper.renewal.cmp import MacProtection
        from helper.renewal.service import CmpRequest
        from tokenio.session import TokenSession

        with service.session(serial, pin, rw=True) as handle:
            current = next(o.der for o in handle.run(TokenSession.certificates)
                           if o.key is not None and o.der is not None and certs.parse(o.der).is_signing)
            renewals(service).cmp_in_session(handle, current, CmpRequest(
                target, mac=MacProtection(REF.encode(), SECRET.encode()), new_key=True, p10=True))
    sys.exit(3)  # reaching here means the kill point was never hit


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "renewal"))
    main()
