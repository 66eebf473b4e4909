"""The run's results as the test reports carry them.

Each requirement's result rides on its test report (``report.intacct``, plain JSON), so one collector
in the controlling process sees every result -- also when pytest-xdist runs the tests in workers --
and feeds the terminal summary, the acceptance file and the HTML summary from the same model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct import __version__
from pytest_intacct.profiles import Profile
from pytest_intacct.reporting.acceptance_json import EnvironmentInfo, build_acceptance, write_acceptance
from pytest_intacct.reporting.terminal import summary_lines
from pytest_intacct.results import ACROSS_ENVIRONMENTS, Outcome, RequirementResult, Verdict


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
    }


def from_report(data: dict[str, Any], profile: Profile) -> RequirementResult:
    verdict = Verdict(
        Outcome(data["outcome"]), data["expected"], data["observed"], data["evidence"], data["root_cause"]
    )
    return RequirementResult(data["environment"], profile.requirement(data["requirement"]), verdict)


class ResultCollector:
    """Collects results from reports; writes the acceptance file and the terminal summary at the end."""

    def __init__(
        self, profile: Profile, environments: Sequence[EnvironmentInfo], json_path: str | None
    ) -> None:
        self.profile = profile
        self.environments = list(environments)
        self.json_path = Path(json_path).absolute() if json_path else None
        self._results: dict[tuple[str, str], RequirementResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "intacct", None)
        if data:
            result = from_report(data, self.profile)
            self._results[(result.environment, result.requirement.id)] = result

    def results(self) -> list[RequirementResult]:
        """Results so far: environments in run order, then cross-environment ones; profile order within."""
        order = {
            name: i for i, name in enumerate([*(e.name for e in self.environments), ACROSS_ENVIRONMENTS])
        }
        position = {r.id: i for i, r in enumerate(self.profile.requirements)}
        return sorted(
            self._results.values(), key=lambda r: (order[r.environment], position[r.requirement.id])
        )

    def pytest_sessionfinish(self) -> None:
        if self.json_path is None:
            return
        document = build_acceptance(
            self.results(),
            self.environments,
            plugin_version=__version__,
            generated_at=dt.datetime.now(dt.UTC),
        )
        write_acceptance(self.json_path, document)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.section("Intacct acceptance")
        for line in summary_lines(self.results(), [e.name for e in self.environments], self.profile):
            terminalreporter.write_line(line)
        if self.json_path is not None:
            terminalreporter.write_line(f"acceptance file: {self.json_path}")
