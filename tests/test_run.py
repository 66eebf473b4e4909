"""The acceptance run as a library, without pytest: what a script or notebook would do."""

from __future__ import annotations

from pytest_intacct.profiles import load_profile
from pytest_intacct.results import ACROSS_ENVIRONMENTS, Outcome
from pytest_intacct.run import AcceptanceRun, demo_environments


def test_a_script_gets_every_result_of_every_environment_reading_each_once():
    profile = load_profile("calance")
    with demo_environments(["demo:test", "demo:production"], "calance-ready") as environments:
        run = AcceptanceRun(environments, profile)
        results = run.results()
        snapshots = [run.snapshot(name) for name in ("demo:test", "demo:production")]

    per_environment = [r for r in profile.requirements if r.area != "across-environments"]
    assert len(results) == 2 * len(per_environment) + 2
    assert [r.environment for r in results[-2:]] == [ACROSS_ENVIRONMENTS, ACROSS_ENVIRONMENTS]
    assert {r.outcome for r in results} == {Outcome.PASS, Outcome.MANUAL, Outcome.NOT_APPLICABLE}
    assert [s.round_trips for s in snapshots] == [2, 2]
