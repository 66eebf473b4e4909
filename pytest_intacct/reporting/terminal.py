"""The terminal summary: the verdict first; for several environments an overview that fits a screen
(counts by verdict, the worst environments, each finding once with where it was found, the attestations
owed); then the details of each environment, worst first; ending with one verdict line per environment,
worst first (by group in a fleet)."""

from __future__ import annotations

from pytest_intacct.reporting import findings
from pytest_intacct.reporting.findings import WORST_FIRST, by_group, group_verdict, rank, some, worst_first
from pytest_intacct.reporting.model import EnvironmentReport, RunReport
from pytest_intacct.results.finding import Outcome, RootCause
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.readiness import Readiness
from pytest_intacct.results.waivers import WaiverState

SHOWN = 10  # environments, and findings, the overview names before "... and N more"


def summary_lines(report: RunReport) -> list[str]:
    profiles = {env.info.profile.name: env.info.profile for env in report.environments}
    named = ", ".join(f"{p.name} ({p.title})" for p in profiles.values())
    lines = [f"profile{'s' if len(profiles) > 1 else ''}: {named}"] if profiles else []
    lines.append(f"verdict: {report.readiness}")
    if report.shard is not None:
        lines.append(shard_note(report))
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
    shown = [env for env in report.environments if env.rows or env.not_run]
    several = sum(1 for env in shown if not is_home(env.name)) > 1
    if several:
        lines += overview_lines(report, shown)
        lines.append("details, worst first:")
    for env in worst_first(shown):
        lines += _details(env, quiet_when_ready=several)
    lines += [
        f"{waiver.label}: {state}" for waiver, state in report.waivers if state is not WaiverState.APPLIED
    ]
    return lines + verdict_lines(report)


def shard_note(report: RunReport) -> str:
    """What part of the fleet a shard's report covers, and where the fleet's verdict comes from."""
    shard = report.shard
    assert shard is not None
    held = sum(1 for env in report.environments if not is_home(env.name))
    of = f"shard {shard.shard} holds {held} of the selection's {shard.environments} environments"
    if not held:
        return f"{of}: nothing to check here"
    return f"{of}; the fleet's verdict is the merge's (python -m pytest_intacct.merge)"


def overview_lines(report: RunReport, shown: list[EnvironmentReport]) -> list[str]:
    """What a run of many environments comes to, in about 30 lines whatever its size."""
    companies = [env for env in shown if not is_home(env.name)]
    counts = {verdict: sum(1 for env in companies if env.readiness is verdict) for verdict in WORST_FIRST}
    groups = len(by_group(shown))
    lines = [
        f"environments: {len(companies)}{f' in {groups} groups' if report.grouped else ''}: "
        + ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
    ]
    bad = [env for env in worst_first(shown) if env.readiness is not Readiness.READY]
    if bad:
        lines.append("worst first:")
        lines += [f"  {_verdict_line(env, grouped=report.grouped)}" for env in bad[:SHOWN]]
        if len(bad) > SHOWN:
            lines.append(f"  ... and {len(bad) - SHOWN} more not READY")
    found = findings.collapse(findings.problems(report))
    if found:
        lines.append("findings, each once:")
        lines += [f"  {c.word:11} {c.headline}: {_environments(c.environments)}" for c in found[:SHOWN]]
        if len(found) > SHOWN:
            lines.append(f"  ... and {len(found) - SHOWN} more findings")
    owed = findings.attestations(report)
    if owed:
        lines.append(f"attestations owed: {report.attestations_owed}")
        lines += [f"  {a.requirement.id}: {_environments(a.environments)}" for a in owed[:SHOWN]]
        if len(owed) > SHOWN:
            lines.append(f"  ... and {len(owed) - SHOWN} more requirements")
    return lines


def _environments(labels: list[str] | tuple[str, ...]) -> str:
    return f"{len(labels)} environment{'' if len(labels) == 1 else 's'}: {some(list(labels))}"


def _verdict_line(env: EnvironmentReport, *, grouped: bool) -> str:
    group = f" (group {env.info.group})" if grouped else ""
    return f"{env.readiness!s:10}  {env.label}{group}: {_counts(env.counts) or 'nothing run'}"


def _details(env: EnvironmentReport, *, quiet_when_ready: bool) -> list[str]:
    """An environment's counts, its failures and waivers, each root cause once; nothing for a READY
    environment with nothing to say when the verdict lines list it anyway."""
    lines = []
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
            outcome = row.outcome.value.upper()
            lines.append(f"  {outcome:6} {row.requirement.id}: {row.finding.observed}{drift}")
    for cause, n in by_cause.items():
        lines += [f"  ERROR  {n} not checked: {cause.title}", f"         fix: {cause.fix}"]
    lines += [f"  ERROR  {n} not checked because {cause} did not pass" for cause, n in caused.items()]
    lines += [f"  ERROR  {n} {_observed(reason)}" for reason, n in blocked.items()]
    if env.removed:
        lines.append(f"  removed since the baseline: {', '.join(env.removed)}")
    if quiet_when_ready and not lines and env.readiness is Readiness.READY:
        return []
    return [f"{env.label}: {env.readiness} ({_counts(env.counts) or 'nothing run'})", *lines]


def verdict_lines(report: RunReport) -> list[str]:
    """One line per environment (and cross-environment home), worst first; grouped when a fleet has
    groups, the worst group first."""
    shown = [env for env in report.environments if env.rows or env.not_run]
    if not shown:
        return []
    lines = ["verdicts, worst first:"]
    groups = by_group(shown)
    verdicts = {group: group_verdict(members) for group, members in groups.items()}
    width = max(len(str(r)) for r in WORST_FIRST)
    for group in sorted(groups, key=lambda g: rank(verdicts[g])):
        members = worst_first(groups[group])
        indent = "  "
        if report.grouped:
            lines.append(f"  group {group}: {verdicts[group]}")
            indent = "    "
        lines += [f"{indent}{e.readiness!s:{width}}  {e.label}" for e in members]
    return lines


def partial_note(report: RunReport) -> str:
    return (
        f"partial run: {report.ran} of the profile's {report.total} requirements ran; "
        f"{report.total - report.ran} not run (not counted as met)"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n)


def _observed(reason: str) -> str:
    return reason if reason.startswith("not checked") else f"not checked: {reason}"
