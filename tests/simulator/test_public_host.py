"""The host named in the URLs the simulator hands out: the request's Host header when it is a well-formed
``host[:port]``, an advertised name when asked, and never a ``*.intacct.com`` name nobody asked for.

The Host header is the caller's text, so every attack below is kept as a test: the answer must stay
well-formed, name a safe host, and carry none of the attacker's text.
"""

from __future__ import annotations

import socket

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator
from pytest_intacct.simulator.hostnames import is_intacct_name, normalise_host

from .conftest import StartSimulator
from .gateway_client import function, login_request

SESSION_PATH = "/na1/ia/xml/xmlgw.phtml"


def port_of(simulator: Simulator) -> int:
    return int(simulator.endpoint.rsplit(":", 1)[1].split("/")[0])


def sign_in_with_headers(simulator: Simulator, headers: bytes) -> tuple[int, bytes]:
    """POST getAPISession with raw header lines (the test controls every byte); returns status and body."""
    body = login_request(simulator.primary_login, [function("<getAPISession/>")])
    head = (
        b"POST /ia/xml/xmlgw.phtml HTTP/1.1\r\n" + headers + b"Content-Type: application/xml\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port_of(simulator)), timeout=10) as connection:
        connection.sendall(head + body)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def handed_out(simulator: Simulator, headers: bytes) -> str:
    status, body = sign_in_with_headers(simulator, headers)
    assert status == 200
    root = etree.fromstring(body)
    assert root.findtext("operation/result/status") == "success"
    return root.findtext("operation/result/data/api/endpoint") or ""


@pytest.fixture
def simulator(intacct_simulator: StartSimulator) -> Simulator:
    return intacct_simulator("trelica-ready")


@pytest.fixture
def advertising(intacct_simulator: StartSimulator) -> Simulator:
    return intacct_simulator("trelica-ready", advertise_host="sim.intacct.com")


def test_by_default_the_bound_address_is_handed_out_as_before(simulator: Simulator) -> None:
    port = port_of(simulator)
    assert simulator.endpoint == f"http://127.0.0.1:{port}/ia/xml/xmlgw.phtml"
    assert simulator.session_endpoint == f"http://127.0.0.1:{port}{SESSION_PATH}"
    assert handed_out(simulator, b"Host: 127.0.0.1:%d\r\n" % port) == simulator.session_endpoint


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (b"localhost:{port}", "localhost:{port}"),
        (b"LocalHost:{port}", "localhost:{port}"),
        (b"[::1]:{port}", "[::1]:{port}"),
        (b"[0:0:0:0:0:0:0:1]:{port}", "[::1]:{port}"),
        (b"simulator.example.test:8443", "simulator.example.test:8443"),  # behind a port forward
        (b"simulator.example.test", "simulator.example.test"),  # the scheme's default port
        # A look-alike is an ordinary name: it is not under intacct.com, so it is simply followed.
        (b"intacct.com.evil.test:{port}", "intacct.com.evil.test:{port}"),
    ],
)
def test_a_well_formed_host_header_is_followed(simulator: Simulator, host: bytes, expected: str) -> None:
    port = port_of(simulator)
    header = b"Host: " + host.replace(b"{port}", str(port).encode()) + b"\r\n"
    assert handed_out(simulator, header) == f"http://{expected.format(port=port)}{SESSION_PATH}"


@pytest.mark.parametrize(
    "host",
    [
        b"sim.intacct.com:{port}",
        b"api.intacct.com",
        b"INTACCT.COM:{port}",
        b"na1.intacct.com.:{port}",
    ],
)
def test_an_intacct_name_is_never_handed_out_unasked(simulator: Simulator, host: bytes) -> None:
    port = port_of(simulator)
    header = b"Host: " + host.replace(b"{port}", str(port).encode()) + b"\r\n"
    assert handed_out(simulator, header) == simulator.session_endpoint
    assert "intacct.com" not in simulator.session_endpoint


def test_the_advertised_name_is_handed_out_for_itself_and_for_any_unusable_host(
    advertising: Simulator,
) -> None:
    port = port_of(advertising)
    public = f"http://sim.intacct.com:{port}{SESSION_PATH}"
    assert advertising.endpoint == f"http://sim.intacct.com:{port}/ia/xml/xmlgw.phtml"
    assert advertising.session_endpoint == public
    assert handed_out(advertising, b"Host: sim.intacct.com:%d\r\n" % port) == public
    assert handed_out(advertising, b"Host: other.intacct.com:%d\r\n" % port) == public
    assert handed_out(advertising, b"Host: bad host\r\n") == public
    # A client that came by address is still handed an address it can reach.
    assert (
        handed_out(advertising, b"Host: 127.0.0.1:%d\r\n" % port) == f"http://127.0.0.1:{port}{SESSION_PATH}"
    )


ATTACKS = {
    "folded-xml-injection": b"Host: a.test\r\n <injected>evil</injected>\r\n",
    "folded-crlf-header": b"Host: a.test\r\n X-Injected: evil\r\n",
    "xml-metacharacters": b"Host: a<injected>evil</injected>.test\r\n",
    "quote-and-ampersand": b'Host: a.test"&evil;\r\n',
    "percent-encoded-crlf": b"Host: a.test%0d%0aX-Injected:evil\r\n",
    "path": b"Host: evil.test/ia/xml/xmlgw.phtml\r\n",
    "user-info": b"Host: user@evil.test\r\n",
    "very-long-name": b"Host: " + b"evil." * 60 + b"test\r\n",
    "label-over-63": b"Host: " + b"e" * 64 + b".test\r\n",
    "non-ascii-latin1": b"Host: ex\xe4mple-evil.test\r\n",
    "non-ascii-utf8": b"Host: ex\xc3\xa4mple-evil.test\r\n",
    "port-out-of-range": b"Host: evil.test:99999\r\n",
    "port-zero": b"Host: evil.test:0\r\n",
    "two-ports": b"Host: evil.test:1:2\r\n",
    "space-inside": b"Host: evil .test\r\n",
    "empty": b"Host: \r\n",
    "two-host-headers": b"Host: evil.test\r\nHost: evil2.test\r\n",
    "numeric-last-label": b"Host: 10.0.0.999\r\n",
    "unbracketed-ipv6": b"Host: ::1\r\n",
    "bracketed-junk": b"Host: [evil]\r\n",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_malformed_host_header_is_not_reflected(simulator: Simulator, attack: bytes) -> None:
    status, body = sign_in_with_headers(simulator, attack)
    assert status == 200
    assert b"evil" not in body
    assert b"injected" not in body.lower()
    endpoint = etree.fromstring(body).findtext("operation/result/data/api/endpoint")
    assert endpoint == simulator.session_endpoint


def test_no_host_header_gets_the_default(simulator: Simulator) -> None:
    assert handed_out(simulator, b"") == simulator.session_endpoint


@pytest.mark.parametrize(
    "name",
    [
        "sim.intacct.com\r\nX-Injected: 1",
        "sim.intacct.com/ia/xml",
        "user@sim.intacct.com",
        "sim.intacct.com:443",
        "exämple.intacct.com",
        "a" * 64 + ".intacct.com",
        "x." * 127 + "com",
        "<sim>.intacct.com",
        "",
        "-sim.intacct.com",
    ],
)
def test_an_advertised_name_must_be_a_host_name(name: str) -> None:
    with pytest.raises(ValueError, match="is not a host name or IP address"):
        Simulator("trelica-ready", advertise_host=name)


def test_host_names_are_normalised_and_intacct_names_recognised() -> None:
    assert normalise_host("Sim.Intacct.COM") == "sim.intacct.com"
    assert normalise_host("[0::1]") == "[::1]"
    assert normalise_host("127.000.0.1") is None  # ambiguous leading zeros
    assert is_intacct_name("sim.intacct.com")
    assert is_intacct_name("sim.intacct.com.")
    assert is_intacct_name("intacct.com")
    assert not is_intacct_name("intacct.com.evil.test")
    assert not is_intacct_name("evilintacct.com")
