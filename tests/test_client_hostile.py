"""The client against a hostile or broken gateway on loopback: each attack of issue 7 kept as a test.

Canary secrets hold ``<"&\\`` and a non-ASCII character, so every escaping on the way is exercised.
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.parse

import pytest
import responses
from lxml import etree

from pytest_intacct.client import (
    ClientUsageError,
    Credentials,
    ErrorKind,
    GatewayRejected,
    GatewayUnavailable,
    IntacctClient,
    IntacctError,
    RetryPolicy,
    Transport,
    UnexpectedError,
    WritePermit,
    WriteRefused,
)
from pytest_intacct.client import functions as fn
from pytest_intacct.client.request import sent_functions
from pytest_intacct.safety.redaction import REDACTED_WHOLE, Secret, redact
from tests.helpers import answers
from tests.helpers.hostile_gateway import Answer, HostileGateway, hostile_gateway

SENDER_CANARY = 'SenderCanary5e1<"&\\ë-5e1Tail'
USER_CANARY = 'UserCanary8b2<"&\\Ü-8b2Tail'
SESSION_CANARY = "HostileSession-7c3d9.."
CANARIES = (SENDER_CANARY, USER_CANARY, SESSION_CANARY)
# Every spelling of a canary (escaped, encoded, a bytes repr, cut short by a repr) keeps one of these.
MARKERS = ("SenderCanary5e1", "5e1Tail", "UserCanary8b2", "8b2Tail", "HostileSession-7c3d9")
XML = {"Content-Type": "text/xml; charset=UTF-8"}


def hostile_client(gateway: HostileGateway, **kwargs) -> IntacctClient:
    credentials = Credentials(
        sender_id="TrelicaMPP",
        sender_password=Secret(SENDER_CANARY),
        company_id="acme",
        user_id="trelica_ws",
        user_password=Secret(USER_CANARY),
        endpoint=gateway.url,
    )
    kwargs.setdefault("retry", RetryPolicy(retries=0, backoff_factor=0))
    kwargs.setdefault("timeout", 5.0)
    return IntacctClient(credentials, **kwargs)


def controlids(body: bytes) -> list[str]:
    return [f.get("controlid") for f in etree.fromstring(body).iter("function")]


def session(endpoint: str):
    return lambda body: Answer(body=answers.session(SESSION_CANARY, endpoint, controlids(body)[0]))


def reply(build):
    """An answer built from the request's controlids: ``build(ids) -> str``."""
    return lambda body: Answer(body=build(controlids(body)))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for marker in MARKERS:
            assert marker not in text, f"a secret leaked: {text[max(0, text.find(marker) - 80) :][:200]!r}"


def chain_texts(error: BaseException) -> list[str]:
    """Message, args, the cause/context chain, and every frame local still reachable from it."""
    texts = []
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        seen += 1
        texts += [str(current), repr(current), repr(current.args)]
        traceback = current.__traceback__
        while traceback is not None:
            frame = traceback.tb_frame
            texts += [f"{name}={value!r}" for name, value in frame.f_locals.items()]
            traceback = traceback.tb_next
        current = current.__cause__ or current.__context__
    return texts


# -- 1. writes are impossible on the wire -------------------------------------------------------


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
    body = (
        f"<request><control/><operation><authentication/><content>{content}</content></operation></request>"
    )
    with pytest.raises(ValueError, match=problem):
        sent_functions(body.encode())


def test_two_content_blocks_are_refused():
    body = b"<request><operation><content/><content><function><create/></function></content></operation>"
    body += b"</request>"
    with pytest.raises(ValueError, match="exactly one"):
        sent_functions(body)


@pytest.mark.parametrize("production", [True, None, 0, "false"])
def test_only_an_explicit_production_false_accepts_a_write_permit(production):
    credentials = Credentials("s", Secret("sender-pw-1"), "c", "u", Secret("user-pw-1"))
    with pytest.raises(WriteRefused, match="production=False"):
        IntacctClient(credentials, production=production, write_permit=WritePermit("probe"))
    with pytest.raises(WriteRefused):
        IntacctClient(credentials, write_permit=WritePermit("probe"))  # the default never unlocks


def test_a_permitted_write_is_sent_once_and_never_resent():
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


# -- 2. the transport boundary: nothing escaping the client holds a secret ------------------------


def test_an_unexpected_exception_is_contained_without_chain_or_body_frames(monkeypatch):
    def broken_post(self, url, data=None, **kwargs):
        raise ValueError(f"library bug while sending {data!r}")

    monkeypatch.setattr("requests.Session.post", broken_post)
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


def test_a_result_missing_from_the_answer_is_typed_not_a_key_error():
    with hostile_gateway() as gateway:
        gateway.script(session(gateway.url), Answer(body=answers.response()))
        client = hostile_client(gateway)
        with pytest.raises(IntacctError, match="0 results with controlid") as info:
            client.read_by_query("DEPARTMENT")
    assert not isinstance(info.value, KeyError)
    assert_no_secret(*chain_texts(info.value))


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
    Secret(SENDER_CANARY)
    text = redact(f"before {spell(SENDER_CANARY)} after")
    assert_no_secret(text)
    assert text == REDACTED_WHOLE or (
        text.startswith("before ") and text.endswith(" after") and "***" in text
    )


# -- 3. credentials go only where the user pointed them -------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed(status):
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
    with hostile_gateway() as gateway, hostile_gateway() as thief:
        gateway.script(session(thief.url))
        client = hostile_client(gateway)
        with pytest.raises(GatewayUnavailable, match=f"127.0.0.1:{thief.port}") as info:
            client.read_by_query("DEPARTMENT")
    assert thief.received == []
    assert "session endpoint" in str(info.value)


def test_a_session_endpoint_on_the_same_host_and_port_is_followed():
    with hostile_gateway() as gateway:
        same = gateway.url.replace("/ia/xml/xmlgw.phtml", "/other/path")
        empty = '<data listtype="department" count="0" numremaining="0"/>'
        gateway.script(
            session(same), reply(lambda ids: answers.response(answers.result("readByQuery", ids[0], empty)))
        )
        assert hostile_client(gateway).read_by_query("DEPARTMENT") == []
    assert [r.path for r in gateway.received] == ["/ia/xml/xmlgw.phtml", "/other/path"]


# -- 4. every wait is bounded ---------------------------------------------------------------------


@pytest.mark.parametrize("close_delimited", [False, True], ids=["content-length", "eof-delimited"])
def test_a_dripping_answer_fails_after_the_timeout(close_delimited):
    with hostile_gateway() as gateway:
        body = answers.session(SESSION_CANARY, gateway.url)
        gateway.script(Answer(body=body, drip=0.05, close_delimited=close_delimited))
        started = time.monotonic()
        with pytest.raises(GatewayUnavailable, match=r"no complete answer .* within 0\.5s") as info:
            hostile_client(gateway, timeout=0.5).sign_in()
        elapsed = time.monotonic() - started
    # The whole answer would take len(body) * 0.05 s (about 30 s); every gap is far below the timeout.
    assert len(body) * 0.05 > 20
    assert elapsed < 2.5
    assert info.value.kind is ErrorKind.UNREACHABLE


def test_a_call_has_a_budget_across_retries_and_reports_its_tries():
    with hostile_gateway() as gateway:
        gateway.script(Answer(503, "busy", {"Content-Type": "text/plain"}))
        # Unbounded, 10 retries would wait about 4.5 s; the budget stops the call after 1 s.
        policy = RetryPolicy(retries=10, backoff_factor=0.5, backoff_max=0.5, budget=1.0)
        started = time.monotonic()
        with pytest.raises(GatewayUnavailable) as info:
            hostile_client(gateway, retry=policy).sign_in()
        elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert 2 <= info.value.attempts < 11
    assert info.value.attempts == len(gateway.received)
    assert 0 < info.value.waited <= 1.0
    assert f"after {info.value.attempts} attempt(s)" in str(info.value)


def recording_client(rsps_url: str, policy: RetryPolicy, waits: list[float]) -> IntacctClient:
    credentials = Credentials("s", Secret(SENDER_CANARY), "c", "u", Secret(USER_CANARY), endpoint=rsps_url)
    transport = Transport(timeout=5, retry=policy, sleep=waits.append)
    return IntacctClient(credentials, transport=transport)


URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"


@responses.activate
def test_retry_after_is_honoured_but_capped():
    responses.add(
        responses.POST, URL, body=answers.THROTTLED_429, status=429, headers={"Retry-After": "3600"}
    )
    responses.add(responses.POST, URL, body=answers.THROTTLED_429, status=429, headers={"Retry-After": "2"})
    responses.add(responses.POST, URL, body=answers.session(SESSION_CANARY, URL, "x"), status=200)
    waits: list[float] = []
    with pytest.raises(IntacctError):  # the controlid does not match, which is fine here
        recording_client(URL, RetryPolicy(retries=3, retry_after_max=5), waits).sign_in()
    assert waits == [5, 2]
    assert len(responses.calls) == 3


@responses.activate
def test_throttling_is_survived_with_backoff():
    responses.add(responses.POST, URL, body=answers.THROTTLED_429, status=429, content_type="text/xml")
    responses.add(responses.POST, URL, body="Too many", status=429, content_type="text/plain")

    def ok(request):
        return 200, XML, answers.session(SESSION_CANARY, URL, controlids(request.body)[0])

    responses.add_callback(responses.POST, URL, callback=ok)
    waits: list[float] = []
    client = recording_client(URL, RetryPolicy(retries=4, backoff_factor=0.5), waits)
    assert client.sign_in().endpoint == URL
    assert waits == [0.5, 1.0]


@responses.activate
def test_throttling_beyond_the_retries_is_a_throttled_error():
    responses.add(responses.POST, URL, body="Too many", status=429, content_type="text/plain")
    waits: list[float] = []
    with pytest.raises(GatewayUnavailable) as info:
        recording_client(URL, RetryPolicy(retries=2, backoff_factor=0.5), waits).sign_in()
    assert info.value.kind is ErrorKind.THROTTLED
    assert info.value.attempts == 3
    assert info.value.waited == 1.5
    assert "after 3 attempt(s), 1.5s waited" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retries": -1}, "from 0 to 10"),
        ({"retries": 11}, "from 0 to 10"),
        ({"retries": 1000}, "from 0 to 10"),
        ({"retries": 1.5}, "whole number"),
        ({"retries": True}, "whole number"),
        ({"backoff_factor": float("nan")}, "backoff_factor"),
        ({"retry_after_max": float("inf")}, "retry_after_max"),
        ({"budget": 0}, "greater than 0"),
    ],
)
def test_a_retry_policy_out_of_bounds_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), "60"])
def test_a_timeout_must_be_finite_and_positive(timeout):
    credentials = Credentials("s", Secret("sender-pw-1"), "c", "u", Secret("user-pw-1"))
    with pytest.raises(ValueError, match="timeout must be") as info:
        IntacctClient(credentials, timeout=timeout)
    assert isinstance(info.value, ClientUsageError), "also an IntacctError, for callers that catch those"


def departments(department: str, attributes: str) -> str:
    row = f"<department><DEPARTMENTID>{department}</DEPARTMENTID></department>"
    return f'<data listtype="department" {attributes}>{row}</data>'


def users(recordno: str, attributes: str) -> str:
    return (
        f'<data listtype="USERINFO" {attributes}><USERINFO><RECORDNO>{recordno}</RECORDNO></USERINFO></data>'
    )


def paged(function: str, ids, remaining: int, result_id: str = "R1", count: int = 1) -> str:
    rows = "".join(f"<department><DEPARTMENTID>D{i}</DEPARTMENTID></department>" for i in range(count))
    attributes = f'count="{count}" numremaining="{remaining}" resultId="{result_id}"'
    data = f'<data listtype="department" {attributes}>{rows}</data>'
    return answers.response(answers.result(function, ids[0], data))


def test_a_gateway_that_keeps_promising_pages_hits_the_page_bound():
    with hostile_gateway() as gateway:
        remaining = iter(range(10**6, 0, -1))
        gateway.script(
            session(gateway.url),
            reply(lambda ids: paged("readByQuery", ids, next(remaining))),
            reply(lambda ids: paged("readMore", ids, next(remaining))),
        )
        with pytest.raises(GatewayUnavailable, match="after 5 pages; stopped at the bound of 5 pages"):
            hostile_client(gateway, max_pages=5).read_by_query("DEPARTMENT")
    assert len(gateway.received) == 1 + 5


@pytest.mark.parametrize(("remaining", "count"), [(3, 1), (4, 1), (2, 0)], ids=["same", "more", "empty-page"])
def test_a_read_more_without_progress_is_detected(remaining, count):
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: paged("readByQuery", ids, 3)),
            reply(lambda ids: paged("readMore", ids, remaining, count=count)),
        )
        with pytest.raises(GatewayUnavailable, match="made no progress"):
            hostile_client(gateway).read_by_query("DEPARTMENT")
    assert len(gateway.received) == 3


def test_a_query_that_keeps_announcing_records_on_empty_pages_is_detected():
    def page(ids):
        data = '<data listtype="USERINFO" count="0" totalcount="5" numremaining="5" offset="0"></data>'
        return answers.response(answers.result("query", ids[0], data))

    first = users("1", 'count="1" numremaining="5"')
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("query", ids[0], first))),
            reply(page),
        )
        with pytest.raises(GatewayUnavailable, match="made no progress"):
            hostile_client(gateway).query("USERINFO", ["RECORDNO"])


# -- 6. evidence is what was asked ----------------------------------------------------------------


def test_a_result_for_another_function_is_not_evidence():
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("create", ids[0], "<data/>"))),
        )
        with pytest.raises(IntacctError, match="is for 'create', not 'readByQuery'"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


def test_a_duplicated_result_is_not_evidence():
    empty = '<data listtype="department" count="0" numremaining="0"/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(
                lambda ids: answers.response(
                    answers.result("readByQuery", ids[0], empty), answers.result("readByQuery", ids[0], empty)
                )
            ),
        )
        with pytest.raises(IntacctError, match="2 results with controlid"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


@pytest.mark.parametrize("status", [402, 404, 500, 503])
def test_a_non_2xx_answer_with_a_success_envelope_is_could_not_check(status):
    with hostile_gateway() as gateway:
        gateway.script(Answer(status, answers.session(SESSION_CANARY, gateway.url, "x")))
        with pytest.raises(GatewayUnavailable, match=f"HTTP {status}") as info:
            hostile_client(gateway).sign_in()
    assert not isinstance(info.value, GatewayRejected)


def test_a_non_2xx_answer_carrying_results_is_could_not_check():
    empty = '<data listtype="department" count="0" numremaining="0"/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            lambda body: Answer(
                500, answers.response(answers.result("readByQuery", controlids(body)[0], empty))
            ),
        )
        with pytest.raises(GatewayUnavailable, match="HTTP 500"):
            hostile_client(gateway).read_by_query("DEPARTMENT")


def control_failure(errorno: str, description: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>'
        f"<errormessage>{answers.error(errorno, description)}</errormessage></response>"
    )


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, answers.SIGN_IN_401, ErrorKind.SIGN_IN_FAILED),
        (400, control_failure("GW-0011", "Invalid sender or tenant"), ErrorKind.COMPANY_UNAVAILABLE),
        (400, control_failure("invalidRequest", "Invalid Request"), ErrorKind.COMPANY_UNAVAILABLE),
        (429, control_failure("GW-0010", "API rate limit exceeded"), ErrorKind.THROTTLED),
    ],
)
def test_the_documented_failure_answers_keep_their_meaning(status, body, kind):
    with hostile_gateway() as gateway:
        gateway.script(Answer(status, body))
        with pytest.raises(GatewayRejected) as info:
            hostile_client(gateway).sign_in()
    assert info.value.kind is kind


def test_an_undocumented_refusal_outside_2xx_is_could_not_check():
    with hostile_gateway() as gateway:
        gateway.script(Answer(403, answers.SIGN_IN_401))
        with pytest.raises(GatewayUnavailable, match="not one of the gateway's documented answers"):
            hostile_client(gateway).sign_in()


def test_a_read_that_succeeds_without_data_is_an_error():
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("getUserPermissions", ids[0]))),
        )
        with pytest.raises(GatewayUnavailable, match="without the <data>") as info:
            hostile_client(gateway).get_user_permissions("trelica_ws")
    assert info.value.kind is ErrorKind.UNREADABLE


@pytest.mark.parametrize(
    "attribute", ['numremaining="lots"', 'count="-1"', 'numremaining="1e3"', 'count="٣"']
)
def test_a_non_numeric_paging_attribute_is_unreadable(attribute):
    data = f'<data listtype="department" {attribute}/>'
    with hostile_gateway() as gateway:
        gateway.script(
            session(gateway.url),
            reply(lambda ids: answers.response(answers.result("readByQuery", ids[0], data))),
        )
        with pytest.raises(GatewayUnavailable, match="not a count") as info:
            hostile_client(gateway).read_by_query("DEPARTMENT")
    assert info.value.kind is ErrorKind.UNREADABLE


def test_read_to_end_follows_a_batched_read_by_query_and_a_batched_query():
    def batch(ids):
        rbq = departments("D1", 'count="1" numremaining="1" resultId="R9"')
        query = users("1", 'count="1" numremaining="1" offset="0"')
        return answers.response(
            answers.result("readByQuery", ids[0], rbq), answers.result("query", ids[1], query)
        )

    def more(body):
        root = etree.fromstring(body)
        ids = controlids(body)
        if root.find(".//readMore") is not None:
            assert root.findtext(".//readMore/resultId") == "R9"
            data = departments("D2", 'count="1" numremaining="0" resultId="R9"')
            return Answer(body=answers.response(answers.result("readMore", ids[0], data)))
        assert root.findtext(".//query/offset") == "1"
        data = users("2", 'count="1" numremaining="0" offset="1"')
        return Answer(body=answers.response(answers.result("query", ids[0], data)))

    with hostile_gateway() as gateway:
        gateway.script(session(gateway.url), reply(batch), more, more)
        client = hostile_client(gateway)
        rbq, query = (
            fn.read_by_query("DEPARTMENT", pagesize=1),
            fn.query("USERINFO", ["RECORDNO"], pagesize=1),
        )
        response = client.execute([rbq, query])
        all_departments = client.read_to_end(rbq, response.result(rbq.controlid, "readByQuery"))
        all_users = client.read_to_end(query, response.result(query.controlid, "query"))
    assert [r["DEPARTMENTID"] for r in all_departments] == ["D1", "D2"]
    assert [r["RECORDNO"] for r in all_users] == ["1", "2"]


def test_read_to_end_refuses_what_is_not_a_paged_read():
    with hostile_gateway() as gateway:
        client = hostile_client(gateway)
        result = fn.lookup("X")
        with pytest.raises(ClientUsageError, match="not a paged read"):
            client.read_to_end(result, None)  # type: ignore[arg-type]


# -- 2, end to end: pytest's most talkative flags show no secret ----------------------------------

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
    def broken_post(self, url, data=None, **kwargs):
        request_body = data
        raise RuntimeError("bug in a library")

    monkeypatch.setattr(requests.Session, "post", broken_post)
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
