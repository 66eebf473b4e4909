"""The HTTP side: a loopback ``ThreadingHTTPServer`` serving the gateway, and the :class:`Simulator` API."""

from __future__ import annotations

import logging
import os
import selectors
import socket
import ssl
import struct
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from . import journal
from .errors import rate_limited
from .faults import HTML_CONTENT_TYPE, Fault, Faults, html_page
from .gateway import Endpoints, Exchange, Gateway
from .hostnames import Advertiser, normalise_host
from .journal import Journal
from .model import Scenario, ScenarioLogin
from .responses import Reply, gateway_failure
from .rest_face import REST_PREFIX, RestApi, describe, fault_reply
from .scenario import load_scenario
from .sessions import Clock
from .tls import CERT_FILE, server_context, throwaway_certificate
from .wire import MAX_BODY_BYTES

logger = logging.getLogger("pytest_intacct.simulator")

LOGIN_PATH = "/ia/xml/xmlgw.phtml"
# Sessions are tied to an endpoint that may differ from the login one (docs/gateway.md#sessions); a second
# path forces clients to follow <endpoint>. Both paths serve every request (some clients keep posting to
# the login URL).
SESSION_PATH = "/na1/ia/xml/xmlgw.phtml"
HANDSHAKE_TIMEOUT = 10.0  # seconds a TLS client may take to say hello, so a silent one frees its thread


class _Server(ThreadingHTTPServer):
    """Serves until :meth:`wake_and_stop`, which returns at once instead of waiting out a poll interval.

    ``serve_forever`` only notices ``shutdown()`` when its ``select`` times out; this loop also watches a
    socket pair, so a stop wakes it immediately.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # socketserver's default of 5 drops connections when a fleet connects at once
    timeout = 0  # handle_request() is only called when a connection is waiting: never block in it

    def __init__(
        self, address: tuple[str, int], simulator: Simulator, tls: ssl.SSLContext | None = None
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.simulator = simulator
        self.tls = tls
        # Before binding: a failed bind calls server_close(), which closes these too.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._stopping = threading.Event()
        super().__init__(address, _Handler)

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    def serve_until_stopped(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopping.is_set():
                        self.handle_request()

    def finish_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """With TLS, the handshake happens here, on the connection's own thread."""
        if self.tls is None or not isinstance(request, socket.socket):
            super().finish_request(request, client_address)
            return
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            connection = self.tls.wrap_socket(request, server_side=True)
        except OSError as error:  # ssl.SSLError included
            logger.debug("TLS handshake with %s failed: %s", client_address, error)
            return
        connection.settimeout(None)
        with connection:
            super().finish_request(connection, client_address)

    def wake_and_stop(self) -> None:
        self._stopping.set()
        self._wake_writer.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def version_string(self) -> str:
        return "Apache"

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.client_address[0], format % args)  # request line only, never bodies

    def do_GET(self) -> None:
        if self._rest_path():
            self._rest("GET")
            return
        self._send(Reply(405, html_page(405), HTML_CONTENT_TYPE))

    def do_PUT(self) -> None:
        self._other("PUT")

    def do_PATCH(self) -> None:
        self._other("PATCH")

    def do_DELETE(self) -> None:
        self._other("DELETE")

    def _other(self, method: str) -> None:
        if self._rest_path():
            self._rest(method)
            return
        self._send(Reply(405, html_page(405), HTML_CONTENT_TYPE))

    def _rest_path(self) -> bool:
        path = self.path.split("?", 1)[0]
        return path == REST_PREFIX or path.startswith(REST_PREFIX + "/")

    def _rest(self, method: str) -> None:
        """The REST face: same faults, admission and journal as the XML face."""
        simulator = self.server.simulator
        path = self.path.split("?", 1)[0]
        body = self._read_body()
        fault = simulator.faults.take()
        if fault is not None and fault.kind not in ("truncate", "drip"):
            fields = describe(method, path, body) | {"outcome": journal.FAULT, "fault": fault.kind}
            simulator.journal.add(path, 0 if fault.kind == "reset" else fault.status, fields)
            if fault.kind == "reset":
                self._reset()
            elif fault.kind == "throttle":
                self._send(fault_reply(429))
            else:
                self._send(
                    fault_reply(fault.status)
                    if fault.status < 500
                    else Reply(fault.status, html_page(fault.status), HTML_CONTENT_TYPE)
                )
            return
        try:
            headers = {name.lower(): value for name, value in self.headers.items()}
            exchange = simulator.rest.handle(
                method, path, headers, body, self.client_address[0], simulator.faults.admission
            )
        except Exception:
            logger.exception("simulator error while handling %s %s", method, path)
            exchange = Exchange(
                Reply(500, html_page(500), HTML_CONTENT_TYPE), journal.FAULT, fault="internal"
            )
        fields = exchange.__dict__ | ({"outcome": journal.FAULT, "fault": fault.kind} if fault else {})
        simulator.journal.add(path, exchange.reply.status, fields)
        self._send(
            exchange.reply,
            truncate=fault is not None and fault.kind == "truncate",
            drip=fault.interval if fault is not None and fault.kind == "drip" else None,
        )

    def do_POST(self) -> None:
        simulator = self.server.simulator
        path = self.path.split("?", 1)[0]
        if self._rest_path():
            self._rest("POST")
            return
        if path not in (LOGIN_PATH, SESSION_PATH):
            self._send(Reply(404, html_page(404), HTML_CONTENT_TYPE))
            return
        body = self._read_body()
        fault = simulator.faults.take()
        if fault is not None and fault.kind not in ("truncate", "drip"):
            self._fault(simulator, fault, path, body)
            return
        try:
            exchange = simulator.gateway.handle(
                body,
                path,
                self.client_address[0],
                simulator.faults.admission,
                simulator.base_url(self._host_header()) + SESSION_PATH,
            )
        except Exception:
            # A mid-process failure answers 500 without XML, like the real gateway.
            logger.exception("simulator error while handling %s", path)
            exchange = Exchange(
                Reply(500, html_page(500), HTML_CONTENT_TYPE), journal.FAULT, fault="internal"
            )
        # Journal first, so a client that has its answer always finds the entry.
        fields = exchange.__dict__ | ({"outcome": journal.FAULT, "fault": fault.kind} if fault else {})
        simulator.journal.add(path, exchange.reply.status, fields)
        drip = fault.interval if fault is not None and fault.kind == "drip" else None
        self._send(exchange.reply, truncate=fault is not None and fault.kind == "truncate", drip=drip)

    def _host_header(self) -> str | None:
        """The one ``Host`` header, or ``None`` when there is none or more than one (RFC 9112 section 3.2)."""
        hosts = self.headers.get_all("Host") or []
        return hosts[0] if len(hosts) == 1 else None

    def _read_body(self) -> bytes:
        """The request body, read up to one byte past the size cap (``wire.parse`` refuses the excess)."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            try:
                length = max(0, int(self.headers.get("Content-Length") or 0))
            except ValueError:
                length = 0
            if length > MAX_BODY_BYTES:
                self.close_connection = True
            return self.rfile.read(min(length, MAX_BODY_BYTES + 1))
        chunks: list[bytes] = []
        received = 0
        while received <= MAX_BODY_BYTES:
            try:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            except ValueError:
                break
            if size == 0:
                self.rfile.readline(1024)
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)
            received += size
        self.close_connection = True
        return b"".join(chunks)

    def _fault(self, simulator: Simulator, fault: Fault, path: str, body: bytes) -> None:
        fields = simulator.gateway.describe(body) | {"outcome": journal.FAULT, "fault": fault.kind}
        if fault.kind == "throttle":
            fields["errors"] = ("GW-0010",)
        simulator.journal.add(path, 0 if fault.kind == "reset" else fault.status, fields)
        if fault.kind == "reset":
            self._reset()
        elif fault.kind == "throttle":
            self._send(gateway_failure(rate_limited(), 429))
        else:
            self._send(Reply(fault.status, html_page(fault.status), HTML_CONTENT_TYPE))

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send a TCP RST: "connection reset by peer" on the client.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _send(self, reply: Reply, truncate: bool = False, drip: float | None = None) -> None:
        self.send_response(reply.status)
        # Always, even on 4xx/5xx (docs/gateway.md#errors).
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if drip is None:
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
        else:
            # Headers and body one byte at a time, until the client gives up or the simulator stops.
            head: list[bytes] = getattr(self, "_headers_buffer", [])
            raw = b"".join([*head, b"\r\n", reply.body])
            head.clear()
            try:
                for index in range(len(raw)):
                    if self.server.stopping.wait(drip):
                        break
                    self.wfile.write(raw[index : index + 1])
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
        if truncate:
            self.close_connection = True


class Simulator:
    """A running simulated gateway for one scenario.

    ``with Simulator(load_scenario("trelica-ready")) as sim:`` starts it on a free loopback port;
    ``sim.endpoint`` is the login URL, ``sim.logins`` the credentials the scenario hands out,
    ``sim.journal`` records every request and ``sim.faults`` injects transport faults.
    """

    def __init__(
        self,
        scenario: Scenario | str | os.PathLike[str],
        host: str = "127.0.0.1",
        port: int = 0,
        journal_path: str | os.PathLike[str] | None = None,
        advertise_host: str | None = None,
        tls: bool | ssl.SSLContext = False,
    ) -> None:
        """``advertise_host`` names the host put in the URLs handed out when a request's ``Host`` header
        cannot be followed (docs/simulator.md, "A public host name"); ``tls`` serves HTTPS, with a
        throwaway certificate (``True``) or the given server context."""
        self.scenario = load_scenario(scenario)
        self.host = host
        self.port = port
        self.advertise_host = None if advertise_host is None else normalise_host(advertise_host)
        if advertise_host is not None and self.advertise_host is None:
            raise ValueError(f"advertise_host {advertise_host!r} is not a host name or IP address")
        self.tls = tls
        self.clock = Clock()
        self.journal = Journal(Path(journal_path) if journal_path is not None else None)
        self.gateway = Gateway(self.scenario, self.clock, Endpoints("", "", SESSION_PATH))
        self.rest = RestApi(self.scenario, self.clock, self.scenario.gateway)
        self.faults = Faults(self.scenario.faults, self._expire)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._advertiser: Advertiser | None = None
        self._certificates: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    def _expire(self) -> int:
        """Every XML session and REST token becomes invalid now; how many there were."""
        return self.gateway.expire_sessions() + self.rest.tokens.expire_all()

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Bind and serve in a background thread (a no-op when already running)."""
        with self._lock:
            if self._server is not None:
                return self
            context = self._tls_context()
            try:
                server = _Server((self.host, self.port), self, context)
            except OSError:
                self._drop_certificates()
                raise
            scheme = "http" if server.tls is None else "https"
            self._advertiser = Advertiser(scheme, self.host, server.server_address[1], self.advertise_host)
            base = self._advertiser.base_url()
            self.gateway.endpoints = Endpoints(base + LOGIN_PATH, base + SESSION_PATH, SESSION_PATH)
            self._thread = threading.Thread(
                target=server.serve_until_stopped,
                name="intacct-simulator",
                daemon=True,
            )
            self._server = server
            self._thread.start()
            return self

    def _tls_context(self) -> ssl.SSLContext | None:
        if isinstance(self.tls, ssl.SSLContext):
            return self.tls
        if not self.tls:
            return None
        self._certificates = tempfile.TemporaryDirectory(prefix="intacct-simulator-tls-")
        names = [self.advertise_host or self.host, "localhost", "127.0.0.1", "::1"]
        cert, key = throwaway_certificate(Path(self._certificates.name), names)
        return server_context(cert, key)

    def stop(self) -> None:
        """Stop serving and release the port (in-flight requests on daemon threads are abandoned)."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
        if server is not None:
            server.wake_and_stop()
        if thread is not None:
            thread.join(timeout=5)
        if server is not None:
            server.server_close()
        self._drop_certificates()

    def _drop_certificates(self) -> None:
        if self._certificates is not None:
            self._certificates.cleanup()
            self._certificates = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # --- what clients need -----------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """The login URL, e.g. ``http://127.0.0.1:54321/ia/xml/xmlgw.phtml``."""
        if not self.gateway.endpoints.login_url:
            raise RuntimeError("the simulator is not started")
        return self.gateway.endpoints.login_url

    @property
    def rest_endpoint(self) -> str:
        """The REST API's base URL on the same host, e.g. ``http://127.0.0.1:54321/ia/api/v1``."""
        return self.endpoint.removesuffix(LOGIN_PATH) + REST_PREFIX

    @property
    def session_endpoint(self) -> str:
        """The URL getAPISession hands out; different from :attr:`endpoint` on purpose."""
        if not self.gateway.endpoints.session_url:
            raise RuntimeError("the simulator is not started")
        return self.gateway.endpoints.session_url

    @property
    def ca_file(self) -> Path | None:
        """While running with a throwaway certificate: the PEM file a client must trust (it is its own CA)."""
        if self._certificates is None:
            return None
        return Path(self._certificates.name) / CERT_FILE

    def base_url(self, host_header: str | None = None) -> str:
        """``scheme://host:port`` to hand a client whose request carried ``host_header``
        (see :mod:`.hostnames`)."""
        if self._advertiser is None:
            raise RuntimeError("the simulator is not started")
        return self._advertiser.base_url(host_header)

    @property
    def logins(self) -> dict[str, ScenarioLogin]:
        """Login name -> credentials, primary first."""
        return {login.name: login for login in self.scenario.logins}

    @property
    def primary_login(self) -> ScenarioLogin:
        return self.scenario.primary_login
