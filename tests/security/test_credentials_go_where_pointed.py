"""docs/security.md section 3: credentials go only where the user pointed them: no redirect is followed, a
session endpoint elsewhere, or only looking like the gateway's, gets nothing, and neither does a REST page
that names another place to read the next one.
"""

from __future__ import annotations

import socket

import pytest
import requests
from urllib3.util import parse_url

from pytest_intacct.client import ErrorKind, GatewayUnavailable, RetryPolicy
from pytest_intacct.client.endpoints import session_endpoint_allowed
from pytest_intacct.settings.environments import SettingsError, load_environments
from tests.helpers import answers
from tests.helpers.environments import SETTINGS, dotenv
from tests.helpers.hostile_client import hostile_client, reply, rest, rest_client, session, token
from tests.helpers.hostile_gateway import Answer, hostile_gateway

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


LOGIN = "https://api.intacct.com/ia/xml/xmlgw.phtml"


@pytest.mark.parametrize("host", ["evil.test", "127.0.0.1"])
def test_a_backslash_in_the_session_endpoint_cannot_smuggle_another_host(host):
    """A backslash makes urllib.parse and urllib3 read different hosts: the endpoint is refused."""
    session = f"https://{host}\\.intacct.com/ia/xml/xmlgw.phtml"
    # Where the session id and sender password would really go: requests parses with urllib3.
    assert parse_url(session).host == host
    assert requests.Request("POST", session).prepare().url.startswith(f"https://{host}/")
    assert not session_endpoint_allowed(LOGIN, session)


@pytest.mark.parametrize(
    "session",
    [
        "https://api.intacct.com.evil.test/ia/xml/xmlgw.phtml",
        "https://evilintacct.com/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com\u3002evil.test/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com:8443/ia/xml/xmlgw.phtml",
        "http://na1.intacct.com/ia/xml/xmlgw.phtml",
        "https://na1.intacct.com%2F@evil.test/",
    ],
)
def test_lookalike_session_endpoints_are_refused(session):
    """Session endpoints that only look like *.intacct.com, or change port or scheme, are refused."""
    assert not session_endpoint_allowed(LOGIN, session)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed(status):
    """A 3xx pointing at another server gets neither the body nor a request."""
    with hostile_gateway() as gateway, hostile_gateway() as thief:
        gateway.script(Answer(status, b"", {"Location": f"http://127.0.0.1:{thief.port}/steal?x=1"}))
        with pytest.raises(GatewayUnavailable) as info:
            hostile_client(gateway, retry=RetryPolicy(retries=2, backoff_factor=0)).sign_in()
    assert thief.received == []
    assert len(gateway.received) == 1
    assert f"127.0.0.1:{thief.port}" in str(info.value)
    assert "steal" not in str(info.value)
    assert info.value.http_status == status


def test_a_session_endpoint_elsewhere_gets_neither_session_nor_passwords():
    """A sign-in answer naming another server as the session endpoint sends it nothing."""
    with hostile_gateway() as gateway, hostile_gateway() as thief:
        gateway.script(session(thief.url))
        client = hostile_client(gateway)
        with pytest.raises(GatewayUnavailable, match=f"127.0.0.1:{thief.port}") as info:
            client.read_by_query("DEPARTMENT")
    assert thief.received == []
    assert "session endpoint" in str(info.value)


def test_a_session_endpoint_on_the_same_host_and_port_is_followed():
    """The control: a session endpoint on the login's host and port is followed."""
    with hostile_gateway() as gateway:
        same = gateway.url.replace("/ia/xml/xmlgw.phtml", "/other/path")
        empty = '<data listtype="department" count="0" numremaining="0"/>'
        gateway.script(
            session(same), reply(lambda ids: answers.response(answers.result("readByQuery", ids[0], empty)))
        )
        assert hostile_client(gateway).read_by_query("DEPARTMENT") == []
    assert [r.path for r in gateway.received] == ["/ia/xml/xmlgw.phtml", "/other/path"]


@pytest.mark.parametrize("host", ["localhost.", "LOCALHOST.", "localhost.localdomain", "localhost.evil.test"])
def test_plain_http_to_a_name_that_asks_the_name_server_is_one_usage_error(pytester, host):
    """``http://localhost.:8080`` passed the loopback exception, but a trailing dot skips /etc/hosts and
    asks the name server, which then chooses where both passwords go in clear."""
    dotenv(pytester, "prod", f"http://{host}:8080/ia/xml/xmlgw.phtml")
    result = pytester.runpytest("--intacct-env=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "plain http:// to a remote host" in result.stderr.str()


def test_plain_http_to_localhost_is_dialled_without_any_name_lookup(pytester, intacct_simulator, monkeypatch):
    """Exactly ``localhost`` is allowed in plain http, and resolved by no resolver at all: the transport
    dials 127.0.0.1 itself."""
    simulator = intacct_simulator("trelica-ready")
    looked_up: list[object] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        if str(host).lower().startswith("localhost"):
            raise OSError("a lookup of localhost was attempted")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    login = simulator.primary_login
    endpoint = simulator.endpoint.replace("127.0.0.1", "localhost")
    for key, value in {
        "SENDER_ID": login.sender_id, "SENDER_PASSWORD": login.sender_password,
        "COMPANY_ID": login.company_id, "USER_ID": login.user_id, "USER_PASSWORD": login.user_password,
        "ENDPOINT": endpoint, "PROFILE": "trelica",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"INTACCT_PROD_{key}", value)
    result = pytester.runpytest("--intacct-env=prod", "-k", "user-login", "--intacct-retries=0")
    assert result.ret == pytest.ExitCode.OK
    assert not [host for host in looked_up if "localhost" in str(host).lower()]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("when", ["token", "read"])
def test_the_rest_api_never_follows_a_redirect(status, when):
    """A 3xx from the token endpoint (which would re-post the client secret) or from a read (which would
    resend the bearer token) gets the other server nothing."""
    with hostile_gateway() as gateway, hostile_gateway() as thief:
        redirect = Answer(status, b"", {"Location": f"http://127.0.0.1:{thief.port}/steal?x=1"})
        gateway.script(*([token()] if when == "read" else []), redirect)
        client = rest_client(gateway, retry=RetryPolicy(retries=2, backoff_factor=0))
        with pytest.raises(GatewayUnavailable) as info:
            client.record("company-config/company-preference", "setup")
    assert thief.received == []
    assert len(gateway.received) == (2 if when == "read" else 1)
    assert f"127.0.0.1:{thief.port}" in str(info.value)
    assert "steal" not in str(info.value)


@pytest.mark.parametrize(
    "following",
    ["http://127.0.0.1:{port}/ia/api/v1/services/core/query", "/ia/api/v1/services/core/query?start=2", "2"],
)
def test_ia_meta_next_pointing_anywhere_but_the_next_start_is_never_followed(following):
    """``ia::meta.next`` is the start of the next page (common-resources OpenAPI), never a URL: one naming
    another server, or anything but the next start, ends the read as could not check, and nothing is sent
    anywhere but the configured endpoint."""
    with hostile_gateway() as gateway, hostile_gateway() as thief:
        following = following.format(port=thief.port)
        gateway.script(token(), rest([{"key": "1", "id": "trelica_ws"}], totalCount=2, next=following))
        with pytest.raises(GatewayUnavailable, match="made no progress") as info:
            rest_client(gateway).query("company-config/user", ["key", "id"], size=1)
    assert thief.received == []
    assert len(gateway.received) == 2  # the token and the first page
    assert info.value.kind is ErrorKind.UNREADABLE


@pytest.mark.parametrize("username", ["trelica_ws@acme|US@globex", "trelica_ws@acme@globex"])
def test_a_rest_username_naming_a_second_company_is_a_usage_error(tmp_path, username):
    """Attack: ``INTACCT_REST_USERNAME=user@acme|US@globex`` passed the other-company check (it reads the
    company before the first ``|``) while an API splitting at the last ``@`` would sign in at globex."""
    rest = {"REST_CLIENT_ID": "c", "REST_CLIENT_SECRET": "rest-canary-1", "REST_USERNAME": username}
    values = {f"INTACCT_PROD_{key[8:]}": value for key, value in SETTINGS.items()}
    values |= {f"INTACCT_PROD_{key}": value for key, value in rest.items()}
    with pytest.raises(SettingsError, match="INTACCT_REST_USERNAME"):
        load_environments(["prod"], tmp_path, values)
