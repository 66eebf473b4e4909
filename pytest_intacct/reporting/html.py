"""The go-live page's own parts, rendered from an autoescaped Jinja2 template (templates/golive.html.j2).

pytest-html 4 draws its environment table and result rows with script, so everything an approver needs
is written into the summary: the verdict, the counts, the environment table and every requirement (each
failure, error, attestation and waiver in full, passes as a table row), in the page source, printable
without JavaScript. The pytest-html hooks that place these parts live in :mod:`pytest_intacct.plugin.html`;
the fleet's group pages (:mod:`pytest_intacct.reporting.fleet`) are the same summary on a page of its own.
This module knows nothing of pytest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pytest_intacct.profiles import SEVERITIES, Profile
from pytest_intacct.reporting.findings import Problem, attestations, problems, verdict_words
from pytest_intacct.reporting.model import Row, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.finding import Outcome, details
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.homes import label as environment_label

_TEMPLATES = Path(__file__).parent / "templates"


@cache
def template(name: str) -> Any:
    """The macros of a page template (``golive.html.j2``, ``fleet.html.j2``), every value autoescaped."""
    return _environment().get_template(name).module


def _template() -> Any:
    return template("golive.html.j2")


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        # Every value is escaped as html.escape does (quotes included), before autoescape sees it.
        finalize=lambda value: value if isinstance(value, Markup) else Markup(escape(str(value))),  # noqa: S704
    )
    environment.filters["environment_label"] = environment_label
    environment.filters["evidence_json"] = lambda evidence: json.dumps(
        dict(evidence), indent=2, ensure_ascii=False, default=str
    )
    environment.globals["row_items"] = row_items
    environment.filters["met_rows"] = met_rows
    return environment


def title(report: RunReport | None, profiles: Sequence[Profile], names: list[str]) -> str:
    """The page title: the verdict first (once known), the runbooks and the environments."""
    shown = names if len(names) <= 5 else [*names[:5], f"and {len(names) - 5} more"]
    base = f"Intacct acceptance: {' / '.join(p.title for p in profiles)} ({', '.join(shown)})"
    if report is None:
        return base
    return f"{verdict(report)}{' (REPLAY)' if report.replay else ''}: {base}"


def verdict(report: RunReport) -> str:
    """The verdict as the page words it: ``READY, 1 attestation owed``."""
    return verdict_words(report.readiness, report.attestations_owed)


def row_items(row: Row) -> list[tuple[str, str]]:
    """What a requirement's block lists: outcome, where, the requirement, its step and severity, the
    result's own wording (:func:`~pytest_intacct.results.finding.details`) and the waiver."""
    r, v = row.requirement, row.finding
    items = [
        ("Outcome", v.outcome.value.upper() + (f" (drift: {row.drift})" if row.drift else "")),
        ("Environment", environment_label(row.result.environment)),
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
    return items


def met_rows(rows: Sequence[Row]) -> Markup:
    """The passed and not applicable requirements as table rows, every value escaped as the template
    escapes it: built here because a fleet has thousands and the template's per-value escaping is slow."""
    cells = []
    for row in rows:
        r, na = row.requirement, row.outcome is Outcome.NOT_APPLICABLE
        note = f" ({row.finding.observed})" if na else ""
        cells.append(
            f"\n<tr><td>{escape(environment_label(row.result.environment))}</td><td>{escape(r.id)}</td>"
            f"<td>{escape(r.title + note)}</td><td>{escape(r.severity)}</td>"
            f'<td class="{"o-na" if na else "o-pass"}">{escape(row.outcome.value)}</td></tr>'
        )
    return Markup("".join(cells))  # noqa: S704 (every value escaped above)


def requirement_block(row: Row, *, heading: bool = True, caused: Sequence[Row] = ()) -> str:
    """One requirement as an HTML block (a row's details in pytest-html's table, or in the summary)."""
    return str(_template().requirement_block(row, heading=heading, caused=caused))


def started(report: RunReport) -> str:
    """The start time with its time zone, e.g. ``2026-11-23 20:39:13 UTC (+0000)``."""
    return report.started_at.strftime("%Y-%m-%d %H:%M:%S %Z (%z)")


def summary_html(report: RunReport, profiles: Sequence[Profile], *, all_results: bool = True) -> str:
    """The static part of the page: everything an approver needs, in the page source; ``all_results``
    heads pytest-html's interactive table, which follows it (on screen only)."""
    grouped = report.grouped
    drift_lines = [
        f"{env.label}: removed {', '.join(env.removed)}" for env in report.environments if env.removed
    ] + [
        f"{name}: not in this run ({len(ids)} requirements the baseline checked)"
        for name, ids in report.dropped.items()
    ]
    page = {
        "report": report,
        "profiles": list(profiles),
        "started": started(report),
        "partial_note": partial_note(report) if report.partial else "",
        "outcomes": [o.value for o in Outcome],
        "grouped": grouped,
        "environments": sorted(report.environments, key=lambda e: e.info.group if grouped else ""),
        "verdict": verdict(report),
        "by_severity": by_severity(problems(report)),
        "attestations": attestations(report),
        "real_environments": [e for e in report.environments if not is_home(e.name)],
        "drift_counts": ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n) or "none",
        "drift_lines": drift_lines,
        "causes": report.root_causes(),
        "blocked": report.blocked(),
        "others_causes": report.causes(),
        "waived": [r for r in report.rows if r.outcome is Outcome.WAIVED],
        "met": [r for r in report.rows if r.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE)],
        "all_results": all_results,
    }
    return str(_template().summary(page))


def by_severity(found: Sequence[Problem]) -> list[tuple[str, int, int, int]]:
    """Per severity: root causes that failed, root causes that could not be checked (a requirement, a
    cause no requirement is, a stopped sign-in), and the requirements they left unchecked."""
    return [
        (
            severity,
            sum(1 for p in found if p.severity == severity and p.kind == "fail"),
            sum(1 for p in found if p.severity == severity and p.kind != "fail"),
            sum(len(p.unchecked) for p in found if p.severity == severity),
        )
        for severity in SEVERITIES
    ]
