"""The gateway client against every response shape of the reference, with ``responses`` mocks."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

import pytest
import requests
import responses
from lxml import etree

from pytest_intacct.client import (
    ClientUsageError,
    Credentials,
    ErrorKind,
    FunctionFailed,
    GatewayRejected,
    GatewayUnavailable,
    IntacctClient,
    Level,
    RetryPolicy,
    WritePermit,
    WriteRefused,
)
from pytest_intacct.client import functions as fn
from pytest_intacct.safety.redaction import Secret
from tests.helpers import answers
from tests.helpers.hostile_client import hostile_client
from tests.helpers.hostile_gateway import hostile_gateway

LOGIN_URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"
SESSION_URL = "https://na12.intacct.com/ia/xml/xmlgw.phtml"
SENDER_CANARY = "canary-sender-pw-7f3a"
USER_CANARY = "canary-user-pw-91bc"
SESSION_CANARY = "canary-session-4d2e.."


def make_client(**kwargs) -> IntacctClient:
    credentials = Credentials(
        sender_id="TrelicaMPP",
        sender_password=Secret(SENDER_CANARY),
        company_id="acme",
        user_id="trelica_ws",
        user_password=Secret(USER_CANARY),
        endpoint=LOGIN_URL,
    )
    kwargs.setdefault("retry", RetryPolicy(retries=2, backoff_factor=0))
    return IntacctClient(credentials, **kwargs)


def controlids(request) -> list[str]:
    root = etree.fromstring(request.body)
    return [f.get("controlid") for f in root.iter("function")]


def gateway(build: Callable[[etree._Element, list[str]], str], status: int = 200):
    """A ``responses`` callback answering with ``build(request_root, controlids)``."""

    def callback(request):
        root = etree.fromstring(request.body)
        return status, {"Content-Type": 'text/xml; encoding="UTF-8"'}, build(root, controlids(request))

    return callback


def with_session(rsps: responses.RequestsMock) -> None:
    rsps.add_callback(
        responses.POST,
        LOGIN_URL,
        callback=gateway(lambda root, ids: answers.session(SESSION_CANARY, SESSION_URL, ids[0])),
    )


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# -- the request envelope --------------------------------------------------------------


def test_request_envelope_follows_the_sdk_element_order(rsps):
    with_session(rsps)
    client = make_client()
    client.sign_in()
    body = etree.fromstring(rsps.calls[0].request.body)

    assert [c.tag for c in body.find("control")] == [
        "senderid",
        "password",
        "controlid",
        "uniqueid",
        "dtdversion",
        "includewhitespace",
    ]
    assert body.findtext("control/uniqueid") == "false"
    assert body.findtext("control/dtdversion") == "3.0"
    assert body.find("operation").get("transaction") == "false"
    assert [c.tag for c in body.find("operation/authentication/login")] == ["userid", "companyid", "password"]
    assert [f[0].tag for f in body.iter("function")] == ["getAPISession"]


def test_sign_in_is_alone_and_later_calls_follow_the_session_endpoint(rsps):
    with_session(rsps)
    rsps.add_callback(
        responses.POST,
        SESSION_URL,
        callback=gateway(
            lambda root, ids: answers.response(
                answers.result(
                    "readByQuery", ids[0], '<data listtype="department" count="0" numremaining="0"/>'
                )
            )
        ),
    )
    client = make_client()
    client.read_by_query("DEPARTMENT")

    assert [c.request.url for c in rsps.calls] == [LOGIN_URL, SESSION_URL]
    second = etree.fromstring(rsps.calls[1].request.body)
    assert second.findtext("operation/authentication/sessionid") == SESSION_CANARY
    assert second.find("operation/authentication/login") is None
    with pytest.raises(ValueError, match="alone"):
        client.execute([fn.get_api_session(), fn.read_by_query("DEPARTMENT")])


def test_many_functions_in_one_request_each_result_matched_by_controlid(rsps):
    with_session(rsps)

    def build(root, ids):
        dept, adj, loc = ids
        return answers.response(
            answers.result(
                "readByQuery",
                loc,
                '<data listtype="location" count="1" numremaining="0">'
                "<location><LOCATIONID>L1</LOCATIONID></location></data>",
            ),
            answers.failed_result("readByQuery", adj, answers.PERMISSION_DENIED),
            answers.result("readByQuery", dept, '<data listtype="department" count="0" numremaining="0"/>'),
        )

    rsps.add_callback(responses.POST, SESSION_URL, callback=gateway(build))
    client = make_client()
    functions = [
        fn.read_by_query("DEPARTMENT"),
        fn.read_by_query("APADJUSTMENT"),
        fn.read_by_query("LOCATION"),
    ]
    response = client.execute(functions)

    dept, adj, loc = (response.result(f.controlid) for f in functions)
    assert dept.ok
    assert loc.ok
    assert not adj.ok
    assert adj.errors[0].errorno == "PL04000005"
    assert adj.errors[0].support_id == "p5rxS~YxEXrDEnVyr0F531W8X9bQAAACQ"
    assert len(rsps.calls) == 2  # one sign-in, one request for all three reads


def test_permission_denied_on_one_read_is_a_classified_function_failure(rsps):
    with_session(rsps)
    rsps.add_callback(
        responses.POST,
        SESSION_URL,
        callback=gateway(
            lambda root, ids: answers.response(
                answers.failed_result("readByQuery", ids[0], answers.PERMISSION_DENIED)
            )
        ),
    )
    with pytest.raises(FunctionFailed) as info:
        make_client().read_by_query("APADJUSTMENT")
    assert info.value.kind is ErrorKind.PERMISSION_DENIED
    assert info.value.level is Level.FUNCTION
    assert "READ_BY_QUERY on objects of type apadjustment" in str(info.value)


# -- control and authentication failures ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "level", "kind"),
    [
        pytest.param(200, answers.BAD_SENDER, Level.CONTROL, ErrorKind.SENDER_CREDENTIALS, id="bad-sender"),
        pytest.param(
            200,
            answers.SENDER_NOT_AUTHORIZED,
            Level.AUTHENTICATION,
            ErrorKind.SENDER_NOT_AUTHORIZED,
            id="sender-not-authorized",
        ),
        pytest.param(
            200, answers.SIGN_IN_LEGACY, Level.AUTHENTICATION, ErrorKind.SIGN_IN_FAILED, id="sign-in-200"
        ),
        pytest.param(401, answers.SIGN_IN_401, Level.CONTROL, ErrorKind.SIGN_IN_FAILED, id="sign-in-401"),
    ],
)
def test_refusals_are_classified_by_level_and_text(rsps, status, body, level, kind):
    rsps.add(responses.POST, LOGIN_URL, body=body, status=status, content_type="text/xml")
    with pytest.raises(GatewayRejected) as info:
        make_client().sign_in()
    assert info.value.level is level
    assert info.value.kind is kind
    assert len(rsps.calls) == 1, "a refusal (4xx other than 429) is never retried"


def test_throttling_that_outlasts_the_retries_is_a_throttled_refusal(rsps):
    rsps.add(responses.POST, LOGIN_URL, body=answers.THROTTLED_429, status=429, content_type="text/xml")
    with pytest.raises(GatewayRejected) as info:
        make_client().sign_in()
    assert info.value.level is Level.CONTROL
    assert info.value.kind is ErrorKind.THROTTLED
    assert len(rsps.calls) == 3, "429 is retried (2 retries), then reported"
    assert info.value.attempts == 3
    assert "after 3 attempt(s)" in str(info.value)


def test_sender_not_authorized_keeps_the_gateway_text(rsps):
    rsps.add(responses.POST, LOGIN_URL, body=answers.SENDER_NOT_AUTHORIZED, content_type="text/xml")
    with pytest.raises(GatewayRejected) as info:
        make_client().sign_in()
    message = str(info.value)
    assert "XL03000006 Invalid Web Services Authorization" in message
    assert "The sender ID 'test_sender_id' is not authorized" in message
    assert "Contact the company administrator" in message


def test_an_expired_session_is_renewed_once(rsps):
    with_session(rsps)
    replies = iter(
        [
            lambda root, ids: answers.INVALID_SESSION,
            lambda root, ids: answers.response(
                answers.result(
                    "readByQuery", ids[0], '<data listtype="glaccount" count="0" numremaining="0"/>'
                )
            ),
        ]
    )
    rsps.add_callback(
        responses.POST, SESSION_URL, callback=gateway(lambda root, ids: next(replies)(root, ids))
    )
    assert make_client().read_by_query("GLACCOUNT") == []
    assert [c.request.url for c in rsps.calls] == [LOGIN_URL, SESSION_URL, LOGIN_URL, SESSION_URL]


# -- paging ------------------------------------------------------------------------------


def test_read_by_query_follows_read_more_until_nothing_remains(rsps):
    with_session(rsps)

    def build(root, ids):
        if root.find(".//readByQuery") is not None:
            data = (
                '<data listtype="department" count="2" totalcount="3" numremaining="1" '
                'resultId="7765623332WU1h">'
                "<department><DEPARTMENTID>D1</DEPARTMENTID></department>"
                "<department><DEPARTMENTID>D2</DEPARTMENTID></department></data>"
            )
            return answers.response(answers.result("readByQuery", ids[0], data))
        assert root.findtext(".//readMore/resultId") == "7765623332WU1h"
        data = (
            '<data listtype="department" count="1" totalcount="3" numremaining="0" resultId="7765623332WU1h">'
            "<department><DEPARTMENTID>D3</DEPARTMENTID></department></data>"
        )
        return answers.response(answers.result("readMore", ids[0], data))

    rsps.add_callback(responses.POST, SESSION_URL, callback=gateway(build))
    records = make_client().read_by_query("DEPARTMENT", "STATUS = 'T'", pagesize=2)
    assert [r["DEPARTMENTID"] for r in records] == ["D1", "D2", "D3"]
    assert etree.fromstring(rsps.calls[1].request.body).findtext(".//readByQuery/pagesize") == "2"


def test_query_pages_by_offset(rsps):
    with_session(rsps)

    def build(root, ids):
        offset = int(root.findtext(".//query/offset"))
        rows = {0: ["1", "2"], 2: ["3"]}[offset]
        remaining = 1 if offset == 0 else 0
        body = "".join(f"<USERINFO><RECORDNO>{r}</RECORDNO></USERINFO>" for r in rows)
        data = (
            f'<data listtype="USERINFO" totalcount="3" offset="{offset}" count="{len(rows)}" '
            f'numremaining="{remaining}">{body}</data>'
        )
        return answers.response(answers.result("query", ids[0], data))

    rsps.add_callback(responses.POST, SESSION_URL, callback=gateway(build))
    records = make_client().query(
        "USERINFO", ["RECORDNO"], filter_=fn.equal_to("STATUS", "active"), pagesize=2
    )
    assert [r["RECORDNO"] for r in records] == ["1", "2", "3"]


def test_query_literals_are_escaped_like_the_sdks():
    assert fn.escape_literal("Bob's Pizza, Inc.") == "'Bob\\'s Pizza, Inc.'"
    assert fn.escape_literal("plain") == "'plain'"


@pytest.mark.parametrize("size", [0, 1001])
def test_read_by_query_page_size_is_bounded(size):
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        fn.read_by_query("DEPARTMENT", pagesize=size)


def test_user_permissions_are_parsed_into_sets_of_rights(rsps):
    with_session(rsps)
    data = (
        "<data><permissions><appSubscription><applicationName>Company</applicationName><policies>"
        "<policy><policyName>Employees</policyName><rights>List|View|Edit</rights></policy>"
        "<policy><policyName>Departments</policyName><rights>List|View</rights></policy>"
        "</policies></appSubscription></permissions></data>"
    )
    rsps.add_callback(
        responses.POST,
        SESSION_URL,
        callback=gateway(
            lambda root, ids: answers.response(answers.result("getUserPermissions", ids[0], data))
        ),
    )
    permissions = make_client().get_user_permissions("trelica_ws")
    assert permissions == {
        "Company": {
            "Employees": frozenset({"List", "View", "Edit"}),
            "Departments": frozenset({"List", "View"}),
        }
    }


# -- transport failures: "could not check", never a verdict ------------------------------


def test_5xx_then_success_is_retried_transparently(rsps):
    rsps.add(responses.POST, LOGIN_URL, status=503, body=answers.CLOUDFLARE_PAGE, content_type="text/html")
    with_session(rsps)
    assert make_client().sign_in().endpoint == SESSION_URL
    assert len(rsps.calls) == 2


def test_5xx_that_persists_is_unreachable_after_bounded_retries(rsps):
    rsps.add(responses.POST, LOGIN_URL, status=502, body=answers.CLOUDFLARE_PAGE, content_type="text/html")
    with pytest.raises(GatewayUnavailable) as info:
        make_client(retry=RetryPolicy(retries=3, backoff_factor=0)).sign_in()
    assert info.value.kind is ErrorKind.UNREACHABLE
    assert info.value.http_status == 502
    assert len(rsps.calls) == 4


def test_524_is_never_retried(rsps):
    rsps.add(responses.POST, LOGIN_URL, status=524, body="", content_type="text/html")
    with pytest.raises(GatewayUnavailable):
        make_client().sign_in()
    assert len(rsps.calls) == 1


def test_html_error_page_with_200_is_unreadable(rsps):
    rsps.add(responses.POST, LOGIN_URL, status=200, body=answers.CLOUDFLARE_PAGE, content_type="text/html")
    with pytest.raises(GatewayUnavailable) as info:
        make_client().sign_in()
    assert info.value.kind is ErrorKind.UNREADABLE
    assert "HTML page" in str(info.value)
    assert "502: Bad gateway" in str(info.value)


def test_truncated_xml_is_unreadable(rsps):
    full = answers.session(SESSION_CANARY, SESSION_URL)
    rsps.add(responses.POST, LOGIN_URL, body=full[: len(full) // 2], content_type="text/xml")
    with pytest.raises(GatewayUnavailable) as info:
        make_client().sign_in()
    assert info.value.kind is ErrorKind.UNREADABLE
    assert "malformed or truncated" in str(info.value)


def test_entity_expansion_bomb_is_refused_without_expanding(rsps):
    rsps.add(responses.POST, LOGIN_URL, body=answers.ENTITY_BOMB, content_type="text/xml")
    started = time.perf_counter()
    with pytest.raises(GatewayUnavailable) as info:
        make_client().sign_in()
    assert time.perf_counter() - started < 2
    assert info.value.kind is ErrorKind.UNREADABLE
    assert "lollol" not in str(info.value)


def test_oversized_answer_is_refused(rsps):
    rsps.add(responses.POST, LOGIN_URL, body=b"<response>" + b" " * 5000, content_type="text/xml")
    client = make_client()
    client._transport.max_bytes = 1024
    with pytest.raises(GatewayUnavailable, match="larger than 1024 bytes"):
        client.sign_in()


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (requests.ConnectionError("Connection reset by peer"), ": Connection reset by peer; gave up"),
        (requests.ReadTimeout("read timed out"), "within 60s (the per-request timeout)"),
    ],
)
def test_connection_failures_are_unreachable_with_their_cause_in_words(rsps, exc, cause):
    """The cause is told in words: a library's class name means nothing to the person reading it."""
    rsps.add(responses.POST, LOGIN_URL, body=exc)
    with pytest.raises(GatewayUnavailable) as info:
        make_client().sign_in()
    assert info.value.kind is ErrorKind.UNREACHABLE
    assert cause in str(info.value)
    assert type(exc).__name__ not in str(info.value)


def test_4xx_without_xml_is_unreadable_not_a_verdict(rsps):
    rsps.add(responses.POST, LOGIN_URL, status=403, body="Forbidden", content_type="text/plain")
    with pytest.raises(GatewayUnavailable, match="HTTP 403"):
        make_client().sign_in()


# -- read-only by construction -----------------------------------------------------------


def write_function() -> fn.Function:
    element = etree.fromstring("<create><EMPLOYEE><EMPLOYEEID>E9</EMPLOYEEID></EMPLOYEE></create>")
    return fn.Function("create", element)


def test_a_write_function_is_refused_before_any_byte_is_sent(rsps):
    client = make_client()
    with pytest.raises(WriteRefused, match="read-only"):
        client.execute([fn.read_by_query("EMPLOYEE"), write_function()])
    assert len(rsps.calls) == 0


def test_a_write_permit_is_refused_for_production():
    with pytest.raises(WriteRefused, match="production"):
        make_client(production=True, write_permit=WritePermit("edit probe"))


def test_a_write_permit_for_a_sandbox_lets_the_write_through(rsps):
    with_session(rsps)
    rsps.add_callback(
        responses.POST,
        SESSION_URL,
        callback=gateway(lambda root, ids: answers.response(answers.result("create", ids[0]))),
    )
    client = make_client(production=False, write_permit=WritePermit("edit probe"))
    function = write_function()
    assert client.execute([function]).result(function.controlid).ok


def test_every_builder_is_in_the_read_allowlist():
    builders = [
        fn.get_api_session(),
        fn.read_by_query("X"),
        fn.read_more("r"),
        fn.query("X", ["RECORDNO"]),
        fn.read("X", ["1"]),
        fn.read_by_name("X", ["a"]),
        fn.get_user_permissions("u"),
        fn.lookup("X"),
        fn.inspect(),
        fn.get_applications(),
    ]
    assert all(f.is_read for f in builders)
    assert {f.name for f in builders} == fn.READ_FUNCTIONS


# -- secrets -----------------------------------------------------------------------------


def test_secrets_never_reach_repr_exceptions_or_debug_logs(rsps, caplog):
    caplog.set_level(logging.DEBUG, logger="pytest_intacct")
    with_session(rsps)
    rsps.add_callback(
        responses.POST,
        SESSION_URL,
        callback=gateway(
            lambda root, ids: answers.response(
                answers.failed_result("readByQuery", ids[0], answers.PERMISSION_DENIED)
            )
        ),
    )
    client = make_client()
    with pytest.raises(FunctionFailed) as info:
        client.read_by_query("APADJUSTMENT")

    texts = [repr(client), repr(client.credentials), str(client.credentials), repr(client.session)]
    texts += [str(info.value), repr(info.value), caplog.text]
    assert SENDER_CANARY in rsps.calls[0].request.body.decode()  # it did go on the wire
    for text in texts:
        for canary in (SENDER_CANARY, USER_CANARY, SESSION_CANARY):
            assert canary not in text
    assert "<password>***</password>" in caplog.text
    assert "<sessionid>***</sessionid>" in caplog.text


def test_credentials_cannot_be_pickled_out():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret(USER_CANARY))
    assert f"{Secret(USER_CANARY)}" == "***"
    assert dataclasses.replace(make_client().credentials).user_password == Secret(USER_CANARY)


def test_an_answer_cut_off_mid_body_is_unreadable(rsps):
    rsps.add(
        responses.POST, LOGIN_URL, body=requests.exceptions.ChunkedEncodingError("IncompleteRead(406 bytes)")
    )
    with pytest.raises(GatewayUnavailable, match="was cut off") as info:
        make_client().sign_in()
    assert info.value.kind is ErrorKind.UNREADABLE


def test_a_page_announcing_records_it_does_not_carry_is_unreadable():
    from pytest_intacct.client.response import parse_response

    empty_page = '<data listtype="roleusers" count="2" totalcount="2" numremaining="0"></data>'
    body = answers.response(answers.result("readByQuery", "c1", empty_page))
    result = parse_response(body.encode(), http_status=200, content_type="text/xml").result("c1")
    with pytest.raises(GatewayUnavailable, match=r"announced count=2 but carried 0 record\(s\)"):
        _ = result.page


def test_read_to_end_refuses_what_is_not_a_paged_read():
    with hostile_gateway() as gateway:
        client = hostile_client(gateway)
        result = fn.lookup("X")
        with pytest.raises(ClientUsageError, match="not a paged read"):
            client.read_to_end(result, None)  # type: ignore[arg-type]
