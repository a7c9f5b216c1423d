"""Reading PINs and other secrets: from the terminal without echo, or line by line from standard input.

Never from argv or the environment. When several secrets are piped (e.g. PDF password then PIN),
they are read in the order the command documents, one per line.
"""

from __future__ import annotations

import getpass
import sys

from helper.messages import HelperError


class SecretReader:
    """Reads secrets for one command; ``from_stdin`` is set by --pin-stdin / --secret-stdin / --password-stdin."""

    def __init__(self, from_stdin: bool) -> None:
        self.from_stdin = from_stdin

    def read(self, prompt: str) -> bytearray:
        if self.from_stdin:
            line = sys.stdin.buffer.readline()
            if not line:
                raise HelperError("PIN_EMPTY")
            return bytearray(line.rstrip(b"\r\n"))
        if not sys.stdin.isatty():
            raise HelperError("PIN_INPUT_UNAVAILABLE")
        return bytearray(getpass.getpass(prompt).encode("utf-8"))
