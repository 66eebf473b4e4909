"""A replicated scenario serves every copy of every company, each through its own login."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_intacct.simulator import Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate

from .gateway_client import Client


def test_every_copy_signs_in_to_its_own_company(intacct_simulator: Callable[..., Simulator]) -> None:
    scenario = replicate(load_scenario("calance-ready"), 3)
    assert [login.name for login in scenario.logins] == [
        "test-0001", "production-0001", "test-0002", "production-0002", "test-0003", "production-0003"
    ]  # fmt: skip
    assert sorted(scenario.companies) == sorted(
        f"{company}-{n:04d}" for company in ("ACME", "ACME-IMPL") for n in (1, 2, 3)
    )
    simulator = intacct_simulator(scenario)
    for login in (simulator.logins["test-0002"], simulator.logins["production-0003"]):
        assert Client(simulator.endpoint, login).open().session_id
    entries = simulator.journal.entries
    assert [(entry.company_id, entry.outcome) for entry in entries] == [
        ("ACME-IMPL-0002", "success"),
        ("ACME-0003", "success"),
    ]


@pytest.mark.parametrize("copies", [0, 10_000])
def test_a_copy_count_out_of_range_is_refused(copies: int) -> None:
    with pytest.raises(ValueError, match="copies must be from 1 to 9999"):
        replicate(load_scenario("trelica-ready"), copies)
