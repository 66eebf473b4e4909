"""docs/security.md section 2: no secret escapes the client, in an exception, its chain, its frames, a log or
pytest's output, whatever the gateway echoes and however the secret is spelled.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse

import pytest

from pytest_intacct.client import IntacctError, UnexpectedError
from pytest_intacct.safety.redaction import REDACTED_WHOLE, Secret, redact, redact_values
from tests.helpers import answers
from tests.helpers.hostile_client import (
    CLIENT_SECRET_CANARY,
    JSON,
    REFRESH_CANARY,
    SENDER_CANARY,
    SESSION_CANARY,
    TOKEN_CANARY,
    USER_CANARY,
    assert_no_secret,
    chain_texts,
    hostile_client,
    rest_client,
    token,
)
from tests.helpers.hostile_gateway import Answer, hostile_gateway


def test_an_unexpected_exception_is_contained_without_chain_or_body_frames(monkeypatch):
    """A library bug below the client, its message holding the body, leaves no secret reachable."""

    def broken_request(self, method, url, data=None, **kwargs):
        raise ValueError(f"library bug while sending {data!r}")

    monkeypatch.setattr("requests.Session.request", broken_request)
    with hostile_gateway() as gateway:
        client = hostile_client(gateway)
        with pytest.raises(UnexpectedError) as info:
            client.sign_in()
    error = info.value
    assert isinstance(error, IntacctError)
    assert "ValueError" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_no_secret(*chain_texts(error))
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append(traceback.tb_frame.f_code.co_name)
        traceback = traceback.tb_next
    assert "_send" not in frames
    assert "post" not in frames


def echo_in_error(body: bytes) -> Answer:
    text = html.escape(body.decode("utf-8"), quote=False)
    return Answer(body=answers.BAD_SENDER.replace("Incorrect Intacct XML Partner ID or password.", text))


def echo_in_html(body: bytes) -> Answer:
    title = html.escape(body.decode("utf-8"))
    return Answer(500, f"<html><head><title>{title}</title></head></html>", {"Content-Type": "text/html"})


def echo_garbled(body: bytes) -> Answer:
    return Answer(body=b"<response><control>" + body)


def echo_url_encoded(body: bytes) -> Answer:
    text = html.escape(urllib.parse.quote_plus(body.decode("utf-8")), quote=False)
    return Answer(body=answers.BAD_SENDER.replace("Incorrect Intacct XML Partner ID or password.", text))


@pytest.mark.parametrize("echo", [echo_in_error, echo_in_html, echo_garbled, echo_url_encoded])
def test_a_gateway_that_echoes_the_request_leaks_nothing(echo, caplog):
    """A gateway echoing the request (in an error, a title, garbage, URL-encoded) leaks nothing."""
    caplog.set_level("DEBUG", logger="pytest_intacct")
    with hostile_gateway() as gateway:
        gateway.script(echo)
        with pytest.raises(IntacctError) as info:
            hostile_client(gateway).sign_in()
    assert html.escape(SENDER_CANARY, quote=False).encode() in gateway.received[0].body  # it was sent
    errors = getattr(info.value, "errors", ())
    assert_no_secret(*chain_texts(info.value), caplog.text, *(repr(e) for e in errors))


@pytest.mark.parametrize(
    "spell",
    [
        lambda s: s,
        lambda s: html.escape(s),
        lambda s: html.escape(s, quote=False),
        lambda s: s.encode("ascii", "xmlcharrefreplace").decode(),
        lambda s: html.escape(s).encode("ascii", "xmlcharrefreplace").decode(),
        lambda s: "".join(f"&#x{ord(c):x};" if not c.isascii() else c for c in html.escape(s)),
        urllib.parse.quote,
        urllib.parse.quote_plus,
        lambda s: re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), urllib.parse.quote(s)),
        lambda s: repr(s)[1:-1],
        lambda s: ascii(s)[1:-1],
        lambda s: json.dumps(s)[1:-1],
        lambda s: repr(s.encode())[2:-1],
        lambda s: repr(html.escape(s))[1:-1],
        lambda s: html.escape(html.escape(s)),
        lambda s: urllib.parse.quote_plus(html.escape(s)),
        lambda s: repr(repr(s)),
        lambda s: repr(s.encode("unicode_escape")),
        lambda s: urllib.parse.quote(urllib.parse.quote(s)),
        lambda s: html.escape(urllib.parse.quote(html.escape(s))),
    ],
    ids=[
        "raw",
        "xml-escaped",
        "xml-escaped-text",
        "char-refs",
        "escaped-char-refs",
        "hex-char-refs",
        "url",
        "url-plus",
        "url-lower-hex",
        "repr",
        "ascii",
        "json",
        "bytes-repr",
        "repr-of-escaped",
        "escaped-twice",
        "url-of-escaped",
        "repr-of-repr",
        "repr-of-unicode-escape",
        "url-twice",
        "escaped-url-escaped",
    ],
)
def test_redaction_catches_every_spelling_of_a_secret(spell):
    """A secret escaped, encoded or repr'd in any of 20 ways is still redacted."""
    Secret(SENDER_CANARY)
    text = redact(f"before {spell(SENDER_CANARY)} after")
    assert_no_secret(text)
    assert text == REDACTED_WHOLE or (
        text.startswith("before ") and text.endswith(" after") and "***" in text
    )


INNER_TESTS = """
import os

import pytest
import requests

from pytest_intacct.client import Credentials, IntacctClient, RetryPolicy
from pytest_intacct.safety.redaction import Secret
from tests.helpers import answers
from tests.helpers.hostile_gateway import Answer, hostile_gateway


def client_for(gateway):
    credentials = Credentials(
        "TrelicaMPP", Secret(os.environ["SENDER"]), "acme", "trelica_ws", Secret(os.environ["USER"]),
        endpoint=gateway.url,
    )
    return IntacctClient(credentials, retry=RetryPolicy(retries=0), timeout=5)


def test_a_bug_below_the_client(monkeypatch):
    def broken_request(self, method, url, data=None, **kwargs):
        request_body = data
        raise RuntimeError("bug in a library")

    monkeypatch.setattr(requests.Session, "request", broken_request)
    with hostile_gateway() as gateway:
        client_for(gateway).sign_in()


def test_a_gateway_that_echoes_the_request():
    with hostile_gateway() as gateway:
        gateway.script(lambda body: Answer(500, b"<html><title>" + body + b"</title></html>", {}))
        client_for(gateway).sign_in()


def test_an_answer_without_the_result():
    with hostile_gateway() as gateway:
        gateway.script(
            lambda body: Answer(body=answers.session(os.environ["SESSION"], gateway.url, "x")),
        )
        client_for(gateway).sign_in()
"""


def test_no_secret_in_pytest_output_with_showlocals(pytester, monkeypatch):
    """pytest's most talkative flags on three client failures show no secret."""
    monkeypatch.setenv("SENDER", SENDER_CANARY)
    monkeypatch.setenv("USER", USER_CANARY)
    monkeypatch.setenv("SESSION", SESSION_CANARY)
    Secret(SESSION_CANARY)  # the client registers a session id it reads; this one is never read
    pytester.makepyfile(test_inner=INNER_TESTS)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-vv",
        "--tb=long",
        "--showlocals",
        "-rA",
        "--log-level=DEBUG",
        f"--junitxml={junit}",
        "-o",
        "junit_logging=all",
    )
    output = result.stdout.str() + result.stderr.str()
    assert_no_secret(output, junit.read_text())
    assert "request_body = b" not in output, "the frame holding the body is not on the traceback"
    result.assert_outcomes(failed=3)
    assert "UnexpectedError: unexpected RuntimeError" in output
    assert "ResultMissing" in output


# -- the REST client: its client secret, and the tokens it is handed ----------------------------------


def _oauth_echo(body: bytes) -> Answer:
    """The token request (client secret included, form-encoded) echoed as the OAuth error's description."""
    return Answer(400, json.dumps({"error": "invalid_client", "error_description": body.decode()}), JSON)


def _decoded_echo(body: bytes) -> Answer:
    form = urllib.parse.parse_qs(body.decode())
    message = f"secret {form['client_secret'][0]} is wrong"
    return Answer(401, json.dumps({"ia::result": {"ia::error": {"code": "x", "message": message}}}), JSON)


def _html_echo(body: bytes) -> Answer:
    return Answer(
        502, f"<html><title>{html.escape(body.decode())}</title></html>", {"Content-Type": "text/html"}
    )


def _bearer_echo(gateway):
    """A read refused with the bearer token it carried in the error message (and in a header of its own)."""

    def answer(body: bytes) -> Answer:
        bearer = gateway.received[-1].headers.get("Authorization", "")
        error = {"ia::result": {"ia::error": {"code": "permissionDenied", "message": f"{bearer} may not"}}}
        return Answer(403, json.dumps(error), {**JSON, "X-Echo": bearer})

    return answer


def _granted_then_echoed(gateway):
    """A read answered with the token and refresh token inside a record (a success that is not evidence)."""

    def answer(body: bytes) -> Answer:
        bearer = gateway.received[-1].headers.get("Authorization", "")
        return Answer(200, json.dumps({"ia::result": {"permissionType": bearer, "x": REFRESH_CANARY}}), JSON)

    return answer


def _echoing(echo: str, gateway) -> list:
    return {
        "oauth-error": [_oauth_echo],
        "decoded-in-message": [_decoded_echo],
        "html-title": [_html_echo],
        "bearer-in-error": [token(), _bearer_echo(gateway)],
        "record": [token(), _granted_then_echoed(gateway)],
    }[echo]


@pytest.mark.parametrize(
    "echo", ["oauth-error", "decoded-in-message", "html-title", "bearer-in-error", "record"]
)
def test_a_rest_api_that_echoes_the_client_secret_or_the_token_leaks_nothing(echo, caplog):
    """Whatever the REST API echoes (the client secret in a refusal, the bearer token in an error or a
    record), no exception, chain, frame or DEBUG log holds it."""
    caplog.set_level("DEBUG", logger="pytest_intacct")
    with hostile_gateway() as gateway:
        gateway.script(*_echoing(echo, gateway))  # not in this frame: the error's traceback holds it
        client = rest_client(gateway)
        try:
            value = client.record("company-config/company-preference", "setup")
        except IntacctError as error:
            texts = chain_texts(error)
        else:
            # A record is the gateway's data: it is redacted where it enters the evidence (section 11).
            texts = [repr(redact_values(value))]
            assert "RestToken6d4" in repr(value)
    assert b"RestSecret3f9" in b"".join(r.body for r in gateway.received)  # the secret did go out
    assert_no_secret(*texts, caplog.text)


INNER_REST_TESTS = """
import json
import os

import pytest
import requests

from pytest_intacct.client import RetryPolicy
from pytest_intacct.client.rest import RestClient, RestCredentials
from pytest_intacct.safety.redaction import Secret
from tests.helpers.hostile_gateway import Answer, hostile_gateway

JSON = {"Content-Type": "application/json"}
GRANT = json.dumps({"token_type": "Bearer", "access_token": os.environ["TOKEN"], "expires_in": 60})


def client_for(gateway):
    credentials = RestCredentials(
        "checker.app.sage.com", Secret(os.environ["CLIENT_SECRET"]), "trelica_ws@acme", gateway.rest_url
    )
    return RestClient(credentials, retry=RetryPolicy(retries=0), timeout=5)


def test_a_bug_below_the_rest_client(monkeypatch):
    def broken_request(self, method, url, data=None, **kwargs):
        request_body = data
        raise RuntimeError("bug in a library")

    monkeypatch.setattr(requests.Session, "request", broken_request)
    with hostile_gateway() as gateway:
        client_for(gateway).sign_in()


def test_a_token_endpoint_that_echoes_the_request():
    with hostile_gateway() as gateway:
        gateway.script(lambda body: Answer(400, b'{"error":"' + body + b'"}', JSON))
        client_for(gateway).sign_in()


def test_a_read_that_echoes_the_bearer_token():
    with hostile_gateway() as gateway:
        def echo(body):
            return Answer(500, gateway.received[-1].headers["Authorization"], {})

        gateway.script(Answer(body=GRANT, headers=JSON), echo)
        client = client_for(gateway)
        client.query("company-config/user", ["id"])
"""


def test_no_rest_secret_in_pytest_output_with_showlocals(pytester, monkeypatch):
    """pytest's most talkative flags on three REST client failures show neither the client secret nor the
    access token."""
    monkeypatch.setenv("CLIENT_SECRET", CLIENT_SECRET_CANARY)
    monkeypatch.setenv("TOKEN", TOKEN_CANARY)
    pytester.makepyfile(test_inner=INNER_REST_TESTS)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-vv", "--tb=long", "--showlocals", "-rA", "--log-level=DEBUG",
        f"--junitxml={junit}", "-o", "junit_logging=all",
    )  # fmt: skip
    output = result.stdout.str() + result.stderr.str()
    assert_no_secret(output, junit.read_text())
    assert "request_body = b" not in output, "the frame holding the body is not on the traceback"
    result.assert_outcomes(failed=3)
    assert "UnexpectedError: unexpected RuntimeError" in output
    assert "HTTP 400" in output
    assert "HTTP 500 from the REST API" in output


@pytest.mark.parametrize("fatal", [KeyboardInterrupt, SystemExit], ids=["ctrl-c", "system-exit"])
def test_a_ctrl_c_during_a_request_leaves_no_frame_holding_a_secret(monkeypatch, fatal):
    """Attack: Ctrl-C (or a library's SystemExit) while a request is on the wire: it passed the boundary
    with its traceback, whose frames' arguments (pytest prints them under ``--full-trace``) hold the
    token request's body, client secret and all, and the XML request's passwords."""
    import requests

    def interrupted(self, method, url, data=None, **kwargs):
        raise fatal()

    monkeypatch.setattr(requests.Session, "request", interrupted)
    texts = []
    with hostile_gateway() as gateway:
        for call in (rest_client(gateway).sign_in, hostile_client(gateway).sign_in):
            with pytest.raises(fatal) as caught:
                call()
            texts += chain_texts(caught.value)
    assert_no_secret(*texts)
