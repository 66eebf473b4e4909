"""The terminal summary: the verdict, outcome counts per environment and what needs attention, ending
with one verdict line per environment, worst first (by group in a fleet), so 200 environments stay
readable."""

from __future__ import annotations

from pytest_intacct.reporting.model import EnvironmentReport, RunReport
from pytest_intacct.results.finding import Outcome, RootCause
from pytest_intacct.results.readiness import Readiness, readiness
from pytest_intacct.results.waivers import WaiverState

WORST_FIRST = (Readiness.NOT_READY, Readiness.INCOMPLETE, Readiness.READY)


def summary_lines(report: RunReport) -> list[str]:
    profiles = {env.info.profile.name: env.info.profile for env in report.environments}
    named = ", ".join(f"{p.name} ({p.title})" for p in profiles.values())
    lines = [f"profile{'s' if len(profiles) > 1 else ''}: {named}", f"verdict: {report.readiness}"]
    if report.replay:
        lines.append(f"{report.replay}: no gateway was contacted")
    if report.partial:
        lines.append(partial_note(report))
    if report.baseline is not None:
        lines.append(f"drift against {report.baseline.path}: {_counts(report.drift_counts or {})}")
    lines += [
        f"not in this run, checked by the baseline: {name} ({len(ids)} requirements)"
        for name, ids in report.dropped.items()
    ]
    for env in report.environments:
        if not env.rows and not env.not_run:
            continue
        counts = _counts(env.counts) or "nothing run"
        lines.append(f"{env.label}: {env.readiness} ({counts})")
        caused: dict[str, int] = {}
        blocked: dict[str, int] = {}
        by_cause: dict[RootCause, int] = {}
        for row in env.rows:
            if row.finding.cause is not None:
                by_cause[row.finding.cause] = by_cause.get(row.finding.cause, 0) + 1
            elif row.finding.root_cause:
                caused[row.finding.root_cause] = caused.get(row.finding.root_cause, 0) + 1
            elif row.finding.blocked:
                blocked[row.finding.observed] = blocked.get(row.finding.observed, 0) + 1
            elif row.outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED):
                drift = f" [{row.drift}]" if row.drift and row.drift != "unchanged" else ""
                lines.append(
                    f"  {row.outcome.value.upper():6} {row.requirement.id}: {row.finding.observed}{drift}"
                )
        for cause, n in by_cause.items():
            lines += [f"  ERROR  {n} not checked: {cause.title}", f"         fix: {cause.fix}"]
        lines += [f"  ERROR  {n} not checked because {cause} did not pass" for cause, n in caused.items()]
        lines += [f"  ERROR  {n} {_observed(reason)}" for reason, n in blocked.items()]
        if env.removed:
            lines.append(f"  removed since the baseline: {', '.join(env.removed)}")
    lines += [
        f"{waiver.label}: {state}" for waiver, state in report.waivers if state is not WaiverState.APPLIED
    ]
    return lines + verdict_lines(report)


def verdict_lines(report: RunReport) -> list[str]:
    """One line per environment (and cross-environment home), worst first; grouped when a fleet has
    groups, the worst group first."""
    shown = [env for env in report.environments if env.rows or env.not_run]
    groups: dict[str, list[EnvironmentReport]] = {}
    for env in shown:
        groups.setdefault(env.info.group, []).append(env)
    if not shown:
        return []
    lines = ["verdicts, worst first:"]
    fleet = report.grouped
    order = sorted(groups, key=lambda g: _rank(readiness(r.outcome for e in groups[g] for r in e.rows)))
    width = max(len(str(r)) for r in WORST_FIRST)
    for group in order:
        members = sorted(groups[group], key=lambda e: _rank(e.readiness))  # stable: run order within
        indent = "  "
        if fleet:
            verdict = readiness(r.outcome for e in members for r in e.rows)
            lines.append(f"  group {group}: {verdict}")
            indent = "    "
        lines += [f"{indent}{e.readiness!s:{width}}  {e.label}" for e in members]
    return lines


def _rank(verdict: Readiness) -> int:
    return WORST_FIRST.index(verdict)


def partial_note(report: RunReport) -> str:
    return (
        f"partial run: {report.ran} of the profile's {report.total} requirements ran; "
        f"{report.total - report.ran} not run (not counted as met)"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n)


def _observed(reason: str) -> str:
    return reason if reason.startswith("not checked") else f"not checked: {reason}"
