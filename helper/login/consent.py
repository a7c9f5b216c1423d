"""Who answers "may this website use your key?": the ConsentUI protocol and the terminal implementation.

Like web-eid-app's abstract WebEidUI: the service hands a ConsentRequest to whichever face runs it (the
GUI's dialog, the terminal of ``cahelper serve``, a scripted UI in tests) and gets a ConsentAnswer back.
The PIN is typed only here and travels as a bytearray straight to the key; it never crosses HTTP.
There is deliberately no "approve automatically" implementation in the helper.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

from helper import messages
from tokenio.worker import wipe

ConsentKind = Literal["approve_origin", "authenticate", "sign_pdf", "renewal_csr", "renewal_install"]


@dataclass(frozen=True)
class CertChoice:
    """A certificate the user may pick (选择证书所对应的单位名称)."""

    id: str
    unit: str
    holder: str
    issuer: str
    not_after: str
    token_label: str


@dataclass(frozen=True)
class ConsentRequest:
    """What the dialog shows: who asks (origin, portal name), what for, and the choices."""

    kind: ConsentKind
    origin: str
    portal_name: str = ""
    certificates: tuple[CertChoice, ...] = ()
    preselected: str | None = None
    file_name: str = ""
    pages: int = 0
    preview_png: bytes = field(default=b"", repr=False)
    summary: str = ""  # renewal kinds: what is requested, in the user's language (unit, holder, key kind)


@dataclass
class ConsentAnswer:
    """The user's answer; ``pin`` is wiped by the service after use."""

    approved: bool
    certificate_id: str | None = None
    pin: bytearray | None = field(default=None, repr=False)

    def wipe(self) -> None:
        wipe(self.pin)


DENIED = ConsentAnswer(False)


class ConsentUI(Protocol):
    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        """Ask the user (blocking; called on a worker thread). Kinds authenticate/sign_pdf need a PIN."""

    def cancel(self) -> None:
        """Close an open question: the service gave up waiting (timeout). ``ask`` then returns DENIED."""


def _pick_language(zh: str, en: str) -> str:
    return zh if messages.language() == "zh" else en


class TerminalConsentUI:
    """Asks on the controlling terminal (/dev/tty) of ``cahelper serve``; cancellable while waiting."""

    def __init__(self, tty_path: str = "/dev/tty") -> None:
        self._tty_path = tty_path
        self._cancelled = threading.Event()

    @staticmethod
    def available(tty_path: str = "/dev/tty") -> bool:
        if sys.platform.startswith("win"):
            return False
        try:
            fd = os.open(tty_path, os.O_RDWR | os.O_NOCTTY)
        except OSError:
            return False
        os.close(fd)
        return True

    def cancel(self) -> None:
        self._cancelled.set()

    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        self._cancelled.clear()
        with open(self._tty_path, "r+b", buffering=0) as tty:
            return self._dialog(tty, request)

    def _say(self, tty, text: str) -> None:
        tty.write(text.encode("utf-8"))

    def _read_line(self, tty, *, secret: bool = False) -> bytearray | None:
        import termios

        fd = tty.fileno()
        old = termios.tcgetattr(fd)
        if secret:
            new = termios.tcgetattr(fd)
            new[3] &= ~termios.ECHO
            termios.tcsetattr(fd, termios.TCSAFLUSH, new)
        line = bytearray()
        try:
            while not self._cancelled.is_set():
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                chunk = os.read(fd, 1)
                if not chunk or chunk == b"\n":
                    return line
                line += chunk
            wipe(line)
            return None
        finally:
            if secret:
                termios.tcsetattr(fd, termios.TCSAFLUSH, old)
                self._say(tty, "\n")

    def _dialog(self, tty, request: ConsentRequest) -> ConsentAnswer:
        t = _pick_language
        who = f"{request.portal_name} ({request.origin})" if request.portal_name else request.origin
        if request.kind == "approve_origin":
            self._say(tty, t(f"\n网站 {who} 请求读取U盾中的证书。允许吗？[y/N] ",
                             f"\nThe website {who} wants to read the certificates on your key. Allow? [y/N] "))
            answer = self._read_line(tty)
            return ConsentAnswer(bool(answer) and answer.strip().lower() in (b"y", b"yes"))
        action = t("登录", "log in") if request.kind == "authenticate" else t(
            f"对文件 {request.file_name}（{request.pages} 页）加盖电子签章",
            f"e-seal the file {request.file_name} ({request.pages} pages)")
        if request.summary:
            action = request.summary
        self._say(tty, t(f"\n网站 {who} 请求使用U盾{action}。\n", f"\nThe website {who} asks to {action} with your key.\n"))
        for n, cert in enumerate(request.certificates, 1):
            mark = "*" if cert.id == request.preselected else " "
            self._say(tty, f" {mark}{n}. {cert.unit}  {cert.holder}  ({cert.issuer}, {cert.not_after})\n")
        chosen = request.preselected or (request.certificates[0].id if request.certificates else None)
        if len(request.certificates) > 1 and request.preselected is None:
            self._say(tty, t("选择证书编号（回车取消）：", "Certificate number (Enter cancels): "))
            line = self._read_line(tty)
            if not line or not line.strip().isdigit() or not 1 <= int(line) <= len(request.certificates):
                return DENIED
            chosen = request.certificates[int(line) - 1].id
        self._say(tty, t("输入U盾口令后回车确认（直接回车取消）：", "Type the key's PIN and press Enter (Enter alone cancels): "))
        pin = self._read_line(tty, secret=True)
        if not pin:
            return DENIED
        return ConsentAnswer(True, chosen, pin)
