"""pytest-html integration: requirement, severity and outcome columns, remediation and evidence per
row, and outcome counts in the summary. Registered only when pytest-html is active."""

from __future__ import annotations

import html
from typing import Any

import pytest
from pytest_html import extras
from pytest_metadata.plugin import metadata_key

from pytest_intacct.profiles import Profile
from pytest_intacct.reporting.acceptance_json import EnvironmentInfo
from pytest_intacct.reporting.collector import ResultCollector
from pytest_intacct.results import RequirementResult, count_outcomes

_COLUMNS = ("requirement", "severity", "outcome")


def row_extras(result: RequirementResult) -> list[dict[str, Any]]:
    """The report's per-row extras: a remediation block and the (redacted) evidence as JSON."""
    r, v = result.requirement, result.verdict
    block = (
        '<div class="intacct-verdict">'
        f"<p><strong>{html.escape(v.outcome.value.upper())}</strong> {html.escape(r.title)}</p>"
        f"<p>Expected: {html.escape(v.expected)}</p>"
        f"<p>Observed: {html.escape(v.observed)}</p>"
        f"<p>Fix ({html.escape(r.runbook_step)}): {html.escape(r.remediation)}</p>"
        "</div>"
    )
    return [extras.html(block), extras.json(dict(v.evidence), name="Evidence")]


def environment_metadata(
    config: pytest.Config, profile: Profile, environments: list[EnvironmentInfo]
) -> None:
    """The report's Environment table names the runbook and each company checked (never a credential)."""
    metadata = config.stash[metadata_key]
    metadata["Intacct profile"] = f"{profile.name}: {profile.title}"
    metadata["Intacct environments"] = {
        env.name: f"company {env.company_id} at {env.endpoint}" for env in environments
    }


class HtmlReport:
    """The pytest-html hooks, reading the run's results from the collector."""

    def __init__(self, collector: ResultCollector) -> None:
        self._collector = collector

    def pytest_html_report_title(self, report) -> None:
        names = ", ".join(e.name for e in self._collector.environments)
        report.title = f"Intacct acceptance: {self._collector.profile.title} ({names})"

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        for offset, name in enumerate(_COLUMNS):
            cells.insert(2 + offset, f'<th class="sortable" data-column-type="{name}">{name.title()}</th>')

    def pytest_html_results_table_row(self, report, cells: list[str]) -> None:
        data = getattr(report, "intacct", None) or {}
        for offset, name in enumerate(_COLUMNS):
            cells.insert(2 + offset, f'<td class="col-{name}">{html.escape(str(data.get(name, "")))}</td>')

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        profile = self._collector.profile
        counts = count_outcomes(self._collector.results())
        listed = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        names = ", ".join(e.name for e in self._collector.environments)
        prefix.append(
            f"<p>Profile <strong>{html.escape(profile.name)}</strong> ({html.escape(profile.source)}) "
            f"against {html.escape(names)}: {html.escape(listed)}.</p>"
        )
