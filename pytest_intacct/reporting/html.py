"""The go-live page's own parts, rendered from an autoescaped Jinja2 template (templates/golive.html.j2).

pytest-html 4 draws its environment table and result rows with script, so everything an approver needs
is written into the summary: the verdict, the counts, the environment table and every failed, errored
and manual requirement, in the page source, printable without JavaScript. The pytest-html hooks that
place these parts live in :mod:`pytest_intacct.plugin.html`; this module knows nothing of pytest.
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
from pytest_intacct.reporting.model import Row, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.finding import Outcome, details
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.homes import label as environment_label

_TEMPLATES = Path(__file__).parent / "templates"


@cache
def _template() -> Any:
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
    return environment.get_template("golive.html.j2").module


def title(report: RunReport | None, profiles: Sequence[Profile], names: list[str]) -> str:
    """The page title: the verdict first (once known), the runbooks and the environments."""
    shown = names if len(names) <= 5 else [*names[:5], f"and {len(names) - 5} more"]
    base = f"Intacct acceptance: {' / '.join(p.title for p in profiles)} ({', '.join(shown)})"
    if report is None:
        return base
    return f"{report.readiness}{' (REPLAY)' if report.replay else ''}: {base}"


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


def requirement_block(row: Row, *, heading: bool = True, caused: Sequence[Row] = ()) -> str:
    """One requirement as an HTML block (a row's details in pytest-html's table, or in the summary)."""
    return str(_template().requirement_block(row, heading=heading, caused=caused))


def started(report: RunReport) -> str:
    """The start time with its time zone, e.g. ``2026-11-23 20:39:13 UTC (+0000)``."""
    return report.started_at.strftime("%Y-%m-%d %H:%M:%S %Z (%z)")


def summary_html(report: RunReport, profiles: Sequence[Profile]) -> str:
    """The static part of the page: everything an approver needs, in the page source."""
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
        "by_severity": [
            (
                severity,
                _count(report, Outcome.FAIL, severity),
                _count(report, Outcome.ERROR, severity),
            )
            for severity in SEVERITIES
        ],
        "manual": [r for r in report.rows if r.outcome is Outcome.MANUAL],
        "real_environments": [e for e in report.environments if not is_home(e.name)],
        "drift_counts": ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n) or "none",
        "drift_lines": drift_lines,
        "causes": report.root_causes(),
        "blocked": report.blocked(),
        "others_causes": report.causes(),
        "others": [r for r in report.rows if r.outcome in (Outcome.MANUAL, Outcome.WAIVED)],
    }
    return str(_template().summary(page))


def _count(report: RunReport, outcome: Outcome, severity: str) -> int:
    return sum(1 for r in report.rows if r.outcome is outcome and r.requirement.severity == severity)
