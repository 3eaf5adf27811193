"""One FairShare per person: opening a project while FairShare runs opens it there.

The first instance listens on a local server (a named pipe on Windows, a socket file
elsewhere) whose name is made from the person's settings folder, so two people on one
machine, or tests with settings of their own, never meet. A later ``fairshare PATH``
connects, sends the absolute path and exits; the running window opens it through its
normal open path, which asks about unsaved changes first. ``fairshare`` with no path
sends an empty line, which brings the running window to the front.

A server name left behind by a FairShare that crashed is cleaned up: when nobody
answers on it, it is removed before listening.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

CONNECT_MS = 500  # a running FairShare answers at once; nobody there fails at once
SEND_MS = 2000


def server_name() -> str:
    """The per-person name: FairShare plus a checksum of the settings folder."""
    where = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    user = os.environ.get("USERNAME") or os.environ.get("USER") or ""
    return f"fairshare-{zlib.crc32(f'{user}|{where}'.encode()):08x}"


def hand_over(path: str, name: str) -> bool:
    """Send ``path`` (absolute; "" to raise the window) to a FairShare listening on
    ``name``; True when one took it, False when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write((os.path.abspath(path) if path else "").encode("utf-8") + b"\n")
    sent = socket.waitForBytesWritten(SEND_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(SEND_MS)
    return sent


class SingleInstance(QObject):
    """The listening end: ``pathReceived`` carries each path a later launch sends."""

    pathReceived = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a name left by a FairShare that is gone is removed first.

        Call after :func:`hand_over` found nobody on the name. False (and a single
        window as before) if the name still cannot be taken.
        """
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def serve(self, window: QWidget, open_file: Callable[[str], object]) -> None:
        """Open each path received with ``open_file`` and bring ``window`` forward."""

        def received(path: str) -> None:
            if window.isMinimized():
                window.showNormal()
            window.raise_()
            window.activateWindow()
            if path:
                open_file(path)

        self.pathReceived.connect(received)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._finish(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        *lines, rest = data.split(b"\n")
        self._buffers[socket] = rest
        for line in lines:
            self.pathReceived.emit(line.decode("utf-8", errors="replace"))

    def _finish(self, socket: QLocalSocket) -> None:
        self._read(socket)
        self._buffers.pop(socket, None)
        socket.deleteLater()
