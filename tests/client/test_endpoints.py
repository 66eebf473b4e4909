"""Where credentials may go: endpoint syntax, and which session endpoints the client follows."""

from __future__ import annotations

import pytest

from pytest_intacct.client import (
    ClientUsageError,
    Credentials,
    IntacctClient,
    session_endpoint_allowed,
    validate_endpoint,
)
from pytest_intacct.safety.redaction import Secret

LOGIN = "https://api.intacct.com/ia/xml/xmlgw.phtml"


@pytest.mark.parametrize(
    "url",
    [
        LOGIN,
        "https://api.intacct.com:443/ia/xml/xmlgw.phtml",
        "https://gateway.example.org/xml",
        "http://localhost:8080/ia/xml/xmlgw.phtml",
        "http://127.0.0.1:9/ia/xml/xmlgw.phtml",
        "http://127.5.6.7/x",
        "http://[::1]:8080/x",
    ],
)
def test_a_valid_endpoint_is_returned_unchanged(url):
    assert validate_endpoint(url) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("api.intacct.com/ia/xml/xmlgw.phtml", "must start with https://"),
        ("ftp://api.intacct.com/x", "must start with https://"),
        ("https:///ia/xml/xmlgw.phtml", "names no host"),
        ("https://user:pw@api.intacct.com/x", "user name or password"),
        ("https://user@api.intacct.com/x", "user name or password"),
        ("http://api.intacct.com/ia/xml/xmlgw.phtml", "plain http:// to a remote host"),
        ("http://10.0.0.1/x", "plain http:// to a remote host"),
        ("http://localhost.evil.com/x", "plain http:// to a remote host"),
        ("http://127.0.0.1.nip.io/x", "plain http:// to a remote host"),
        ("https://api.intacct.com:99999/x", "invalid port"),
        ("https://api.intacct.com:port/x", "invalid port"),
        (" https://api.intacct.com/x", "spaces or control characters"),
        ("https://api.intacct.com/x\n", "spaces or control characters"),
    ],
)
def test_an_invalid_endpoint_is_a_clear_value_error(url, message):
    with pytest.raises(ValueError, match=message):
        validate_endpoint(url)


@pytest.mark.parametrize(
    ("session", "allowed"),
    [
        (LOGIN, True),
        ("https://na12.intacct.com/ia/xml/xmlgw.phtml", True),
        ("https://api.intacct.com/another/path", True),
        ("https://NA12.INTACCT.COM/ia/xml/xmlgw.phtml", True),
        ("http://na12.intacct.com/ia/xml/xmlgw.phtml", False),  # scheme downgrade
        ("https://na12.intacct.com:8443/ia/xml/xmlgw.phtml", False),  # another port
        ("https://evil.example.com/ia/xml/xmlgw.phtml", False),
        ("https://api.intacct.com.evil.com/x", False),
        ("https://evilintacct.com/x", False),
        ("https://user@na12.intacct.com/x", False),
        ("http://127.0.0.1:8080/x", False),
        ("not a url", False),
    ],
)
def test_a_session_endpoint_is_followed_only_where_the_sdks_would(session, allowed):
    assert session_endpoint_allowed(LOGIN, session) is allowed


@pytest.mark.parametrize(
    ("login", "session", "allowed"),
    [
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", True),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", False),
        ("http://127.0.0.1:8080/a", "http://localhost:8080/a", False),
        ("https://gateway.example.org/a", "https://other.example.org/a", False),
        ("https://gateway.example.org/a", "https://gateway.example.org:443/b", True),
    ],
)
def test_outside_intacct_com_host_and_port_must_match_exactly(login, session, allowed):
    assert session_endpoint_allowed(login, session) is allowed


def test_the_client_refuses_an_invalid_endpoint_before_any_request():
    credentials = Credentials(
        "s", Secret("sender-pw-2"), "c", "u", Secret("user-pw-2"), endpoint="http://api.intacct.com/x"
    )
    with pytest.raises(ClientUsageError, match="plain http://"):
        IntacctClient(credentials).sign_in()  # no mock: a request would fail differently
