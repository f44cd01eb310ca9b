"""MockCanvasServer: the production WSGI server (waitress) in a background thread."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server


class MockCanvasServer:
    """A real HTTP server for an app; port 0 picks a free port. Start, use `.url`, stop."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self._server: Any = None  # waitress's TcpWSGIServer (untyped internals)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self._server.effective_port}"

    def start(self) -> MockCanvasServer:
        server = create_server(
            self.app,
            host=self.host,
            port=self.port,
            threads=self.threads,
            ident="mock-canvas",
        )
        if not isinstance(server, BaseWSGIServer):  # several listen sockets: not supported here
            server.close()
            raise ValueError(f"cannot serve on {self.host!r}: one address is needed")
        self._server = server
        self._thread = threading.Thread(target=server.run, name="mock-canvas-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        # Close every socket from inside the server's own loop, which then ends at once.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> MockCanvasServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
