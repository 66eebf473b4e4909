"""The REST client against the simulator's REST face: one token reused while it lives, the envelope, paging
by ``ia::meta.next``, entity switching by header, the documented refusals, and retries within bounds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_intacct.client import ErrorKind, GatewayUnavailable, RetryPolicy
from pytest_intacct.client.errors import RestRefused
from pytest_intacct.client.rest import RestClient, RestCredentials, rest_endpoint
from pytest_intacct.safety.redaction import Secret
from pytest_intacct.simulator import Simulator
from tests.helpers.hostile_client import JSON, rest_client, token
from tests.helpers.hostile_gateway import Answer, hostile_gateway

MULTI_ENTITY = Path(__file__).parents[1] / "simulator" / "data" / "rest.toml"
FAST = RetryPolicy(retries=2, backoff_factor=0)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator("trelica-ready") as sim:
        yield sim


def client(sim: Simulator, *, username: str | None = None, entity: str | None = None, **kwargs) -> RestClient:
    login = sim.primary_login
    credentials = RestCredentials(
        client_id=str(login.rest_client_id),
        client_secret=Secret(str(login.rest_client_secret)),
        username=username or f"{login.user_id}@{login.company_id}",
        endpoint=sim.rest_endpoint,
        entity_id=entity,
    )
    kwargs.setdefault("retry", FAST)
    return RestClient(credentials, **kwargs)


def rest_requests(sim: Simulator) -> list[tuple[str, ...]]:
    return [entry.functions for entry in sim.journal.entries]


def test_the_rest_api_is_on_the_gateways_host():
    assert rest_endpoint("https://api.intacct.com/ia/xml/xmlgw.phtml") == "https://api.intacct.com/ia/api/v1"
    assert rest_endpoint("http://127.0.0.1:8080/ia/xml/xmlgw.phtml") == "http://127.0.0.1:8080/ia/api/v1"


def test_one_token_serves_every_read_while_it_lives(simulator):
    with client(simulator) as rest:
        granted = rest.sign_in()
        preference = rest.record("company-config/company-preference", "setup")
        users = rest.query("company-config/user", ["key", "id", "status"])
        assert rest.sign_in().granted == 1
    assert (granted.username, granted.granted) == ("trelica_ws@TRELICA-DEMO", 1)
    assert 3500 < granted.expires_in <= 3600
    assert (preference["permissionType"], preference["ipAddressFiltering"]) == ("roleBased", "none")
    assert {row["id"]: row["status"] for row in users} == {"trelica_ws": "active", "jsmith": "active"}
    assert rest_requests(simulator) == [("token",), ("get",), ("query",)]
    assert rest.round_trips == 3


def test_a_token_near_its_end_is_renewed_before_a_read_meets_it(simulator):
    now = [0.0]
    with client(simulator, clock=lambda: now[0]) as rest:
        rest.record("company-config/company-preference", "setup")
        now[0] = 3600 - 29  # renewed 30 s (or a tenth of its life) before it lapses
        rest.record("company-config/company-preference", "setup")
    assert rest.tokens_granted == 2
    assert rest_requests(simulator) == [("token",), ("get",), ("token",), ("get",)]


def test_a_token_the_api_no_longer_takes_is_renewed_once(simulator):
    with client(simulator) as rest:
        rest.sign_in()
        simulator.faults.expire_sessions()  # every token invalid now: the next read gets 401 REST-2102
        rest.record("company-config/company-preference", "setup")
    assert rest_requests(simulator) == [("token",), ("get",), ("token",), ("get",)]
    assert [entry.http_status for entry in simulator.journal.entries] == [200, 401, 200, 200]


def test_a_renewed_token_refused_again_is_a_refused_token():
    expired = Answer(401, '{"error":{"code":"tokenInvalid","errorId":"REST-2102"}}', JSON)
    with hostile_gateway() as gateway:
        gateway.script(token(), expired, token(), expired)
        with rest_client(gateway) as rest, pytest.raises(RestRefused) as info:
            rest.record("company-config/company-preference", "setup")
    assert info.value.kind is ErrorKind.TOKEN_REFUSED
    assert "a new token was refused the same way" in str(info.value)
    assert info.value.error_id == "REST-2102"
    assert [r.method for r in gateway.received] == ["POST", "GET", "POST", "GET"]


def test_query_pages_follow_ia_meta_next_until_it_is_null(simulator):
    with client(simulator) as rest:
        rows = rest.query("company-config/role-permission-assignment", ["key"], size=3)
    queries = [entry for entry in simulator.journal.entries if entry.functions == ("query",)]
    assert len(rows) == 20  # both roles' assignments
    assert len(queries) == 7  # 3 a page: 6 full pages and one of 2


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("jsmith@TRELICA-DEMO", "is for the Web Services user 'trelica_ws'"),  # not linked to this client
        ("trelica_ws@NOWHERE", "the username is not userId@companyId of a company"),
        ("trelica_ws", "the username is not userId@companyId of a company"),
    ],
)
def test_a_username_the_client_application_does_not_accept_is_a_refused_token(simulator, username, words):
    with client(simulator, username=username) as rest, pytest.raises(RestRefused) as info:
        rest.sign_in()
    assert info.value.kind is ErrorKind.TOKEN_REFUSED
    assert info.value.http_status == 400
    assert "The token is not valid" in str(info.value)
    assert rest.tokens_granted == 0


def test_a_wrong_client_secret_is_a_refused_token_and_no_read_is_sent(simulator):
    login = simulator.primary_login
    credentials = RestCredentials(
        str(login.rest_client_id),
        Secret("not-the-secret-1"),
        "trelica_ws@TRELICA-DEMO",
        simulator.rest_endpoint,
    )
    with RestClient(credentials) as rest, pytest.raises(RestRefused) as info:
        rest.record("company-config/company-preference", "setup")
    assert (info.value.kind, info.value.code) == (ErrorKind.TOKEN_REFUSED, "invalid_client")
    assert rest_requests(simulator) == [("token",)]


def test_the_entity_header_switches_entity_and_an_unknown_entity_is_refused():
    with Simulator(MULTI_ENTITY) as sim:
        with client(sim, entity="UK") as rest:
            assert rest.query("company-config/user", ["id"])
        with client(sim, entity="NOWHERE") as rest, pytest.raises(RestRefused) as info:
            rest.query("company-config/user", ["id"])
    assert info.value.kind is ErrorKind.INVALID_REQUEST
    assert (info.value.code, info.value.error_id) == ("invalidRequest", "REST-1028")
    assert "Entity 'NOWHERE' does not exist" in str(info.value)


def test_a_read_without_the_rights_it_needs_is_permission_denied():
    # runbook-exact's user holds only the runbook's rights: no Company > Users to read users with.
    with Simulator("runbook-exact") as sim, client(sim) as rest, pytest.raises(RestRefused) as info:
        rest.query("company-config/user", ["id"])
    assert (info.value.kind, info.value.http_status) == (ErrorKind.PERMISSION_DENIED, 403)
    assert (info.value.code, info.value.error_id) == ("permissionDenied", "REST-1032")
    assert "does not have sufficient permission" in str(info.value)


def test_throttling_and_5xx_are_retried_within_the_policy(simulator):
    simulator.faults.throttle_next(1)
    simulator.faults.fail_next(1, 503)
    with client(simulator) as rest:
        rest.record("company-config/company-preference", "setup")
    assert [entry.http_status for entry in simulator.journal.entries] == [429, 503, 200, 200]


def test_throttling_that_outlasts_the_retries_is_throttled(simulator):
    simulator.faults.throttle_next(10)
    with client(simulator) as rest, pytest.raises(GatewayUnavailable) as info:
        rest.sign_in()
    assert info.value.kind is ErrorKind.THROTTLED
    assert "tooManyRequests" in str(info.value)
    assert len(simulator.journal.entries) == 3  # the first attempt and two retries
