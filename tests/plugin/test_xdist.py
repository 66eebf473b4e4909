"""Under pytest-xdist every requirement ends exactly as it does in one process: reports carry plain data."""

from __future__ import annotations

import json

import pytest

from pytest_intacct.simulator import available_scenarios
from tests.helpers.runs import run_acceptance, verdicts

ENVIRONMENTS = {"calance-ready": "demo:test,demo:production"}
# One scenario per way a run can end, not every shipped one (each costs two runs, one under xdist): ready,
# a sign-in root cause, a refused sign-in with and without an auditor, the checker's own root cause,
# permissions failing, retries, two environments compared, and the runbook kinds' evidence (grants' lists,
# entity access, subscriptions).
REPRESENTATIVE = [
    "trelica-ready",
    "sender-not-authorized",
    "user-inactive",
    "user-inactive-audited",
    "no-permission-visibility",
    "missing-permissions",
    "flaky-gateway",
    "calance-ready",
    "expensify-over-privileged",
    "brex-ready",
]


def test_the_representative_scenarios_are_shipped():
    assert set(REPRESENTATIVE) <= set(available_scenarios())


@pytest.mark.parametrize("scenario", REPRESENTATIVE)
def test_two_workers_give_the_same_outcome_for_every_requirement(pytester, scenario):
    args = (f"--intacct-env={ENVIRONMENTS.get(scenario, 'demo')}", f"--intacct-scenario={scenario}")
    alone, _, in_one_process = run_acceptance(pytester, *args)
    shared, _, in_two_workers = run_acceptance(pytester, *args, "-n", "2")
    assert verdicts(in_two_workers) == verdicts(in_one_process)
    assert shared.ret == alone.ret
    # The controller collects nothing itself, so only the workers' outcomes are compared.
    assert outcome_counts(shared) == outcome_counts(alone)


def outcome_counts(result: pytest.RunResult) -> dict[str, int]:
    return {k: v for k, v in result.parseoutcomes().items() if k not in ("deselected", "warnings")}


def test_each_environment_is_read_once_across_all_workers(pytester):
    journal = pytester.path / "journal.jsonl"
    args = ("--intacct-env=demo:test,demo:production", "--intacct-scenario=calance-ready")
    run_acceptance(pytester, *args, f"--intacct-journal={journal}", "-n", "2")
    requests = [json.loads(line) for line in journal.read_text().splitlines()]
    # Per company: getAPISession, then one batch of every read; the workers read nothing themselves.
    assert [r["functions"][0] for r in requests].count("getAPISession") == 2
    assert len(requests) == 4
