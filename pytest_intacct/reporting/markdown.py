"""The Markdown summary: verdict, counts, root causes and failures with their fixes, for a ticket comment.

A fleet's comment stays short whatever its size: counts by verdict, the worst environments, each finding
once with the environments it hit, and each attestation once (:mod:`pytest_intacct.reporting.findings`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pytest_intacct.reporting.findings import (
    WORST_FIRST,
    Attestation,
    attestations,
    by_group,
    collapse,
    group_verdict,
    problems,
    some,
    verdict_words,
    worst_first,
)
from pytest_intacct.reporting.model import EnvironmentReport, Row, RunReport
from pytest_intacct.reporting.terminal import partial_note
from pytest_intacct.results.finding import details
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.homes import label as environment_label
from pytest_intacct.results.readiness import Readiness

SHOWN = 25  # environments, and findings, a fleet's comment lists before "... and N more"

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
    verdict = verdict_words(report.readiness, report.attestations_owed)
    lines = [f"## Intacct acceptance: **{verdict}**", ""]
    if report.replay:
        lines += [f"_{escape(report.replay)}: no gateway was contacted_", ""]
    if report.partial:
        lines += [f"_{escape(partial_note(report))}_", ""]
    if report.checker_needs:
        lines += [f"What the checker itself needs: {escape(report.checker_needs)}.", ""]
    body = _fleet(report) if report.grouped else _run(report)
    return "\n".join(lines + body) + "\n"


def _run(report: RunReport) -> list[str]:
    """One go-live: every environment's counts, then every root cause and failure with its fix."""
    lines = _table(report.environments, grouped=False)
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
    return lines + _waivers_to_review(report) + _attestations(attestations(report))


def _fleet(report: RunReport) -> list[str]:
    """A fleet: counts by verdict, the worst environments, each finding and attestation once."""
    shown = [env for env in report.environments if env.rows or env.not_run]
    groups = [group_verdict(members) for members in by_group(shown).values()]
    companies = [env for env in shown if not is_home(env.name)]
    lines = ["| verdict | environments | groups |", "|---|---|---|"]
    lines += [
        f"| {verdict} | {sum(1 for e in companies if e.readiness is verdict)} | {groups.count(verdict)} |"
        for verdict in WORST_FIRST
    ]
    ordered = worst_first(shown)
    lines += ["", "### Environments, worst first", "", *_table(ordered[:SHOWN], grouped=True)]
    if len(ordered) > SHOWN:
        rest = ordered[SHOWN:]
        bad = sum(1 for env in rest if env.readiness is not Readiness.READY)
        lines += ["", f"_... and {len(rest)} more, {bad} of them not READY_"]
    if report.baseline is not None:
        counts = ", ".join(f"{n} {k}" for k, n in (report.drift_counts or {}).items() if n)
        removed = [env.label for env in report.environments if env.removed]
        lines += ["", f"Drift since the baseline: {escape(counts or 'none')}"]
        if removed:
            lines.append(f"- requirements removed in {len(removed)} environments: {escape(some(removed))}")
        if report.dropped:
            dropped = list(report.dropped)
            lines.append(f"- not in this run: {len(dropped)} environments: {escape(some(dropped))}")
    found = collapse(problems(report))
    if found:
        lines += ["", f"### Root causes and failures, each once ({len(found)})", ""]
        for c in found[:SHOWN]:
            severity = f" ({c.severity})" if c.kind in ("fail", "error") else ""
            title = f": {escape(c.title)}" if c.kind in ("fail", "error") else ""
            lines.append(f"- **{c.word}** {escape(c.headline)}{title}{severity}")
            lines.append(f"  - in {len(c.environments)}: {escape(some(list(c.environments), 10))}")
            if c.kind in ("fail", "error"):
                varies = " (the wording differs by environment)" if len(c.observed) > 1 else ""
                lines.append(f"  - observed: {escape(c.observed[0])}{varies}")
            if c.fix:
                lines.append(f"  - fix: {escape(c.fix)}")
            if c.unchecked:
                lines.append(f"  - left unchecked: {c.unchecked} requirements")
        if len(found) > SHOWN:
            lines += ["", f"_... and {len(found) - SHOWN} more_"]
    waived: dict[str, list[Row]] = {}
    for row in report.rows:
        if row.waiver is not None:
            waived.setdefault(row.requirement.id, []).append(row)
    if waived:
        lines += ["", "### Waived", ""]
        for requirement, rows in waived.items():
            where = [environment_label(r.result.environment) for r in rows]
            lines.append(f"- {escape(requirement)} in {len(where)}: {escape(some(where, 10))}")
    return lines + _waivers_to_review(report) + _attestations(attestations(report), fleet=True)


def _table(environments: Sequence[EnvironmentReport], *, grouped: bool) -> list[str]:
    """Each environment's verdict and outcome counts (with its group in a fleet)."""
    outcomes = list(environments[0].counts) if environments else []
    group_head = ("group | ", "---|") if grouped else ("", "")
    lines = [
        f"| environment | {group_head[0]}verdict | " + " | ".join(outcomes) + " |",
        f"|---|{group_head[1]}---|" + "---|" * len(outcomes),
    ]
    for env in environments:
        label = f"{env.label} ({env.info.kind})" if env.info.kind else env.label
        cells = " | ".join(str(env.counts[o]) for o in outcomes)
        group = f"{escape(env.info.group)} | " if grouped else ""
        lines.append(f"| {escape(label)} | {group}{env.readiness} | {cells} |")
    return lines


def _waivers_to_review(report: RunReport) -> list[str]:
    flagged = [(w, s) for w, s in report.waivers if str(s) != "applied"]
    if not flagged:
        return []
    return ["", "### Waivers to review", "", *(f"- {escape(w.label)}: {s}" for w, s in flagged)]


def _attestations(owed: list[Attestation], *, fleet: bool = False) -> list[str]:
    """Each manual requirement once, with the environments that owe it."""
    if not owed:
        return []
    lines = ["", "### Manual attestations owed", ""]
    for a in owed:
        where = some(a.environments, 10) if fleet else ", ".join(a.environments)
        count = f"{len(a.environments)}: " if fleet else ""
        lines.append(f"- {escape(a.requirement.id)} in {count}{escape(where)}: {escape(a.requirement.title)}")
    return lines


def _row(row: Row) -> list[str]:
    r, v = row.requirement, row.finding
    drift = f" ({row.drift})" if row.drift else ""
    where = environment_label(row.result.environment)
    return [
        f"- **{v.outcome.value.upper()}** {escape(r.id)} in {escape(where)}: "
        f"{escape(r.title)} ({escape(r.severity)}){escape(drift)}",
        *(f"  - {escape(label)}: {escape(text)}" for label, text in details(row.result)),
    ]
