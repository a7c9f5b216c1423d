"""One window per user: a second launch asks the first one (over a QLocalSocket) to come forward."""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from helper import settings


def server_name() -> str:
    """Per user and per helper home (so the demo and tests do not collide with a real instance)."""
    digest = hashlib.sha256(f"{getpass.getuser()}|{settings.config_dir()}".encode()).hexdigest()[:16]
    return f"cahelper-gui-{digest}"


def signal_running(timeout_ms: int = 500) -> bool:
    """True when another instance answered (it will raise its window)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(b"raise\n")
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; emits ``raise_requested``."""

    raise_requested = Signal()

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
        if bytes(socket.readAll().data()).startswith(b"raise"):
            self.raise_requested.emit()
        socket.disconnectFromServer()
