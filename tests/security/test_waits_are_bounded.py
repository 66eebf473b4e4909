"""docs/security.md section 4: every wait is bounded: a dripping answer, retries, Retry-After, and a gateway
(or a REST query service) that promises pages for ever.
"""

from __future__ import annotations

import json
import time

import pytest
import responses

from pytest_intacct.client import (
    ClientUsageError,
    Credentials,
    ErrorKind,
    GatewayUnavailable,
    IntacctClient,
    IntacctError,
    RetryPolicy,
    Transport,
)
from pytest_intacct.safety.redaction import Secret
from tests.helpers import answers
from tests.helpers.hostile_client import (
    SESSION_CANARY,
    URL,
    hostile_client,
    recording_client,
    reply,
    rest,
    rest_client,
    session,
    token,
    users,
)
from tests.helpers.hostile_gateway import Answer, hostile_gateway


@pytest.mark.parametrize("close_delimited", [False, True], ids=["content-length", "eof-delimited"])
def test_a_dripping_answer_fails_after_the_timeout(close_delimited):
    """A gateway dripping one byte per 50 ms is cut at the 0.5 s timeout, not after 30 s."""
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
    """Ten retries on a busy gateway stop at the call's budget, saying how many were tried."""
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


@responses.activate
def test_retry_after_is_honoured_but_capped():
    """Retry-After: 3600 waits the cap, not an hour."""
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
    """A retry policy of 1000 retries, or of NaN or infinite waits, is refused."""
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), "60"])
def test_a_timeout_must_be_finite_and_positive(timeout):
    """A timeout of 0, -1, infinity, NaN or a string is refused."""
    credentials = Credentials("s", Secret("sender-pw-1"), "c", "u", Secret("user-pw-1"))
    with pytest.raises(ValueError, match="timeout must be") as info:
        IntacctClient(credentials, timeout=timeout)
    assert isinstance(info.value, ClientUsageError), "also an IntacctError, for callers that catch those"


def paged(function: str, ids, remaining: int, result_id: str = "R1", count: int = 1) -> str:
    rows = "".join(f"<department><DEPARTMENTID>D{i}</DEPARTMENTID></department>" for i in range(count))
    attributes = f'count="{count}" numremaining="{remaining}" resultId="{result_id}"'
    data = f'<data listtype="department" {attributes}>{rows}</data>'
    return answers.response(answers.result(function, ids[0], data))


def test_a_gateway_that_keeps_promising_pages_hits_the_page_bound():
    """A gateway announcing more pages for ever is stopped at the page bound."""
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
    """A readMore page that brings nothing new, or no record, stops the read."""
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
    """A query announcing records on empty pages stops the read."""

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


# -- the REST API ---------------------------------------------------------------------------------------


def test_a_dripping_token_endpoint_fails_after_the_timeout():
    """The token endpoint dripping its grant one byte per 50 ms is cut at the 0.5 s timeout."""
    with hostile_gateway() as gateway:
        grant = token()
        gateway.script(Answer(body=grant.body, headers=grant.headers, drip=0.05))
        started = time.monotonic()
        with pytest.raises(GatewayUnavailable, match=r"no complete answer .* within 0\.5s") as info:
            rest_client(gateway, timeout=0.5).sign_in()
    assert time.monotonic() - started < 2.5
    assert info.value.kind is ErrorKind.UNREACHABLE


def test_ia_meta_next_that_never_ends_hits_the_page_bound():
    """A query service announcing one more page for ever stops at the client's page bound."""

    def page(body: bytes) -> Answer:
        start = json.loads(body)["start"]
        return rest([{"key": str(start), "id": f"u{start}"}], next=start + 1)

    with hostile_gateway() as gateway:
        gateway.script(token(), page)
        with pytest.raises(GatewayUnavailable, match="after 5 pages; stopped at the bound of 5") as info:
            rest_client(gateway, max_pages=5).query("company-config/user", ["key", "id"], size=1)
    assert len(gateway.received) == 1 + 5
    assert info.value.kind is ErrorKind.UNREADABLE


@pytest.mark.parametrize("following", [1, 0, -3], ids=["same-start", "zero", "backwards"])
def test_ia_meta_next_that_loops_is_detected_at_once(following):
    """A next page that starts where this one did (or before it) would loop: stopped after one page."""
    with hostile_gateway() as gateway:
        gateway.script(token(), rest([{"key": "1", "id": "u1"}], next=following))
        with pytest.raises(GatewayUnavailable, match="made no progress"):
            rest_client(gateway).query("company-config/user", ["key", "id"], size=1)
    assert len(gateway.received) == 2


def test_an_empty_page_that_announces_more_is_detected():
    with hostile_gateway() as gateway:
        gateway.script(token(), rest([], totalCount=5, next=1))
        with pytest.raises(GatewayUnavailable, match="made no progress"):
            rest_client(gateway).query("company-config/user", ["key", "id"], size=1)
    assert len(gateway.received) == 2


def test_a_rest_retry_after_of_a_day_waits_the_cap():
    """429 with Retry-After: 86400 (or an HTTP date a year away) waits the cap, then reads."""
    throttled = Answer(
        429, '{"ia::result":{"ia::error":{"code":"tooManyRequests"}}}', {"Retry-After": "86400"}
    )
    a_year = Answer(429, "", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    waits: list[float] = []
    with hostile_gateway() as gateway:
        gateway.script(throttled, a_year, token(), rest({"ipAddressFiltering": "none"}))
        transport = Transport(
            timeout=5, retry=RetryPolicy(retries=3, retry_after_max=0.2), sleep=waits.append
        )
        client = rest_client(gateway, transport=transport)
        assert client.record("company-config/company-preference", "setup") == {"ipAddressFiltering": "none"}
    assert waits == [0.2, 0.2]
