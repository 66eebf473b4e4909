"""A lying proxy in front of the simulator: the simulator answers, the proxy alters the answer on its way
back, as a compromised gateway or a man in the middle would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from pytest_intacct.simulator import Simulator, load_scenario
from tests.helpers.environments import dotenv
from tests.helpers.hostile_gateway import Answer, HostileGateway, hostile_gateway


@contextmanager
def tampering_proxy(
    scenario: str | Path, mutate: Callable[[str], str]
) -> Iterator[tuple[HostileGateway, Simulator]]:
    """A loopback gateway that forwards every request to the simulator and alters its answers."""
    with Simulator(load_scenario(scenario)) as simulator, hostile_gateway() as gateway:
        upstream = simulator.endpoint.split("/ia/")[0]
        mine = gateway.url.split("/ia/")[0]

        def answer(body: bytes) -> Answer:
            path = gateway.received[-1].path
            reply = requests.post(
                upstream + path, data=body, headers={"Content-Type": "application/xml"}, timeout=10
            )
            return Answer(reply.status_code, mutate(reply.text.replace(upstream, mine)))

        gateway.script(answer)
        yield gateway, simulator


def run_through(pytester: pytest.Pytester, mutate: Callable[[str], str], *args: str) -> pytest.RunResult:
    """The shipped suites against the Trelica-ready simulator, every answer passed through ``mutate``."""
    with tampering_proxy("trelica-ready", mutate) as (gateway, simulator):
        return _run_stage(pytester, gateway, simulator, {}, args)


# Request headers the REST client sends that the simulator reads.
REST_HEADERS = ("Content-Type", "Accept", "Authorization", "X-IA-API-Param-Entity")


@contextmanager
def rest_tampering_proxy(
    scenario: str | Path, mutate: Callable[[str, Answer], Answer]
) -> Iterator[tuple[HostileGateway, Simulator]]:
    """A loopback gateway in front of the simulator that forwards the XML gateway's traffic untouched and
    passes every REST answer through ``mutate(path, answer)``."""
    with Simulator(load_scenario(scenario)) as simulator, hostile_gateway() as gateway:
        upstream = simulator.endpoint.split("/ia/")[0]
        mine = gateway.url.split("/ia/")[0]

        def answer(body: bytes) -> Answer:
            request = gateway.received[-1]
            headers = {name: request.headers[name] for name in REST_HEADERS if name in request.headers}
            reply = requests.request(
                request.method, upstream + request.path, data=body, headers=headers, timeout=10
            )
            forwarded = Answer(
                reply.status_code,
                reply.text.replace(upstream, mine),
                {"Content-Type": reply.headers.get("Content-Type", "text/xml")},
            )
            return mutate(request.path, forwarded) if "/ia/api/" in request.path else forwarded

        gateway.script(answer)
        yield gateway, simulator


def run_rest_through(
    pytester: pytest.Pytester, mutate: Callable[[str, Answer], Answer], *args: str
) -> pytest.RunResult:
    """The shipped suites against the Trelica-ready simulator with REST access, every REST answer passed
    through ``mutate``."""
    with rest_tampering_proxy("trelica-ready", mutate) as (gateway, simulator):
        login = simulator.primary_login
        rest = {
            "INTACCT_REST_CLIENT_ID": str(login.rest_client_id),
            "INTACCT_REST_CLIENT_SECRET": str(login.rest_client_secret),
        }
        return _run_stage(pytester, gateway, simulator, rest, args)


def _run_stage(
    pytester: pytest.Pytester,
    gateway: HostileGateway,
    simulator: Simulator,
    extra: dict[str, str],
    args: tuple[str, ...],
) -> pytest.RunResult:
    """The shipped suites for an environment ``stage`` signing in as the simulator's primary login through
    ``gateway``, with ``extra`` settings."""
    login = simulator.primary_login
    dotenv(
        pytester,
        "stage",
        gateway.url,
        INTACCT_SENDER_ID=login.sender_id,
        INTACCT_SENDER_PASSWORD=login.sender_password,
        INTACCT_COMPANY_ID=login.company_id,
        INTACCT_USER_ID=login.user_id,
        INTACCT_USER_PASSWORD=login.user_password,
        **extra,
    )
    return pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=stage", "--intacct-retries=0", *args)
