"""TLS when asked: a throwaway certificate made by the ``openssl`` command, trusted through ``ca_file``, valid
for the advertised name and the loopback names only."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import requests
from lxml import etree

from pytest_intacct.simulator import Simulator
from pytest_intacct.simulator import tls as tls_module
from pytest_intacct.simulator.tls import server_context, throwaway_certificate

from .conftest import StartSimulator
from .gateway_client import function, login_request


def port_of(simulator: Simulator) -> int:
    return int(simulator.endpoint.rsplit(":", 1)[1].split("/")[0])


def handshake(simulator: Simulator, server_name: str) -> None:
    context = ssl.create_default_context(cafile=str(simulator.ca_file))
    with (
        socket.create_connection(("127.0.0.1", port_of(simulator)), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=server_name),
    ):
        pass


def sign_in(simulator: Simulator, url: str, **options: object) -> requests.Response:
    body = login_request(simulator.primary_login, [function("<getAPISession/>")])
    return requests.post(url, data=body, headers={"Content-Type": "application/xml"}, timeout=10, **options)


def test_tls_serves_https_with_a_certificate_the_client_trusts(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("trelica-ready", tls=True)
    assert simulator.endpoint.startswith("https://127.0.0.1:")
    assert simulator.ca_file is not None
    response = sign_in(simulator, simulator.endpoint, verify=str(simulator.ca_file))
    endpoint = etree.fromstring(response.content).findtext("operation/result/data/api/endpoint")
    assert endpoint == simulator.session_endpoint
    assert endpoint.startswith("https://")


def test_the_certificate_names_the_advertised_host_and_loopback_only(
    intacct_simulator: StartSimulator,
) -> None:
    simulator = intacct_simulator("trelica-ready", tls=True, advertise_host="sim.intacct.com")
    for name in ("sim.intacct.com", "localhost", "127.0.0.1"):
        handshake(simulator, name)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(simulator, "api.intacct.com")


def test_an_untrusting_client_is_refused_and_plain_http_gets_no_answer(
    intacct_simulator: StartSimulator,
) -> None:
    simulator = intacct_simulator("trelica-ready", tls=True)
    with pytest.raises(requests.exceptions.SSLError):
        sign_in(simulator, simulator.endpoint)  # the system store does not know the throwaway CA
    with pytest.raises(requests.exceptions.ConnectionError):
        sign_in(simulator, simulator.endpoint.replace("https://", "http://"))
    assert sign_in(simulator, simulator.endpoint, verify=str(simulator.ca_file)).status_code == 200
    assert len(simulator.journal.entries) == 1  # refused handshakes never reach the gateway


def test_a_silent_client_does_not_hold_up_the_others(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("trelica-ready", tls=True)
    with socket.create_connection(("127.0.0.1", port_of(simulator)), timeout=10):
        # The handshake runs on the connection's own thread, so this one waits and the next is served.
        response = sign_in(simulator, simulator.endpoint, verify=str(simulator.ca_file))
    assert response.status_code == 200


def test_the_throwaway_certificate_goes_when_the_simulator_stops() -> None:
    simulator = Simulator("trelica-ready", tls=True).start()
    ca_file = simulator.ca_file
    assert ca_file is not None
    assert ca_file.is_file()
    simulator.stop()
    assert simulator.ca_file is None
    assert not ca_file.parent.exists()


def test_a_server_context_of_ones_own_is_served(intacct_simulator: StartSimulator, tmp_path: Path) -> None:
    cert, key = throwaway_certificate(tmp_path, ["localhost"])
    simulator = intacct_simulator("trelica-ready", tls=server_context(cert, key))
    assert simulator.ca_file is None
    response = sign_in(simulator, simulator.endpoint.replace("127.0.0.1", "localhost"), verify=str(cert))
    assert response.status_code == 200


def test_without_openssl_tls_says_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tls_module.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="TLS needs the openssl command"):
        throwaway_certificate(tmp_path, ["localhost"])


def test_a_failed_bind_leaves_no_certificate_behind(intacct_simulator: StartSimulator) -> None:
    taken = port_of(intacct_simulator("trelica-ready"))
    simulator = Simulator("trelica-ready", port=taken, tls=True)
    with pytest.raises(OSError, match="Address already in use"):
        simulator.start()
    assert simulator.ca_file is None
