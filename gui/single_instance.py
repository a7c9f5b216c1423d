"""One window per user: a second launch asks the first one (over a QLocalSocket) to come forward,
handing over the PDFs it was asked to sign (Explorer's "使用数字证书助手签章").

The message is JSON: ``{"raise": true, "sign": ["C:/path/a.pdf", ...]}``.
"""

from __future__ import annotations

import getpass
import hashlib
import json

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from helper import settings


def server_name() -> str:
    """Per user and per helper home (so the demo and tests do not collide with a real instance)."""
    digest = hashlib.sha256(f"{getpass.getuser()}|{settings.config_dir()}".encode()).hexdigest()[:16]
    return f"cahelper-gui-{digest}"


def signal_running(timeout_ms: int = 500, sign: tuple[str, ...] = ()) -> bool:
    """True when another instance answered (it will raise its window and open ``sign`` for signing)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"raise": True, "sign": list(sign)}).encode() + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; emits ``raise_requested`` and, with files, ``sign_requested``."""

    raise_requested = Signal()
    sign_requested = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        if not self.server.listen(server_name()):
            QLocalServer.removeServer(server_name())  # a stale socket left by a crash
            self.server.listen(server_name())

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        try:
            message = json.loads(bytes(socket.readAll().data()).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            message = {}
        if isinstance(message, dict) and message.get("raise"):
            self.raise_requested.emit()
            files = message.get("sign")
            if isinstance(files, list) and files and all(isinstance(f, str) for f in files):
                self.sign_requested.emit(files)
        socket.disconnectFromServer()
