"""pytest-html integration: the go-live report.

pytest-html 4 draws its environment table and result rows with script, so everything an approver needs
is written into the summary prefix, which the template renders into the page source: the verdict, the
counts, the environment table and every failed, errored and manual requirement. The verdict also rides
in the report title (``<title>`` and ``<h1>``), set late on the report object the title hook handed us.
A ``<style>`` in the prefix hides pytest-html's own chrome and carries the print rules. This leans on
pytest-html 4's template (resources/index.jinja2), hence the pinned major version in pyproject.toml.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

import pytest
from pytest_html import extras
from pytest_metadata.plugin import metadata_key

from pytest_intacct.profiles import SEVERITIES, Profile
from pytest_intacct.reporting.model import EnvironmentReport, Row, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.finding import Outcome, RequirementResult, details
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.homes import label as environment_label
from pytest_intacct.results.waivers import Waiver, find_waiver

_COLUMNS = {"environment": "Environment", "requirement": "Id", "severity": "Severity", "outcome": "Outcome"}
_PYTEST_METADATA = ("Python", "Platform", "Packages", "Plugins")
STYLE = """<style>
body > p:first-of-type, #environment-header, #environment, .run-count, p.filter,
.summary__data > h2, .col-result, th[data-column-type="result"], .logwrapper,
.filters input[data-test-result="rerun"], .filters span.rerun,
.filters input[data-test-result="xpassed"], .filters span.xpassed,
.filters input[data-test-result="retried"], .filters span.retried { display: none; }
#intacct { color: #222; font-size: 13px; }
#intacct table { border-collapse: collapse; margin: 0.5em 0 1em; }
#intacct th, #intacct td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
#intacct .verdict { font-size: 1.6em; font-weight: bold; margin: 0.3em 0; }
#intacct .v-READY { color: #1a7f37; } #intacct .v-NOT-READY { color: #cf222e; }
#intacct .v-INCOMPLETE { color: #9a6700; }
.intacct-req { color: #222; border-left: 4px solid #ccc; padding: 0 0 0 8px; margin: 0 0 1em; }
.intacct-req.fail { border-color: #cf222e; } .intacct-req.error { border-color: #9a6700; }
.intacct-req pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 4px; }
.intacct-req dl { display: grid; grid-template-columns: max-content auto; gap: 0 1em; margin: 0; }
.intacct-req dt { font-weight: bold; } .intacct-req dd { margin: 0; }
@media print {
  #results-table, .controls, .summary__reload, .summary__spacer, footer { display: none !important; }
  .intacct-req { break-inside: avoid; }
  body { font-size: 10pt; }
}
</style>"""


def title(report: RunReport | None, profiles: Sequence[Profile], names: list[str]) -> str:
    shown = names if len(names) <= 5 else [*names[:5], f"and {len(names) - 5} more"]
    base = f"Intacct acceptance: {' / '.join(p.title for p in profiles)} ({', '.join(shown)})"
    if report is None:
        return base
    return f"{report.readiness}{' (REPLAY)' if report.replay else ''}: {base}"


def row_extras(result: RequirementResult, waivers: Sequence[Waiver] = ()) -> list[dict[str, Any]]:
    """A row's details, inline and html-escaped: expected, observed, fix, waiver and evidence."""
    waiver = (
        find_waiver(waivers, result.environment, result.requirement.id)
        if result.outcome is Outcome.WAIVED
        else None
    )
    return [extras.html(requirement_block(Row(result, waiver=waiver), heading=False))]


def requirement_block(row: Row, *, heading: bool = True, caused: list[Row] | None = None) -> str:
    r, v = row.requirement, row.verdict
    env = row.result.environment
    where = environment_label(env)
    items = [
        ("Outcome", v.outcome.value.upper() + (f" (drift: {row.drift})" if row.drift else "")),
        ("Environment", where),
        ("Requirement", f"{r.title} [{r.id}]"),
        ("Runbook step", r.runbook_step),
        ("Severity", r.severity),
        *((label[0].upper() + label[1:], text) for label, text in details(row.result)),
    ]
    if row.waiver is not None:
        w = row.waiver
        items.append(
            (
                "Waived",
                f"{w.justification} (owner {w.owner or '-'}, ticket {w.ticket or '-'}, "
                f"expires {w.expires.isoformat() if w.expires else 'never'})",
            )
        )
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(val)}</dd>" for k, val in items)
    evidence = json.dumps(dict(v.evidence), indent=2, ensure_ascii=False, default=str)
    parts = [f'<div class="intacct-req {escape(v.outcome.value.replace("/", ""))}">']
    if heading:
        parts.append(
            f"<h4>{escape(v.outcome.value.upper())} {escape(r.id)} in {escape(where)}: {escape(r.title)}</h4>"
        )
    parts.append(f"<dl>{body}</dl>")
    if v.evidence:
        parts.append(f"<p>Evidence:</p><pre>{escape(evidence)}</pre>")
    if caused:
        listed = "".join(
            f"<li>{escape(c.requirement.id)}: {escape(c.requirement.title)}</li>" for c in caused
        )
        parts.append(f"<p>Not checked because of this ({len(caused)}):</p><ul>{listed}</ul>")
    parts.append("</div>")
    return "".join(parts)


def started(report: RunReport) -> str:
    """The start time with its time zone, e.g. ``2026-11-23 20:39:13 UTC (+0000)``."""
    return report.started_at.strftime("%Y-%m-%d %H:%M:%S %Z (%z)")


def summary_html(report: RunReport, profiles: Sequence[Profile]) -> str:
    """The static part of the page: everything an approver needs, in the page source."""
    outcomes = [o.value for o in Outcome]
    parts = [STYLE, '<div id="intacct">']
    parts.append(
        f'<p class="verdict v-{str(report.readiness).replace(" ", "-")}">{escape(str(report.readiness))}</p>'
    )
    if report.replay:
        note = f"{report.replay}: no gateway was contacted"
        parts.append(f'<p class="partial"><strong>{escape(note)}</strong></p>')
    if report.partial:
        parts.append(f'<p class="partial"><strong>{escape(partial_note(report))}</strong></p>')
    named = "; ".join(
        f"<strong>{escape(p.name)}</strong>: {escape(p.title)} (source: {escape(p.source)})" for p in profiles
    )
    parts.append(
        f"<p>Profile{'s' if len(profiles) > 1 else ''} {named}. Started {escape(started(report))}; "
        f"pytest-intacct {escape(report.plugin_version)}.</p>"
    )
    head = "".join(f"<th>{escape(o)}</th>" for o in outcomes)
    grouped = report.grouped  # a fleet: a group column, rows grouped by group
    rows = "".join(
        f"<tr><td>{escape(env.label)}</td>"
        + (f"<td>{escape(env.info.group)}</td>" if grouped else "")
        + f"<td>{escape(str(env.readiness))}</td>"
        + "".join(f"<td>{env.counts[o]}</td>" for o in outcomes)
        + f"<td>{len(env.not_run)}</td></tr>"
        for env in sorted(report.environments, key=lambda e: e.info.group if grouped else "")
    )
    parts.append(
        '<h2>Verdict and counts</h2><table id="intacct-counts"><tr><th>environment</th>'
        f"{'<th>group</th>' if grouped else ''}<th>verdict</th>{head}<th>not run</th></tr>{rows}</table>"
    )
    parts.append(_by_severity(report))
    parts.append(_manual(report))
    parts.append(_environments(report.environments))
    parts.append(_drift(report))
    parts.append(_waivers(report))
    parts.append(_details(report))
    parts.append("<h2>All results</h2></div>")
    return "".join(parts)


def _blocked_block(env: str, observed: str, rows: list[Row]) -> str:
    listed = "".join(f"<li>{escape(r.requirement.id)}: {escape(r.requirement.title)}</li>" for r in rows)
    return (
        f'<div class="intacct-req error"><h4>NOT CHECKED in {escape(env)} ({len(rows)} requirements)</h4>'
        f"<p>{escape(observed)}</p><ul>{listed}</ul></div>"
    )


def _by_severity(report: RunReport) -> str:
    cells = []
    for severity in SEVERITIES:
        failed = sum(
            1 for r in report.rows if r.outcome is Outcome.FAIL and r.requirement.severity == severity
        )
        errors = sum(
            1 for r in report.rows if r.outcome is Outcome.ERROR and r.requirement.severity == severity
        )
        cells.append(f"<tr><td>{escape(severity)}</td><td>{failed}</td><td>{errors}</td></tr>")
    return (
        '<h2>Failures by severity</h2><table id="intacct-severity"><tr><th>severity</th><th>fail</th>'
        f"<th>error</th></tr>{''.join(cells)}</table>"
    )


def _manual(report: RunReport) -> str:
    manual = [r for r in report.rows if r.outcome is Outcome.MANUAL]
    if not manual:
        return "<h2>Manual attestations owed</h2><p>None.</p>"
    items = "".join(
        f"<li>{escape(r.requirement.title)} [{escape(r.requirement.id)}] in "
        f"{escape(environment_label(r.result.environment))}: {escape(r.verdict.observed)}</li>"
        for r in manual
    )
    return f'<h2>Manual attestations owed</h2><ul id="intacct-manual">{items}</ul>'


def _environments(environments: tuple[EnvironmentReport, ...]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("name", "kind", "company", "Web Services user", "sender id", "endpoint", "group", "profile")
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(v or ''))}</td>"
            for v in (
                e.info.name,
                e.info.kind,
                e.info.company_id,
                e.info.user_id,
                e.info.sender_id,
                e.info.endpoint,
                e.info.group,
                f"{e.info.profile.name} ({e.info.profile.source})",
            )
        )
        + "</tr>"
        for e in environments
        if not is_home(e.name)
    )
    return f'<h2>Environments</h2><table id="intacct-environments"><tr>{head}</tr>{rows}</table>'


def _drift(report: RunReport) -> str:
    if report.baseline is None:
        return ""
    counts = ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n) or "none"
    removed = "".join(
        f"<li>{escape(env.label)}: removed {escape(', '.join(env.removed))}</li>"
        for env in report.environments
        if env.removed
    )
    removed += "".join(
        f"<li>{escape(name)}: not in this run ({len(ids)} requirements the baseline checked)</li>"
        for name, ids in report.dropped.items()
    )
    return (
        f"<h2>Drift</h2><p>Against {escape(str(report.baseline.path))} "
        f"({escape(report.baseline.generated_at or 'undated')}): {escape(counts)}.</p>"
        + (f"<ul>{removed}</ul>" if removed else "")
    )


def _waivers(report: RunReport) -> str:
    if not report.waivers:
        return ""
    items = "".join(
        f"<li>{escape(w.label)}: <strong>{escape(str(s))}</strong> - {escape(w.justification)}</li>"
        for w, s in report.waivers
    )
    return f'<h2>Waivers</h2><ul id="intacct-waivers">{items}</ul>'


def _details(report: RunReport) -> str:
    parts = ["<h2>Root causes and failures</h2>"]
    causes, blocked = report.root_causes(), report.blocked()
    if not (causes or blocked):
        parts.append("<p>None.</p>")
    parts += [requirement_block(row, caused=caused) for row, caused in causes]
    parts += [_blocked_block(env, observed, rows) for env, observed, rows in blocked]
    others = [r for r in report.rows if r.outcome in (Outcome.MANUAL, Outcome.WAIVED)]
    if others:
        parts.append("<h2>Manual and waived requirements</h2>")
        parts += [requirement_block(row) for row in others]
    if report.partial:
        items = "".join(
            f"<li>{escape(r.id)} in {escape(env.label)}: {escape(r.title)}</li>"
            for env in report.environments
            for r in env.not_run
        )
        parts.append(f'<h2>Not run (not counted as met)</h2><ul id="intacct-not-run">{items}</ul>')
    return "".join(parts)


class HtmlReport:
    """The pytest-html hooks, reading the run's report from the collector."""

    def __init__(self, collector: Any) -> None:
        self._collector = collector
        self._html_report: Any = None

    def _names(self) -> list[str]:
        return [e.name for e in self._collector.environments]

    def _profiles(self) -> list[Profile]:
        return list({e.profile.name: e.profile for e in self._collector.environments}.values())

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        metadata = session.config.stash[metadata_key]
        for key in _PYTEST_METADATA:
            metadata.pop(key, None)

    def pytest_html_report_title(self, report: Any) -> None:
        self._html_report = report  # fires at session start: the verdict is set on it at the end
        report.title = title(None, self._profiles(), self._names())

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        del cells[2:]  # Duration (0 ms noise) and Links (evidence is inline)
        cells[1] = '<th class="sortable" data-column-type="testId">Requirement</th>'
        for name, label in _COLUMNS.items():
            cells.append(f'<th class="sortable" data-column-type="{name}">{label}</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        data = getattr(report, "intacct", None) or {}
        if data:
            profile = self._collector.profile_of(data["environment"])
            requirement = profile.requirement(data["requirement"])
            cells[1] = f'<td class="col-testId">{escape(requirement.title)}</td>'
        del cells[2:]
        for name in _COLUMNS:
            cells.append(f'<td class="col-{name}">{escape(str(data.get(name, "")))}</td>')

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        if getattr(report, "intacct", None):
            data.clear()  # the failure text is in the row's details already

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        report = self._collector.report
        if report is None:
            return
        if self._html_report is not None:
            self._html_report.title = title(report, self._profiles(), self._names())
        prefix.append(summary_html(report, self._profiles()))


def environment_metadata(config: pytest.Config, profiles: Sequence[Profile], names: list[str]) -> None:
    """The JSON blob's environment names the runbooks and the environments (never a credential)."""
    metadata = config.stash[metadata_key]
    metadata["Intacct profile"] = "; ".join(f"{p.name}: {p.title}" for p in profiles)
    metadata["Intacct environments"] = ", ".join(names)
