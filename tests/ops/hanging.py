"""A real TCP server that accepts connections and never answers: a frozen host, a network partition."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from types import TracebackType


class HangingServer:
    """Listens on 127.0.0.1 (a free port), accepts every connection, reads nothing back, never replies."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port: int = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"hanging-{self.port}", daemon=True)

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopped.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted.append(conn)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.accepted)

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._thread.join(timeout=2)
        self._listener.close()
        with self._lock:
            for conn in self.accepted:
                conn.close()
            self.accepted.clear()


def open_sockets() -> int:
    """Sockets this process holds open (Linux /proc)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the fd of the listdir itself, closed meanwhile
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count
