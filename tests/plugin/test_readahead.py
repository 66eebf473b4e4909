"""Reading ahead: which environments the selected tests need, and the progress line on a terminal."""

from __future__ import annotations

import re
import sys

import pytest

from pytest_intacct.evidence.lanes import Progress
from pytest_intacct.plugin.readahead import ProgressLine, ReadPlan, run_order
from tests.helpers.terminal import run_on_a_terminal


class Item:
    def __init__(self, **params: object) -> None:
        self.callspec = type("CallSpec", (), {"params": params})()


REQUIREMENT = object()


def test_tests_run_group_by_group_each_group_s_home_last_others_stay_in_place():
    mine = Item()
    items = [
        Item(intacct_requirement=("acme-prod", REQUIREMENT)),
        Item(intacct_requirement=("*acme", REQUIREMENT)),
        Item(intacct_requirement=("globex", REQUIREMENT)),
        mine,
        Item(intacct_requirement=("acme-sbx", REQUIREMENT)),
        Item(intacct_requirement=("acme-prod", REQUIREMENT)),
    ]
    rank = {"acme-sbx": (0, 0), "acme-prod": (0, 1), "globex": (1, 2), "*acme": (0, 3)}
    ordered = run_order(items, rank)
    assert ordered[3] is mine
    judged = [i.callspec.params["intacct_requirement"][0] for i in ordered if i is not mine]
    assert judged == ["acme-sbx", "acme-prod", "acme-prod", "*acme", "globex"]
    # Stable: the two tests of acme-prod keep the suites' order.
    assert ordered[1] is items[0]
    assert ordered[2] is items[5]


def test_a_plan_reads_what_the_tests_judge_and_releases_an_environment_after_its_last_test():
    acme = {"*acme": ("acme-sbx", "acme-prod")}
    items = [
        Item(intacct_requirement=("acme-sbx", REQUIREMENT)),
        Item(intacct_requirement=("acme-prod", REQUIREMENT)),
        Item(intacct_requirement=("*acme", REQUIREMENT)),
        Item(intacct_env="globex"),
        Item(),
    ]
    plan = ReadPlan(items, acme, unit_of=lambda name: "g" if name == "globex" else "a")
    assert plan.needs(items[2]) == ("acme-sbx", "acme-prod")
    assert plan.needs(items[4]) == ()
    # A unit's environments are read once, when its first test starts.
    assert plan.start(["globex", "acme-sbx"]) == ["globex", "acme-sbx", "acme-prod"]
    assert plan.start(["acme-prod"]) == []
    # A member is kept until its group's cross-environment tests are done too.
    assert plan.done(items[0]) == []
    assert plan.done(items[1]) == []
    assert plan.done(items[2]) == ["acme-sbx", "acme-prod"]
    assert plan.done(items[3]) == ["globex"]
    assert plan.done(items[4]) == []


class Reporter:
    def __init__(self, tty: bool) -> None:
        self.tty, self.lines = tty, []

    def isatty(self) -> bool:
        return self.tty

    def rewrite(self, line: str, erase: bool = False) -> None:
        self.lines.append(line)

    def write_line(self, line: str) -> None:
        self.lines.append(line)


class Config:
    def __init__(self, reporter: Reporter, verbosity: int = 0) -> None:
        self.reporter, self.verbosity = reporter, verbosity
        self.pluginmanager = self

    def get_plugin(self, name: str) -> Reporter | None:
        return self.reporter if name == "terminalreporter" else None

    def get_verbosity(self) -> int:
        return self.verbosity


@pytest.fixture
def slow_run(monkeypatch):
    monkeypatch.setattr("pytest_intacct.plugin.readahead.PROGRESS_AFTER_SECONDS", 0.0)


def test_a_long_wait_shows_progress_on_a_terminal_and_ends_its_line(slow_run):
    reporter = Reporter(tty=True)
    line = ProgressLine(Config(reporter))
    line(Progress(1, 3, 0))
    line(Progress(2, 3, 1))
    line(Progress(3, 3, 1))
    line.end()
    assert reporter.lines == [
        "intacct: read 1/3 environments",
        "intacct: read 2/3 environments, 1 could not be read",
        "intacct: read 3/3 environments, 1 could not be read",
        "",
    ]


@pytest.mark.parametrize(("tty", "verbosity"), [(False, 0), (True, -1)], ids=["not-a-terminal", "quiet"])
def test_progress_is_silent_off_a_terminal_and_under_quiet(slow_run, tty, verbosity):
    reporter = Reporter(tty=tty)
    ProgressLine(Config(reporter, verbosity))(Progress(1, 1, 0))
    assert reporter.lines == []


def test_a_quick_wait_shows_no_progress():
    reporter = Reporter(tty=True)
    line = ProgressLine(Config(reporter))
    line(Progress(1, 1, 0))
    line.end()
    assert reporter.lines == []


# -- retries, end to end on a terminal ------------------------------------------------------------------


def flaky(pytester) -> str:
    """A demo company whose gateway answers the first request with an HTML 503 page, then recovers."""
    path = pytester.path / "flaky.toml"
    path.write_text(
        'extends = "trelica-ready"\n\n[faults]\nnext = [{ kind = "http", status = 503, count = 1 }]\n'
    )
    return f"--intacct-scenario={path}"


def test_a_retry_is_told_on_the_terminal(pytester):
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--intacct-env=demo", flaky(pytester)]
    code, screen = run_on_a_terminal([*argv, "--intacct-retries=2"], pytester.path)
    assert code == 0, screen
    line = re.search(
        r"intacct: demo: HTTP 503 from 127\.0\.0\.1:\d+; attempt 1 of 3 failed, trying again now", screen
    )
    assert line, screen


@pytest.mark.parametrize("quiet", [False, True], ids=["not-a-terminal", "quiet-terminal"])
def test_a_retry_is_silent_off_a_terminal_and_under_quiet(pytester, quiet):
    if quiet:
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--intacct-env=demo",
            flaky(pytester),
        ]
        code, screen = run_on_a_terminal(argv, pytester.path)
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "--intacct-env=demo", flaky(pytester))
        code, screen = result.ret, result.stdout.str() + result.stderr.str()
    assert code == 0, screen
    assert "attempt 1 of" not in screen
