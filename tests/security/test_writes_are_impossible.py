"""docs/security.md section 1: writes are impossible on the wire, whatever built the request or named the
environment; a production company is never made writable by a setting it did not name.
"""

from __future__ import annotations

import os

import pytest
from lxml import etree

from pytest_intacct.client import (
    Credentials,
    GatewayUnavailable,
    IntacctClient,
    RetryPolicy,
    WritePermit,
    WriteRefused,
)
from pytest_intacct.client import functions as fn
from pytest_intacct.client.request import sent_functions
from pytest_intacct.client.rest import RestClient
from pytest_intacct.safety.redaction import Secret
from pytest_intacct.settings.environments import SettingsWarning, load_environment, load_environments
from pytest_intacct.settings.fleet import fleet_values, load_fleet
from tests.helpers import answers
from tests.helpers.environments import SETTINGS, write_fleet
from tests.helpers.hostile_client import hostile_client, reply, rest_client, session
from tests.helpers.hostile_gateway import Answer, hostile_gateway

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


# The second review's settings (tests/helpers/environments.py has the first's).
SECOND_REVIEW_SETTINGS = {
    "INTACCT_SENDER_ID": "TrelicaMPP",
    "INTACCT_SENDER_PASSWORD": "sender-attack2-1234",
    "INTACCT_COMPANY_ID": "acme",
    "INTACCT_USER_ID": "trelica_ws",
    "INTACCT_USER_PASSWORD": "user-attack2-5678",
}


def disguised_write() -> fn.Function:
    return fn.Function(
        "read", etree.fromstring("<create><EMPLOYEE><EMPLOYEEID>E9</EMPLOYEEID></EMPLOYEE></create>")
    )


def retagged_read() -> fn.Function:
    function = fn.read_by_query("EMPLOYEE")
    function.element.tag = "delete"
    return function


def namespaced_read() -> fn.Function:
    return fn.Function("readByQuery", etree.Element("{urn:intacct:x}readByQuery"))


def nested_functions_read() -> fn.Function:
    element = fn.read_by_query("EMPLOYEE").element
    element.tag = "update"
    return fn.Function("readByQuery", element)


@pytest.mark.parametrize(
    "make",
    [disguised_write, retagged_read, namespaced_read, nested_functions_read],
    ids=[
        "named-read-element-create",
        "tag-changed-after-build",
        "namespaced-tag",
        "update-named-readByQuery",
    ],
)
@pytest.mark.parametrize("production", [True, False])
def test_a_write_in_disguise_never_leaves_the_machine(make, production):
    """A write dressed as a read (renamed, retagged, namespaced) is refused before a byte leaves."""
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url), reply(lambda ids: answers.response(answers.result("create", ids[0])))
        )
        client = hostile_client(gateway, production=production)
        with pytest.raises(WriteRefused, match="read-only"):
            client.execute([fn.read_by_query("DEPARTMENT"), make()])
        with pytest.raises(WriteRefused):
            client.call(make())
    sent = [etree.fromstring(r.body) for r in gateway.received]
    function_tags = [el[0].tag for root in sent for el in root.iter("function")]
    assert function_tags == ["getAPISession"], "only the sign-in went out"


def legacy_write_named_get_applications() -> fn.Function:
    return fn.Function(
        "get_applications",
        etree.fromstring("<create_department><DEPARTMENTID>X</DEPARTMENTID></create_department>"),
    )


def retagged_get_applications() -> fn.Function:
    function = fn.get_applications()
    function.element.tag = "get_companyprefs"  # a read too, but not one docs/security.md allows
    return function


def test_get_applications_is_the_one_read_added_and_leaves_as_it_was_built():
    """The subscriptions read joins the allowlist alone: it is sent as ``<get_applications/>`` and answered,
    while a legacy write dressed in its name, or a read the allowlist does not name, never leaves."""
    assert fn.READ_FUNCTIONS - {
        "getAPISession", "readByQuery", "readMore", "query", "read", "readByName", "getUserPermissions",
        "lookup", "inspect",
    } == {"get_applications"}  # fmt: skip
    data = "<data><application>CO</application><application>EE</application></data>"
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("get_applications", ids[0], data))),
        )
        client = hostile_client(gateway)
        result = client.call(fn.get_applications())
        for make in (legacy_write_named_get_applications, retagged_get_applications):
            with pytest.raises(WriteRefused):
                client.call(make())
    assert [application.text for application in result.data.iter("application")] == ["CO", "EE"]
    sent = [etree.fromstring(r.body) for r in gateway.received]
    functions = [el for root in sent for el in root.iter("function")]
    assert [el[0].tag for el in functions] == ["getAPISession", "get_applications"]
    assert len(functions[1][0]) == 0, "<get_applications/> carries nothing"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("<function><readByQuery/><create/></function>", "2 elements"),
        ("<function/>", "0 elements"),
        ("<function><!-- x --><readByQuery/></function>", "2 elements"),
        ("<create/>", "<create>"),
        ('<function><x:read xmlns:x="urn:x"/></function>', "namespaced"),
    ],
)
def test_the_sent_bytes_are_read_back_strictly(content, problem):
    """Malformed content (two elements, none, a comment, a bare write, a namespace) is refused."""
    body = (
        f"<request><control/><operation><authentication/><content>{content}</content></operation></request>"
    )
    with pytest.raises(ValueError, match=problem):
        sent_functions(body.encode())


def test_two_content_blocks_are_refused():
    """A second <content> block smuggling a write is refused."""
    body = b"<request><operation><content/><content><function><create/></function></content></operation>"
    body += b"</request>"
    with pytest.raises(ValueError, match="exactly one"):
        sent_functions(body)


@pytest.mark.parametrize("production", [True, None, 0, "false"])
def test_only_an_explicit_production_false_accepts_a_write_permit(production):
    """A permit with production True, None, 0, "false" or the default unlocks nothing."""
    credentials = Credentials("s", Secret("sender-pw-1"), "c", "u", Secret("user-pw-1"))
    with pytest.raises(WriteRefused, match="production=False"):
        IntacctClient(credentials, production=production, write_permit=WritePermit("probe"))
    with pytest.raises(WriteRefused):
        IntacctClient(credentials, write_permit=WritePermit("probe"))  # the default never unlocks


def test_a_permitted_write_is_sent_once_and_never_resent():
    """A permitted write answered 503, with retries left, is still sent only once."""
    with hostile_gateway() as gateway:
        gateway.script(session(gateway.url), Answer(503, "busy", {"Content-Type": "text/plain"}))
        client = hostile_client(
            gateway,
            production=False,
            write_permit=WritePermit("probe"),
            retry=RetryPolicy(retries=3, backoff_factor=0),
        )
        with pytest.raises(GatewayUnavailable, match="HTTP 503"):
            client.execute([disguised_write()])
    assert len(gateway.received) == 2, "sign-in, then the write exactly once"


@pytest.mark.parametrize("name", ["prod-eu", "PROD_US", "production-2"])
def test_an_environment_named_like_production_never_defaults_to_a_test_company(tmp_path, name):
    """Environments named prod-eu, PROD_US or production-2 are production unless told otherwise."""
    env = load_environment(
        name,
        tmp_path,
        environ={f"INTACCT_{name.upper().replace('-', '_')}_{k[8:]}": v for k, v in SETTINGS.items()},
    )
    assert env.production is True


def test_a_write_permit_needs_a_literal_false_even_from_settings(tmp_path):
    """Settings of a production-named environment, or production=0, never make a permit work."""
    environ = {f"INTACCT_PROD_{k[8:]}": v for k, v in SETTINGS.items()}
    env = load_environment("prod", tmp_path, environ=environ)
    with pytest.raises(WriteRefused):
        IntacctClient(env.credentials, production=env.production, write_permit=WritePermit("attack"))
    with pytest.raises(WriteRefused):
        IntacctClient(env.credentials, production=0, write_permit=WritePermit("attack"))  # type: ignore[arg-type]


def test_a_shared_dotenv_cannot_make_a_production_named_environment_writable(tmp_path):
    """A shared .env saying INTACCT_PRODUCTION=false does not make 'prod' writable."""
    lines = {**SECOND_REVIEW_SETTINGS, "INTACCT_PRODUCTION": "false"}  # written for the developer's sandbox
    tmp_path.joinpath(".env").write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    with pytest.warns(SettingsWarning, match="INTACCT_PRODUCTION is ignored for 'prod'"):
        prod = load_environment("prod", tmp_path, environ={})
    assert (prod.production, prod.writes_allowed) == (True, False)


def test_fleet_defaults_cannot_make_a_production_named_entry_writable(tmp_path, monkeypatch):
    """A fleet's [defaults] production = false does not make 'acme-prod' writable."""
    monkeypatch.setenv("WS_PW", "user-attack2-5678")
    monkeypatch.setenv("SENDER_PW", "sender-attack2-1234")
    fleet = load_fleet(
        write_fleet(
            tmp_path,
            '[defaults]\nsender = "TrelicaMPP"\nsender_password_var = "SENDER_PW"\ncompany = "acme"\n'
            'user = "trelica_ws"\nuser_password_var = "WS_PW"\nproduction = false\n\n'
            '[[environment]]\nname = "acme-sandbox"\n\n[[environment]]\nname = "acme-prod"\n',
        )
    )
    [_, prod] = load_environments(fleet.names, tmp_path, {}, fleet=fleet_values(fleet, os.environ))
    assert (prod.production, prod.writes_allowed) == (True, False)


QUERY = b'{"object":"company-config/user","fields":["id"],"filters":[],"start":1,"size":1}'


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("PUT", "/objects/company-config/user/1", b'{"status":"inactive"}', {}),
        ("PATCH", "/objects/company-config/user/1", b'{"status":"inactive"}', {}),
        ("DELETE", "/objects/company-config/user/1", b"", {}),
        ("HEAD", "/objects/company-config/user/1", b"", {}),
        ("POST", "/objects/company-config/user", b'{"id":"intruder"}', {}),
        ("POST", "/services/core/composite", b'[{"method":"DELETE","path":"/objects/x/1"}]', {}),
        ("POST", "/services/core/query/../../objects/company-config/user", QUERY, {}),
        ("POST", "/services/core/%71uery", QUERY, {}),
        ("POST", "/services/core/query", QUERY[:-1] + b',"values":{"status":"inactive"}}', {}),
        ("POST", "/services/core/query", b"DELETE FROM user", {}),
        ("POST", "/oauth2/token", b"grant_type=password&username=u&password=p", {}),
        ("POST", "/oauth2/token", b"grant_type=client_credentials&username=a&username=b", {}),
        ("GET", "/objects/company-config/user/1?_method=DELETE", b"", {}),
        ("GET", "/objects/company-config/user/1", b"", {"X-HTTP-Method-Override": "DELETE"}),
        ("GET", "/objects/company-config/user/1", b'{"status":"inactive"}', {}),
        ("GET", "@127.0.0.2:80/objects/company-config/user", b"", {}),
        ("GET", "/objects/company-config/user/1", b"", {"X-HTTP-Method-Override ": "DELETE"}),
        (
            "GET",
            "/objects/company-config/user/1",
            b"",
            {"X-IA-API-Param-Entity": "e\r\nX-HTTP-Method: DELETE"},
        ),
    ],
    ids=[
        "put",
        "patch",
        "delete",
        "head",
        "post-create",
        "post-composite",
        "dot-segments-to-an-object",
        "percent-encoded-query-path",
        "query-carrying-values",
        "query-not-json",
        "token-password-grant",
        "token-field-twice",
        "query-string-method",
        "method-override-header",
        "get-with-a-body",
        "another-host-in-the-path",
        "method-override-header-name-padded",
        "method-override-smuggled-in-a-header-value",
    ],
)
def test_the_rest_client_sends_nothing_but_reads(method, path, body, headers):
    """A request the REST client is about to send is read back: anything but a GET, or a POST of a query
    or a client-credentials token request, is refused before a byte leaves, whatever built it."""
    with hostile_gateway() as gateway:
        client = rest_client(gateway)
        with pytest.raises(WriteRefused, match="this client is read-only"):
            client._send(
                method, path, body, {"Authorization": "Bearer RestToken6d4.Canary-6d4Tail", **headers}
            )
    assert gateway.received == []
    assert client.round_trips == 0


def test_the_rest_client_has_no_write_permit_to_give():
    """Unlike the XML client, the REST client takes no permit: no setting makes it write."""
    assert "write_permit" not in RestClient.__init__.__code__.co_varnames
    assert {name for name in dir(RestClient) if not name.startswith("_")} == {
        "close",
        "query",
        "record",
        "references",
        "sign_in",
    }
