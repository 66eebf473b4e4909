"""Failures are never silenced: not by --intacct-fail-on=new, by a baseline the run no longer matches, or by a
waiver judged on two dates (docs/security.md section 14).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def test_fail_on_new_never_exits_0_on_a_failure_the_baseline_does_not_know(pytester):
    """--intacct-fail-on=new when every failure is "added" (not in the baseline) still fails."""
    baseline = pytester.runpytest("--intacct-env=demo", "--intacct-json=baseline.json", "-k", "test_user")
    assert baseline.ret == pytest.ExitCode.OK
    result = pytester.runpytest(
        "--intacct-env=demo:primary",
        "--intacct-scenario=user-inactive",
        "--intacct-baseline=baseline.json",
        "--intacct-fail-on=new",
        "-k",
        "test_user",
    )
    result.stdout.fnmatch_lines(["verdict: NOT READY", "drift against baseline.json: 7 added"])
    assert result.ret != pytest.ExitCode.OK


class MidnightUTC:
    """A clock for ``pytest_intacct.results.waivers.utc_today`` that turns to the next day once the tests
    ran."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def today(self) -> dt.date:
        return self.day

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[None]:
        result = yield
        self.day += dt.timedelta(days=1)
        return result


def test_a_run_crossing_the_expiry_midnight_judges_its_waivers_on_one_date(pytester, monkeypatch):
    """A run crossing midnight UTC cannot judge a waiver applied in one place and expired in another."""
    clock = MidnightUTC(dt.date(2026, 12, 31))
    monkeypatch.setattr("pytest_intacct.results.waivers.utc_today", clock.today)
    pytester.path.joinpath("waivers.toml").write_text(
        '[[waiver]]\nrequirement = "permission-employees-edit"\njustification = "Q1 deprovisioning"\n'
        "expires = 2026-12-31\n"
    )
    pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=missing-permissions",
        "--intacct-waivers=waivers.toml", "--intacct-json=r.json", plugins=[clock],
    )  # fmt: skip
    document = json.loads(pytester.path.joinpath("r.json").read_text())
    [row] = [
        r
        for e in document["environments"]
        for r in e["requirements"]
        if r["id"] == "permission-employees-edit"
    ]
    [waiver] = document["waivers"]
    assert (row["outcome"], waiver["state"]) in {("waived", "applied"), ("fail", "expired")}


def test_an_environment_the_baseline_checked_and_this_run_dropped_is_reported(pytester):
    """An environment the baseline had and this run dropped is listed, not silently gone."""
    calance = ("--intacct-scenario=calance-ready", "-p", "no:cacheprovider")
    pytester.runpytest("--intacct-env=demo:test,demo:production", "--intacct-json=base.json", *calance)
    result = pytester.runpytest(
        "--intacct-env=demo:test", "--intacct-baseline=base.json", "--intacct-markdown=r.md", *calance
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["drift against base.json: * unchanged"])
    assert "demo:production" in pytester.path.joinpath("r.md").read_text() + str(result.stdout)
