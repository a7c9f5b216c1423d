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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Literal, NoReturn, Protocol

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
    """A face may also have ``report(error)``: the operation the user just confirmed failed (a wrong PIN), to be
    shown with the tries left before any further question (the terminal has it; faces whose caller shows
    errors itself may leave it out)."""

    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        """Ask the user (blocking; called on a worker thread). Kinds authenticate/sign_pdf need a PIN."""

    def cancel(self, *, stopping: bool = False) -> None:
        """Close an open question: the service gave up waiting (timeout), or is ``stopping``. ``ask`` then
        returns DENIED."""


def _pick_language(zh: str, en: str) -> str:
    return zh if messages.language() == "zh" else en


class TerminalConsentUI:
    """Asks on the controlling terminal (/dev/tty) of ``cahelper serve``; cancellable while waiting.

    Input typed before a question (or after one closed) never answers it: pending input is discarded
    before every question and when a question ends. A question the service gives up on prints 已超时,
    one the user cancels prints 已取消, and the terminal's echo is restored either way.
    """

    def __init__(self, tty_path: str = "/dev/tty") -> None:
        self._tty_path = tty_path
        self._cancelled = threading.Event()
        self._stopping = False

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

    def cancel(self, *, stopping: bool = False) -> None:
        self._stopping = stopping
        self._cancelled.set()

    def ask(self, request: ConsentRequest) -> ConsentAnswer:
        self._cancelled.clear()
        with open(self._tty_path, "r+b", buffering=0) as tty:
            return _TerminalDialog(tty, self._cancelled, request, lambda: self._stopping).run()

    def report(self, error: BaseException) -> None:
        with open(self._tty_path, "r+b", buffering=0) as tty:
            tty.write(("\n" + messages.describe(error).as_text() + "\n").encode("utf-8"))


class _Cancelled(Exception):
    """The question ended without an answer (the service gave up, or the user cancelled)."""


class _TerminalDialog:
    """One consent request on a terminal: the questions in order, each naming the website."""

    def __init__(self, tty: BinaryIO, cancelled: threading.Event, request: ConsentRequest,
                 stopping: Callable[[], bool]) -> None:
        self.tty = tty
        self.cancelled = cancelled
        self.stopping = stopping  # why ``cancelled`` was set: the service stops (Ctrl+C), else a timeout
        self.request = request
        self.who = f"{request.portal_name} ({request.origin})" if request.portal_name else request.origin

    def say(self, text: str) -> None:
        self.tty.write(text.encode("utf-8"))

    def run(self) -> ConsentAnswer:
        try:
            return self._questions()
        except _Cancelled:
            return DENIED

    def _questions(self) -> ConsentAnswer:
        t, request, who = _pick_language, self.request, self.who
        if request.kind == "approve_origin":
            answer = self.ask(t(f"\n网站 {who} 请求读取U盾中的证书。允许吗？[y/N] ",
                                f"\nThe website {who} wants to read the certificates on your key. Allow? [y/N] "))
            if answer.strip().lower() not in (b"y", b"yes"):
                self.end(cancelled=True)
            return ConsentAnswer(True)
        action = t("登录", "log in") if request.kind == "authenticate" else t(
            f"对文件 {request.file_name}（{request.pages} 页）加盖电子签章",
            f"e-seal the file {request.file_name} ({request.pages} pages)")
        if request.summary:
            action = request.summary
        self.say(t(f"\n网站 {who} 请求使用U盾{action}。\n", f"\nThe website {who} asks to {action} with your key.\n"))
        for n, cert in enumerate(request.certificates, 1):
            mark = "*" if cert.id == request.preselected else " "
            self.say(f" {mark}{n}. {cert.unit}  {cert.holder}  ({cert.issuer}, {cert.not_after})\n")
        chosen = request.preselected or (request.certificates[0].id if request.certificates else None)
        if len(request.certificates) > 1 and request.preselected is None:
            line = self.ask(t(f"为网站 {who} 选择证书编号（直接回车取消）：",
                              f"Certificate number for the website {who} (Enter alone cancels): "))
            if not line.strip().isdigit() or not 1 <= int(line) <= len(request.certificates):
                self.end(cancelled=True)
            chosen = request.certificates[int(line) - 1].id
        pin = self.ask(t(f"为网站 {who} 输入数字证书口令后回车确认（直接回车取消）：",
                         f"Type the key's PIN for the website {who} and press Enter (Enter alone cancels): "),
                       secret=True)
        if not pin:
            self.end(cancelled=True)
        return ConsentAnswer(True, chosen, pin)

    def ask(self, question: str, *, secret: bool = False) -> bytearray:
        """One line typed after ``question`` was shown; raises _Cancelled on timeout or an empty answer."""
        import termios

        fd = self.tty.fileno()
        old = termios.tcgetattr(fd)
        termios.tcflush(fd, termios.TCIFLUSH)  # type-ahead never answers a question it was not typed for
        if secret:
            quiet = termios.tcgetattr(fd)
            quiet[3] &= ~termios.ECHO
            termios.tcsetattr(fd, termios.TCSANOW, quiet)
        self.say(question)
        line, answered = bytearray(), False
        try:
            while not answered and not self.cancelled.is_set():
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    chunk = os.read(fd, 1)
                    answered = not chunk or chunk == b"\n"
                    if not answered:
                        line += chunk
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, old)  # echo back on, whatever was typed meanwhile dropped
            if secret:
                self.say("\n")
        if answered and line:
            return line
        wipe(line)
        self.end(cancelled=answered)

    def end(self, *, cancelled: bool) -> NoReturn:
        """Say how the question ended and drop any input typed for it."""
        import termios

        termios.tcflush(self.tty.fileno(), termios.TCIFLUSH)
        t = _pick_language
        if cancelled:
            self.say(t(f"已取消：网站 {self.who} 的请求没有使用U盾。\n",
                       f"Cancelled: the key was not used for the website {self.who}.\n"))
        elif self.stopping():
            self.say(t(f"\n已取消：服务正在停止，网站 {self.who} 的请求没有使用U盾。\n",
                       f"\nCancelled: the service is stopping; the key was not used for the website {self.who}.\n"))
        else:
            self.say(t(f"\n已超时：网站 {self.who} 的请求已取消，U盾没有被使用。\n",
                       f"\nTimed out: the request of the website {self.who} was cancelled; the key was not used.\n"))
        raise _Cancelled
