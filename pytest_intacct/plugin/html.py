"""pytest-html hooks: the go-live page around pytest-html 4's template (resources/index.jinja2).

The static summary (:func:`pytest_intacct.reporting.html.summary_html`) goes into the summary prefix,
which the template renders into the page source; the verdict rides in the report title, set late on the
report object the title hook handed us; each row's details are an inline HTML extra. This leans on
pytest-html 4's template, hence the pinned major version in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import pytest
from pytest_html import extras
from pytest_metadata.plugin import metadata_key

from pytest_intacct.plugin.collector import ResultCollector
from pytest_intacct.profiles import Profile
from pytest_intacct.reporting.html import requirement_block, summary_html, title
from pytest_intacct.reporting.model import Row
from pytest_intacct.results.finding import RequirementResult
from pytest_intacct.results.waivers import Waiver

_COLUMNS = {"environment": "Environment", "requirement": "Id", "severity": "Severity", "outcome": "Outcome"}
_EMPTY_CELLS = [f'<td class="col-{name}"></td>' for name in _COLUMNS]
_PYTEST_METADATA = ("Python", "Platform", "Packages", "Plugins")


def row_extras(result: RequirementResult, waiver: Waiver | None) -> list[dict[str, Any]]:
    """A row's details, inline and html-escaped: expected, observed, fix, waiver and evidence."""
    return [extras.html(requirement_block(Row(result, waiver=waiver), heading=False))]


class HtmlReport:
    """The pytest-html hooks, reading the run's report from the collector."""

    def __init__(self, collector: ResultCollector) -> None:
        self._collector = collector
        self._html_report: Any = None

    def _names(self) -> list[str]:
        return [e.name for e in self._collector.environments]

    @pytest.hookimpl(tryfirst=True)  # before pytest-html reads the metadata into its environment table
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """pytest-html's script inserts the environment table's values as markup (``innerHTML`` in its
        app.js), and pytest-metadata fills it from anywhere (CI variables hold branch names and commit
        messages): every value is escaped, so the page shows each as text."""
        metadata = session.config.stash[metadata_key]
        for key in _PYTEST_METADATA:
            metadata.pop(key, None)
        for key, value in list(metadata.items()):
            metadata[key] = _inert(value)

    def pytest_html_report_title(self, report: Any) -> None:
        self._html_report = report  # fires at session start: the verdict is set on it at the end
        report.title = title(None, self._collector.profiles, self._names())

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        del cells[2:]  # Duration (0 ms noise) and Links (evidence is inline)
        cells[1] = '<th class="sortable" data-column-type="testId">Requirement</th>'
        for name, label in _COLUMNS.items():
            cells.append(f'<th class="sortable" data-column-type="{name}">{label}</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        data = getattr(report, "intacct", None)
        del cells[2:]
        if not data:  # a user's own test, or a phase of a requirement's test that is not its result
            cells += _EMPTY_CELLS
            return
        profile = self._collector.profile_of(data["environment"])
        cells[1] = f'<td class="col-testId">{escape(profile.requirement(data["requirement"]).title)}</td>'
        cells += [f'<td class="col-{name}">{escape(str(data[name]))}</td>' for name in _COLUMNS]

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        if getattr(report, "intacct", None):
            data.clear()  # the failure text is in the row's details already

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        report = self._collector.report
        if report is None:
            return
        if self._html_report is not None:
            self._html_report.title = title(report, self._collector.profiles, self._names())
        prefix.append(summary_html(report, self._collector.profiles))


def environment_metadata(config: pytest.Config, profiles: Sequence[Profile], names: list[str]) -> None:
    """The JSON blob's environment names the runbooks and the environments (never a credential); made
    inert with every other value at session start."""
    metadata = config.stash[metadata_key]
    metadata["Intacct profile"] = "; ".join(f"{p.name}: {p.title}" for p in profiles)
    metadata["Intacct environments"] = ", ".join(names)


def _inert(value: Any) -> Any:
    """A metadata value as text for ``innerHTML``: strings escaped, a table's keys and values too."""
    if isinstance(value, dict):
        return {escape(str(key)): _inert(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_inert(item) for item in value]
    return escape(str(value)) if value is not None else value
