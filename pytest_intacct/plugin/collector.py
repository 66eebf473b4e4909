"""The run's results as the test reports carry them, and the one report model built from them.

Each requirement's result rides on its test report (``report.intacct``, plain JSON), so one collector
in the controlling process sees every result -- also when pytest-xdist runs the tests in workers --
and feeds the terminal summary, the acceptance file, the Markdown and the HTML summary from the same
model. The requirements the run selected come from collection (the controller's items, or the node ids
xdist workers collected), so a selected requirement that never reported is an error, not a silent gap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct import __version__
from pytest_intacct.profiles import Profile
from pytest_intacct.reporting.acceptance_json import build_acceptance, write_acceptance
from pytest_intacct.reporting.drift import Baseline, check_profiles, drift_kind, load_baseline
from pytest_intacct.reporting.markdown import render_markdown
from pytest_intacct.reporting.model import (
    EnvironmentInfo,
    Key,
    RunReport,
    build_report,
    universe,
    with_homes,
)
from pytest_intacct.reporting.terminal import summary_lines
from pytest_intacct.results import waivers
from pytest_intacct.results.finding import Outcome, RequirementResult, Verdict
from pytest_intacct.results.homes import param_id
from pytest_intacct.results.readiness import MET, requirements_exit_code, run_exit_code
from pytest_intacct.results.waivers import Waiver, load_waivers
from pytest_intacct.safety.files import write_text

_PARAM_ID = re.compile(r"\[([^\[\]]*)\]$")


def to_report(result: RequirementResult) -> dict[str, Any]:
    """What a test report carries of its requirement's result."""
    v = result.verdict
    return {
        "environment": result.environment,
        "requirement": result.requirement.id,
        "severity": result.requirement.severity,
        "outcome": v.outcome.value,
        "expected": v.expected,
        "observed": v.observed,
        "evidence": dict(v.evidence),
        "root_cause": v.root_cause,
        "blocked": v.blocked,
    }


def from_report(data: dict[str, Any], profile: Profile) -> RequirementResult:
    verdict = Verdict(
        Outcome(data["outcome"]),
        data["expected"],
        data["observed"],
        data["evidence"],
        data["root_cause"],
        data.get("blocked", False),
    )
    return RequirementResult(data["environment"], profile.requirement(data["requirement"]), verdict)


@dataclass(frozen=True)
class Outputs:
    """Where the run's files go and how its exit code is decided."""

    json_path: str | os.PathLike[str] | None = None
    markdown_path: str | os.PathLike[str] | None = None
    baseline: Baseline | None = None
    waivers: Sequence[Waiver] = ()
    fail_on: str = "any"
    # The one date the run judges waivers' expiry on, also when it crosses midnight UTC (the waivers
    # module's clock, looked up when the run starts so tests can move it).
    today: dt.date = dataclasses.field(default_factory=lambda: waivers.utc_today())
    # Set when the run judges an evidence pack rather than the gateway: every report says so.
    replay: str | None = None


def load_outputs(
    *,
    json_path: str | os.PathLike[str] | None,
    markdown_path: str | os.PathLike[str] | None,
    baseline_path: str | None,
    waivers_path: str | None,
    fail_on: str,
    profiles: dict[str, str],
) -> Outputs:
    """The options as read files; ValueError (a usage error) for a baseline or waiver file unfit to use."""
    if fail_on == "new" and not baseline_path:
        raise ValueError("--intacct-fail-on=new compares with a baseline: pass --intacct-baseline=PATH too")
    baseline = load_baseline(baseline_path) if baseline_path else None
    if baseline is not None:
        check_profiles(baseline, profiles)
    found = load_waivers(waivers_path) if waivers_path else []
    return Outputs(json_path, markdown_path, baseline, tuple(found), fail_on)


def row_drift_property(result: RequirementResult, baseline: Baseline | None) -> list[tuple[str, str]]:
    """The ``intacct_drift`` JUnit property of a requirement's test case, when comparing with a baseline."""
    if baseline is None:
        return []
    before = baseline.outcomes.get(result.environment, {}).get(result.requirement.id)
    return [("intacct_drift", drift_kind(result.outcome, before))]


class ResultCollector:
    """Collects results from reports; at the end builds the report, writes the files, sets the exit code."""

    def __init__(
        self, profile: Profile, environments: Sequence[EnvironmentInfo], outputs: Outputs | None = None
    ) -> None:
        self.profile = profile
        self.environments = list(environments)
        self.outputs = outputs or Outputs()
        self.started_at = dt.datetime.now().astimezone()
        self.report: RunReport | None = None
        self._results: dict[Key, RequirementResult] = {}
        self._planned: set[Key] = set()
        self._other_failed = False
        self._by_param_id = {param_id(env, rid): (env, rid) for env, rid in universe(self.environments)}
        self._profiles = {env.name: env.profile for env in with_homes(self.environments)}

    def profile_of(self, environment: str) -> Profile:
        """The profile an environment (or a cross-environment home) is judged by."""
        return self._profiles.get(environment, self.profile)

    @property
    def json_path(self) -> Path | None:
        return Path(self.outputs.json_path).absolute() if self.outputs.json_path else None

    @property
    def markdown_path(self) -> Path | None:
        return Path(self.outputs.markdown_path).absolute() if self.outputs.markdown_path else None

    # -- what the run selected ----------------------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            param = getattr(getattr(item, "callspec", None), "params", {}).get("intacct_requirement")
            if isinstance(param, tuple):
                self._planned.add((param[0], param[1].id))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Iterable[str]) -> None:
        """Under xdist the controller collects nothing itself: map the workers' node ids back."""
        for nodeid in ids:
            match = _PARAM_ID.search(nodeid)
            key = self._by_param_id.get(match.group(1)) if match else None
            if key is not None:
                self._planned.add(key)

    # -- what it reported ---------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "intacct", None)
        if data:
            result = from_report(data, self.profile_of(data["environment"]))
            self._results[(result.environment, result.requirement.id)] = result
        if report.failed and not _requirement_failure(report, data):
            self._other_failed = True  # a test of the user's own, or a requirement test failing otherwise

    def build(self, today: dt.date | None = None) -> RunReport:
        return build_report(
            self._results.values(),
            self.environments,
            plugin_version=__version__,
            started_at=self.started_at,
            planned=self._planned,
            baseline=self.outputs.baseline,
            waivers=self.outputs.waivers,
            today=today or self.outputs.today,
            replay=self.outputs.replay,
        )

    # -- the end of the run -------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)  # before junitxml writes its file and pytest-html its page
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return  # nothing ran, nothing to report
        report = self.report = self.build()
        _junit_properties(session.config, report)
        if self.json_path is not None:
            document = build_acceptance(report, generated_at=dt.datetime.now(dt.UTC))
            write_acceptance(self.json_path, document)
        if self.markdown_path is not None:
            write_text(self.markdown_path, render_markdown(report))
        if not report.rows:
            return  # no requirement selected: the run is only the user's own tests, pytest decides
        code = requirements_exit_code(report.readiness, report.news, self.outputs.fail_on)
        session.exitstatus = run_exit_code(
            int(session.exitstatus), code, other_tests_failed=self._other_failed
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("Intacct acceptance")
        for line in summary_lines(self.report):
            terminalreporter.write_line(line)
        for label, path in (("acceptance file", self.json_path), ("markdown", self.markdown_path)):
            if path is not None:
                terminalreporter.write_line(f"{label}: {path}")


def _requirement_failure(report: pytest.TestReport, data: dict[str, Any] | None) -> bool:
    """A failed report that is just its requirement's fail or error (not a teardown or a user assertion)."""
    if not data or report.when == "teardown":
        return False
    return Outcome(data["outcome"]) not in MET


def _junit_properties(config: pytest.Config, report: RunReport) -> None:
    """The verdicts as <testsuite> properties of the JUnit file, when one is written."""
    from _pytest.junitxml import xml_key  # pytest's own key: what record_testsuite_property uses

    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    xml.add_global_property("intacct_verdict", str(report.readiness))
    xml.add_global_property("intacct_partial", str(report.partial).lower())
    if report.replay:
        xml.add_global_property("intacct_replay", report.replay)
    for env in report.environments:
        xml.add_global_property(f"intacct_verdict[{env.name}]", str(env.readiness))
    for kind, count in (report.drift_counts or {}).items():
        xml.add_global_property(f"intacct_drift[{kind}]", str(count))
