"""Waits tell the person what is happening: each retry is told (what failed, attempt k of n, when), a
failure no retry can mend is not retried, causes are words, not class names, and a gateway that never
answers is reported with the bound that ended the wait. Real sockets on loopback."""

from __future__ import annotations

import re
import socket
import time

import pytest

from pytest_intacct.client import GatewayUnavailable, Retrying, RetryPolicy, Transport
from tests.helpers.hostile_client import assert_no_secret, hostile_client
from tests.helpers.hostile_gateway import Answer, hostile_gateway

# A library's class name in a message: ``_WatchedHTTPConnection(host=...)``, ``NewConnectionError: ``.
CLASS_NAME = re.compile(r"\b_?[A-Z][A-Za-z]*(Error|Exception|Connection|Pool)\b|\w+\(host=")
BODY = b"<request/>"


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def told(**policy: float) -> tuple[list[Retrying], Transport]:
    notices: list[Retrying] = []
    retry = RetryPolicy(**{"backoff_factor": 0.01, **policy})  # type: ignore[arg-type]
    return notices, Transport(timeout=5, retry=retry, on_retry=notices.append)


def test_each_retry_is_told_what_failed_which_attempt_of_how_many_and_when():
    with hostile_gateway() as gateway:
        gateway.script(Answer(503, "busy", {"Content-Type": "text/plain"}))
        notices, transport = told(retries=2)
        answer = transport.post(gateway.url, BODY)
    assert answer.status == 503  # the last answer, once the retries are spent
    host = f"127.0.0.1:{gateway.port}"
    assert [(n.failure, n.attempt, n.attempts) for n in notices] == [
        (f"HTTP 503 from {host}", 1, 3),
        (f"HTTP 503 from {host}", 2, 3),
    ]
    assert [n.wait for n in notices] == [0, 0.02]  # none before the first retry, as urllib3
    assert str(notices[0]) == f"HTTP 503 from {host}; attempt 1 of 3 failed, trying again now"
    later = Retrying(host, "HTTP 503 from x", 2, 5, 8.0, notices[1].at.replace(hour=5, minute=31, second=7))
    assert str(later) == "HTTP 503 from x; attempt 2 of 5 failed, trying again in 8s (at 05:31:07)"


def test_a_refused_connection_is_told_in_words_never_a_class_name():
    port = free_port()
    notices, transport = told(retries=1)
    with pytest.raises(GatewayUnavailable) as info:
        transport.post(f"http://127.0.0.1:{port}/ia/xml/xmlgw.phtml", BODY)
    message = str(info.value)
    assert message.startswith(
        f"could not reach 127.0.0.1:{port}: the connection was refused; gave up after 2"
    )
    assert [n.failure for n in notices] == [f"could not reach 127.0.0.1:{port}: the connection was refused"]
    assert not CLASS_NAME.search(message), message


def test_a_certificate_that_fails_verification_is_not_retried(intacct_simulator):
    simulator = intacct_simulator("trelica-ready", tls=True)  # its certificate is trusted by no one here
    notices, transport = told(retries=3)
    with pytest.raises(GatewayUnavailable) as info:
        transport.post(simulator.endpoint, BODY)
    assert info.value.attempts == 1
    assert notices == []
    assert "its TLS certificate could not be verified (" in str(info.value)
    assert not CLASS_NAME.search(str(info.value)), str(info.value)


@pytest.mark.parametrize(
    ("code", "attempts"), [(socket.EAI_NONAME, 1), (socket.EAI_AGAIN, 3)], ids=["not-found", "no-answer"]
)
def test_a_name_that_does_not_exist_is_not_retried(monkeypatch, code, attempts):
    """The system resolver's answers, on a name only this test's resolver knows (nothing is looked up)."""
    lookups: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        raise socket.gaierror(code, "Name or service not known" if attempts == 1 else "Try again")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    notices, transport = told(retries=2)
    with pytest.raises(GatewayUnavailable) as info:
        transport.post("https://gateway.invalid/ia/xml/xmlgw.phtml", BODY)
    assert len(lookups) == info.value.attempts == attempts
    assert len(notices) == attempts - 1
    assert "could not reach gateway.invalid: its name could not be resolved (" in str(info.value)
    assert not CLASS_NAME.search(str(info.value)), str(info.value)


def test_a_gateway_that_never_answers_is_reported_with_the_timeout_that_was_set():
    with hostile_gateway() as gateway:
        gateway.script(Answer(body=b"never", drip=60))
        notices, transport = told(retries=1)
        transport.timeout = 0.3
        with pytest.raises(GatewayUnavailable) as info:
            transport.post(gateway.url, BODY)
    assert f"no complete answer from 127.0.0.1:{gateway.port} within 0.3s (the per-request timeout)" in str(
        info.value
    )
    assert [n.attempt for n in notices] == [1]


def test_when_the_budget_ends_the_last_attempt_the_message_says_so():
    """The defaults scaled down a hundredfold: a 60 s timeout, 4 retries, a 300 s budget. Four attempts
    and their backoff leave about 46 s (here 0.46 s) for the fifth: that is the budget, not the timeout."""
    with hostile_gateway() as gateway:
        gateway.script(Answer(body=b"never", drip=60))
        _, transport = told(retries=4, budget=3.0)
        transport.timeout = 0.6
        started = time.monotonic()
        with pytest.raises(GatewayUnavailable) as info:
            transport.post(gateway.url, BODY)
    assert time.monotonic() - started < 4
    message = str(info.value)
    assert re.search(
        r"within 0\.[34]\d*s, when the call's budget of 3s ran out \(each attempt may take 0\.6s, the "
        r"per-request timeout\); gave up after 5 attempt\(s\)",
        message,
    ), message


def test_a_retried_sign_in_tells_no_secret():
    with hostile_gateway() as gateway:
        gateway.script(Answer(502, "bad gateway", {"Content-Type": "text/plain"}))
        notices: list[Retrying] = []
        client = hostile_client(
            gateway, retry=RetryPolicy(retries=1, backoff_factor=0), on_retry=notices.append
        )
        with pytest.raises(GatewayUnavailable):
            client.sign_in()
    assert len(notices) == 1
    assert_no_secret(str(notices[0]))
