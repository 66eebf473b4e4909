"""The run's results as the test reports carry them, and what happens with them at the end of the run.

Each requirement's result rides on its test report (``report.intacct``, plain JSON), so one collector
in the controlling process sees every result -- also when pytest-xdist runs the tests in workers --
and builds the one report model that the terminal summary and every output file are rendered from. The
requirements the run selected come from collection (the controller's items, or the node ids xdist
workers collected), so a selected requirement that never reported is an error, not a silent gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct import __version__
from pytest_intacct.checks.visibility import CHECKER_NEEDS
from pytest_intacct.plugin.inputs import RunInputs
from pytest_intacct.plugin.junit import add_testsuite_properties
from pytest_intacct.plugin.params import PARAM_ID, param_id, requirement_of
from pytest_intacct.profiles import Profile
from pytest_intacct.reporting.model import EnvironmentInfo, Key, RunReport, build_report, universe, with_homes
from pytest_intacct.reporting.outputs import reports
from pytest_intacct.reporting.terminal import summary_lines
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult
from pytest_intacct.results.readiness import MET, requirements_exit_code, run_exit_code


def to_report(result: RequirementResult) -> dict[str, Any]:
    """What a test report carries of its requirement's result."""
    return {
        "environment": result.environment,
        "requirement": result.requirement.id,
        "severity": result.requirement.severity,
        **result.finding.to_dict(),
    }


def from_report(data: dict[str, Any], profile: Profile) -> RequirementResult:
    requirement = profile.requirement(data["requirement"])
    return RequirementResult(data["environment"], requirement, Finding.from_dict(data))


class ResultCollector:
    """Collects results from reports; at the end builds the report, writes the files, sets the exit code."""

    def __init__(self, environments: Sequence[EnvironmentInfo], inputs: RunInputs) -> None:
        self.environments = list(environments)
        self.inputs = inputs
        self.started_at = dt.datetime.now().astimezone()
        self.report: RunReport | None = None
        self._results: dict[Key, RequirementResult] = {}
        self._planned: set[Key] = set()
        self._other_failed = False
        self._by_param_id = {param_id(env, rid): (env, rid) for env, rid in universe(self.environments)}
        self._profiles = {env.name: env.profile for env in with_homes(self.environments)}

    def profile_of(self, environment: str) -> Profile:
        """The profile an environment (or a cross-environment home) is judged by."""
        return self._profiles[environment]

    @property
    def profiles(self) -> list[Profile]:
        """The run's profiles, each once, in the order environments name them."""
        return list({env.profile.name: env.profile for env in self.environments}.values())

    # -- what the run selected ----------------------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            found = requirement_of(item)
            if found is not None:
                self._planned.add((found[0], found[1].id))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Iterable[str]) -> None:
        """Under xdist the controller collects nothing itself: map the workers' node ids back."""
        for nodeid in ids:
            match = PARAM_ID.search(nodeid)
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

    def build(self) -> RunReport:
        return build_report(
            self._results.values(),
            self.environments,
            plugin_version=__version__,
            started_at=self.started_at,
            planned=self._planned,
            baseline=self.inputs.baseline,
            waivers=self.inputs.waivers,
            today=self.inputs.today,
            replay=self.inputs.replay,
            finished_at=dt.datetime.now(dt.UTC),
            checker_needs=CHECKER_NEEDS,
            shard=self.inputs.shard,
        )

    # -- the end of the run -------------------------------------------------------------------

    def written(self) -> list[tuple[str, Path]]:
        """(label, path) of each report output the run writes, in declaration order."""
        return [
            (declared.label, self.inputs.files[declared.option])
            for declared in reports()
            if declared.option in self.inputs.files
        ]

    @pytest.hookimpl(tryfirst=True)  # before junitxml writes its file and pytest-html its page
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return  # nothing ran, nothing to report
        report = self.report = self.build()
        add_testsuite_properties(session.config, report)
        for declared in reports():
            path = self.inputs.files.get(declared.option)
            if path is not None:
                declared.write(report, path)
        if not report.environments and self.inputs.shard is not None:
            session.exitstatus = 0  # an empty shard: nothing of this fleet is its to check
            return
        if not report.rows:
            return  # no requirement selected: the run is only the user's own tests, pytest decides
        code = requirements_exit_code(report.readiness, report.news, self.inputs.fail_on)
        session.exitstatus = run_exit_code(
            int(session.exitstatus), code, other_tests_failed=self._other_failed
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("Intacct acceptance")
        for line in summary_lines(self.report):
            terminalreporter.write_line(line)
        for label, path in self.written():
            terminalreporter.write_line(f"{label}: {path}")


def _requirement_failure(report: pytest.TestReport, data: dict[str, Any] | None) -> bool:
    """A failed report that is just its requirement's fail or error (not a teardown or a user assertion)."""
    if not data or report.when == "teardown":
        return False
    return Outcome(data["outcome"]) not in MET
