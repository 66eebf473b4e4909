"""Transport faults on demand, deterministic: HTML 5xx pages, 524, resets, truncation, 429 throttling,
rate and concurrency limits, latency; from the scenario's [faults] table or the runtime API.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pytest_intacct.simulator import Simulator

from .conftest import StartSimulator
from .gateway_client import function, login_request, post, xml

INSPECT = [function("<inspect><object>*</object></inspect>")]


def call(simulator: Simulator) -> requests.Response:
    return post(simulator.endpoint, login_request(simulator.primary_login, INSPECT))


@pytest.mark.parametrize("status", [500, 502, 503, 524])
def test_next_requests_get_an_html_error_page(trelica: Simulator, status: int) -> None:
    trelica.faults.fail_next(2, status=status)
    for _ in range(2):
        response = call(trelica)
        assert response.status_code == status
        assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
        assert b"cf-error-details" in response.content
    assert call(trelica).status_code == 200
    assert [entry.outcome for entry in trelica.journal.entries] == ["fault", "fault", "success"]
    assert trelica.journal.entries[0].functions == (
        "inspect",
    )  # faults are journaled with the request's identity


def test_connection_reset(trelica: Simulator) -> None:
    trelica.faults.reset_next()
    with pytest.raises(requests.ConnectionError):
        call(trelica)
    assert call(trelica).status_code == 200
    assert (trelica.journal.entries[0].fault, trelica.journal.entries[0].http_status) == ("reset", 0)


def test_truncated_body(trelica: Simulator) -> None:
    trelica.faults.truncate_next()
    with pytest.raises(requests.exceptions.RequestException):
        call(trelica)
    assert trelica.journal.entries[0].fault == "truncate"
    assert call(trelica).status_code == 200


def test_throttled_request_gets_gw_0010(trelica: Simulator) -> None:
    trelica.faults.throttle_next()
    response = call(trelica)
    assert response.status_code == 429
    root = xml(response)
    assert [child.tag for child in root.find("control")] == ["status"]
    assert (root.findtext("errormessage/error/errorno"), root.findtext("errormessage/error/description")) == (
        "GW-0010",
        "API rate limit exceeded",
    )


def test_rate_limit_per_second(trelica: Simulator) -> None:
    trelica.faults.rate_limit = 3
    statuses = [call(trelica).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert trelica.journal.entries[-1].fault == "rate_limit"


def test_concurrency_limit_per_company(trelica: Simulator) -> None:
    trelica.faults.concurrency_limit = 1
    trelica.faults.latency = 0.3
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(call, trelica)
        time.sleep(0.1)
        second = pool.submit(call, trelica)
        statuses = sorted([first.result().status_code, second.result().status_code])
    assert statuses == [200, 429]


def test_latency(trelica: Simulator) -> None:
    trelica.faults.latency = 0.05
    started = time.monotonic()
    call(trelica)
    assert time.monotonic() - started >= 0.05


def test_every_nth_request_fails(trelica: Simulator) -> None:
    trelica.faults.fail_every(3, status=502)
    assert [call(trelica).status_code for _ in range(6)] == [200, 200, 502, 200, 200, 502]


def test_flaky_gateway_is_survived_by_a_retrying_client(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("flaky-gateway")
    statuses = []
    for _attempt in range(5):  # what the official SDKs do on 5xx that is not XML (reference §4.2)
        response = call(simulator)
        statuses.append(response.status_code)
        if response.status_code < 500:
            break
    assert statuses == [503, 503, 200]


def test_clear_and_reset_of_scenario_faults(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("flaky-gateway")
    simulator.faults.clear()
    assert call(simulator).status_code == 200
    simulator.faults.reset()
    assert call(simulator).status_code == 503
