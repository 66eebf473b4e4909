"""A scriptable gateway on loopback for attacks that need a real socket: drips, redirects, echoes.

Each request gets the next scripted answer (the last one repeats). An answer is a :class:`Answer`
or a function of the request body returning one. Everything is bounded: a drip stops at its byte
count or when the gateway stops, and stopping never waits for a handler that is still dripping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml; charset=UTF-8"})
    # Seconds between bytes: the status line, the headers and the body are sent one byte at a time.
    drip: float | None = None
    # Send no Content-Length and close the connection at the end (an answer delimited by EOF).
    close_delimited: bool = False


Script = Answer | Callable[[bytes], Answer]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


class HostileGateway:
    """One loopback HTTP server; ``url`` is its gateway endpoint, ``received`` what it was sent."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._script: list[Script] = [Answer(404, b"nothing scripted", {"Content-Type": "text/plain"})]
        self._stopping = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1 << 20))
                gateway.received.append(Received(self.path, dict(self.headers), body, self.command))
                gateway._answer(self, body)

            # The REST API's reads (and any write that should never arrive) are answered and recorded alike.
            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02})

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ia/xml/xmlgw.phtml"

    @property
    def rest_url(self) -> str:
        """Its REST API base (``/ia/api/v1``), on the same host and port."""
        return f"http://127.0.0.1:{self.port}/ia/api/v1"

    def script(self, *answers: Script) -> None:
        self._script = list(answers)

    def _next(self, body: bytes) -> Answer:
        script = self._script.pop(0) if len(self._script) > 1 else self._script[0]
        return script(body) if callable(script) else script

    def _answer(self, handler: BaseHTTPRequestHandler, request_body: bytes) -> None:
        answer = self._next(request_body)
        body = answer.body.encode() if isinstance(answer.body, str) else answer.body
        head = [f"HTTP/1.1 {answer.status} Scripted"]
        head += [f"{name}: {value}" for name, value in answer.headers.items()]
        if answer.close_delimited:
            head.append("Connection: close")
        else:
            head.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        try:
            if answer.drip is None:
                handler.wfile.write(raw)
            else:
                for i in range(len(raw)):
                    if self._stopping.wait(answer.drip):
                        break
                    handler.wfile.write(raw[i : i + 1])
                    handler.wfile.flush()
            handler.wfile.flush()
        except OSError:
            pass  # the client gave up: that is what the attack tests
        if answer.close_delimited:
            handler.close_connection = True

    def start(self) -> HostileGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def hostile_gateway() -> Iterator[HostileGateway]:
    gateway = HostileGateway().start()
    try:
        yield gateway
    finally:
        gateway.stop()
