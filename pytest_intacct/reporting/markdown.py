"""The Markdown summary: verdict, counts, root causes and failures with their fixes, for a ticket comment."""

from __future__ import annotations

import re

from pytest_intacct.reporting.model import Row, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.finding import details
from pytest_intacct.results.homes import label as environment_label

_SPECIAL = re.compile(r"([\\`*_{}\[\]<|~&])")


# A word joiner (U+2060) inside what a ticket system would turn into a link or a mention: invisible,
# but ``https://…``, ``www.…`` and ``@team`` stay plain text.
_AUTOLINKS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)(?=\w)", re.IGNORECASE)


def escape(text: str) -> str:
    """Text as literal Markdown: no markup, links, mentions, HTML or table breaks from gateway or profile
    text."""
    literal = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _AUTOLINKS.sub("\u2060", literal)


def render_markdown(report: RunReport) -> str:
    lines = [f"## Intacct acceptance: **{report.readiness}**", ""]
    if report.replay:
        lines += [f"_{escape(report.replay)}: no gateway was contacted_", ""]
    if report.partial:
        lines += [f"_{escape(partial_note(report))}_", ""]
    if report.checker_needs:
        lines += [f"What the checker itself needs: {escape(report.checker_needs)}.", ""]
    outcomes = list(report.environments[0].counts) if report.environments else []
    grouped = report.grouped  # a fleet: a group column, rows grouped by group
    group_head = ("group | ", "---|") if grouped else ("", "")
    lines += [
        f"| environment | {group_head[0]}verdict | " + " | ".join(outcomes) + " |",
        f"|---|{group_head[1]}---|" + "---|" * len(outcomes),
    ]
    for env in sorted(report.environments, key=lambda e: e.info.group if grouped else ""):
        label = f"{env.label} ({env.info.kind})" if env.info.kind else env.label
        cells = " | ".join(str(env.counts[o]) for o in outcomes)
        group = f"{escape(env.info.group)} | " if grouped else ""
        lines.append(f"| {escape(label)} | {group}{env.readiness} | {cells} |")
    if report.baseline is not None:
        counts = ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n)
        lines += ["", f"Drift since the baseline: {escape(counts or 'none')}"]
        for env in report.environments:
            if env.removed:
                lines.append(f"- {escape(env.label)}: removed {escape(', '.join(env.removed))}")
        lines += [
            f"- {escape(name)}: not in this run ({len(ids)} requirements the baseline checked)"
            for name, ids in report.dropped.items()
        ]
    causes, blocked, others = report.root_causes(), report.blocked(), report.causes()
    if causes or blocked or others:
        lines += ["", "### Root causes and failures", ""]
        for where, cause, rows in others:
            ids = ", ".join(r.requirement.id for r in rows)
            lines += [
                f"- **ROOT CAUSE** in {escape(environment_label(where))}: {escape(cause.title)}",
                f"  - fix: {escape(cause.fix)}",
                f"  - not checked because of it ({len(rows)}): {escape(ids)}",
            ]
        for row, caused in causes:
            lines += _row(row)
            if caused:
                ids = ", ".join(r.requirement.id for r in caused)
                lines.append(f"  - not checked because of it ({len(caused)}): {escape(ids)}")
        for where, observed, rows in blocked:
            ids = ", ".join(r.requirement.id for r in rows)
            lines += [
                f"- **NOT CHECKED** in {escape(where)} ({len(rows)} requirements): {escape(observed)}",
                f"  - requirements: {escape(ids)}",
            ]
    waived = [row for row in report.rows if row.waiver is not None]
    if waived:
        lines += ["", "### Waived", ""]
        for row in waived:
            w = row.waiver
            assert w is not None
            until = f", until {w.expires.isoformat()}" if w.expires else ""
            who = f"{w.owner or 'no owner'}, {w.ticket or 'no ticket'}{until}"
            lines.append(
                f"- {escape(row.requirement.id)} in {escape(environment_label(row.result.environment))}: "
                f"{escape(w.justification)} ({escape(who)})"
            )
    flagged = [(w, s) for w, s in report.waivers if str(s) != "applied"]
    if flagged:
        lines += ["", "### Waivers to review", ""]
        lines += [f"- {escape(w.label)}: {s}" for w, s in flagged]
    manual = [row for row in report.rows if row.outcome.value == "manual"]
    if manual:
        lines += ["", "### Manual attestations owed", ""]
        lines += [
            f"- {escape(r.requirement.id)} in {escape(environment_label(r.result.environment))}: "
            f"{escape(r.requirement.title)}"
            for r in manual
        ]
    return "\n".join(lines) + "\n"


def _row(row: Row) -> list[str]:
    r, v = row.requirement, row.finding
    drift = f" ({row.drift})" if row.drift else ""
    where = environment_label(row.result.environment)
    return [
        f"- **{v.outcome.value.upper()}** {escape(r.id)} in {escape(where)}: "
        f"{escape(r.title)} ({escape(r.severity)}){escape(drift)}",
        *(f"  - {escape(label)}: {escape(text)}" for label, text in details(row.result)),
    ]
