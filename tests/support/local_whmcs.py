"""A local HTTP server standing in for WHMCS's api.php on a real socket: it records every request
body and answers with `reply(handler)` (which may also never answer)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalWhmcs(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, reply) -> None:  # noqa: ANN001 - (handler) -> None
        self.bodies: list[bytes] = []
        self.reply = reply
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                server.bodies.append(self.rfile.read(length))
                server.reply(self)

            def do_GET(self) -> None:  # noqa: N802
                server.bodies.append(b"GET " + self.path.encode())
                server.reply(self)

            def log_message(self, *args: object) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/includes/api.php"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
