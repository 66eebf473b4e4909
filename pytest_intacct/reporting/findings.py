"""What a report says at a glance, shared by the terminal, the Markdown, the fleet pages and the CSV.

Environments worst first; each root cause once (a :class:`Problem`: a requirement that failed or could
not be checked by itself, a cause no requirement is, or a sign-in something stopped), with the
requirements it left unchecked; identical problems across environments collapsed into one
(:class:`Collapsed`) with the environments they hit; manual attestations grouped by requirement; and the
verdict in the words HTML and Markdown show ("READY, 1 attestation owed").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pytest_intacct.identity import env_var_name
from pytest_intacct.profiles import SEVERITIES, Requirement
from pytest_intacct.reporting.model import EnvironmentReport, Row, RunReport
from pytest_intacct.results.finding import Outcome, remediation
from pytest_intacct.results.homes import label
from pytest_intacct.results.readiness import Readiness

WORST_FIRST = (Readiness.NOT_READY, Readiness.INCOMPLETE, Readiness.READY)
Kind = Literal["fail", "error", "cause", "blocked"]
_KINDS: tuple[Kind, ...] = ("fail", "error", "cause", "blocked")
_SUPPORT_ID = re.compile(r"\[Support ID:[^\]]*\]")


def rank(verdict: Readiness) -> int:
    """0 for NOT READY, 1 for INCOMPLETE, 2 for READY."""
    return WORST_FIRST.index(verdict)


def worst_first(environments: Iterable[EnvironmentReport]) -> list[EnvironmentReport]:
    """``environments`` by verdict, worst first; run order within a verdict."""
    return sorted(environments, key=lambda env: rank(env.readiness))


def by_group(environments: Iterable[EnvironmentReport]) -> dict[str, list[EnvironmentReport]]:
    """The environments of each group, groups in the order they first appear."""
    groups: dict[str, list[EnvironmentReport]] = {}
    for env in environments:
        groups.setdefault(env.info.group, []).append(env)
    return groups


def group_verdict(members: Iterable[EnvironmentReport]) -> Readiness:
    """A group's verdict over every requirement of its environments (and cross-environment homes): the
    worst of theirs, leaving out any that ran nothing (INCOMPLETE when none ran anything)."""
    ran = [env.readiness for env in members if env.rows]
    return min(ran, key=rank, default=Readiness.INCOMPLETE)


def verdict_words(verdict: Readiness, owed: int) -> str:
    """The verdict as HTML and Markdown word it: READY says what attestations are still owed
    (``READY, 1 attestation owed``). JSON, JUnit and the terminal's ``verdict:`` line keep the bare word."""
    if verdict is Readiness.READY and owed:
        return f"READY, {owed} attestation{'' if owed == 1 else 's'} owed"
    return str(verdict)


def some(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` names, and how many more: ``a, b, c and 7 more``."""
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


@dataclass(frozen=True)
class Problem:
    """One root cause in one environment, with the requirements it left unchecked.

    ``kind``: ``fail`` or ``error`` (a requirement that failed, or could not be checked, by itself;
    ``subject`` is its id), ``cause`` (a cause no requirement is; ``subject`` is its id) or ``blocked``
    (a sign-in something stopped; ``subject`` is what stopped it). ``severity`` is the requirement's, or
    the highest of those a cause left unchecked.
    """

    environment: str
    kind: Kind
    subject: str
    title: str
    severity: str
    observed: str
    fix: str | None
    unchecked: tuple[Row, ...] = field(default=(), hash=False)


def problems(report: RunReport) -> list[Problem]:
    """Every root cause of the run, once per environment: causes, then requirements (failures first),
    then stopped sign-ins, as the go-live page lists them."""
    found = [
        Problem(env, "cause", cause.id, cause.title, _highest(rows), cause.title, cause.fix, tuple(rows))
        for env, cause, rows in report.causes()
    ]
    for row, caused in report.root_causes():
        r = row.requirement
        kind: Kind = "fail" if row.outcome is Outcome.FAIL else "error"
        found.append(
            Problem(
                row.result.environment,
                kind,
                r.id,
                r.title,
                r.severity,
                row.finding.observed,
                remediation(row.result),
                tuple(caused),
            )
        )
    found += [
        Problem(env, "blocked", observed, observed, _highest(rows), observed, None, tuple(rows))
        for env, observed, rows in report.blocked()
    ]
    return found


def _highest(rows: Sequence[Row]) -> str:
    return min((row.requirement.severity for row in rows), key=SEVERITIES.index, default=SEVERITIES[-1])


@dataclass(frozen=True)
class Collapsed:
    """One problem as it recurs: the same requirement failed (or the same cause stopped the checks) in
    each of ``environments``. ``observed`` holds the distinct wordings, one environment's own variables
    and the gateway's Support IDs left out."""

    kind: Kind
    subject: str
    title: str
    severity: str
    fix: str | None
    observed: tuple[str, ...]
    environments: tuple[str, ...]  # labels, in run order
    unchecked: int  # requirements it left unchecked, over every environment

    @property
    def headline(self) -> str:
        """``permission-employees-edit failed``; a cause or a stopped sign-in in its own words."""
        if self.kind == "fail":
            return f"{self.subject} failed"
        if self.kind == "error":
            return f"{self.subject} could not be checked"
        return self.title

    @property
    def word(self) -> str:
        """What the terminal and the Markdown call it: FAIL, ERROR, ROOT CAUSE or NOT CHECKED."""
        return {"fail": "FAIL", "error": "ERROR", "cause": "ROOT CAUSE", "blocked": "NOT CHECKED"}[self.kind]


def collapse(found: Iterable[Problem]) -> list[Collapsed]:
    """Identical problems across environments as one each, the widest first (failures before the rest)."""
    groups: dict[tuple[Kind, str], list[Problem]] = {}
    for problem in found:
        subject = problem.subject
        if problem.kind == "blocked":
            subject = shared(subject, problem.environment)
        groups.setdefault((problem.kind, subject), []).append(problem)
    collapsed = []
    for (kind, subject), members in groups.items():
        first = members[0]
        observed = dict.fromkeys(shared(p.observed, p.environment) for p in members)
        collapsed.append(
            Collapsed(
                kind,
                subject,
                subject if kind == "blocked" else first.title,
                first.severity,
                shared(first.fix, first.environment) if first.fix else None,
                tuple(observed),
                tuple(dict.fromkeys(label(p.environment) for p in members)),
                sum(len(p.unchecked) for p in members),
            )
        )
    collapsed.sort(key=lambda c: (-len(c.environments), _KINDS.index(c.kind)))
    return collapsed


def shared(text: str, environment: str) -> str:
    """``text`` as every environment could say it: this environment's own variable prefix
    (``INTACCT_ACME_PROD_``) written ``INTACCT_<ENV>_``, and the gateway's Support ID left out."""
    prefix = env_var_name(environment, "")
    return _SUPPORT_ID.sub("[Support ID]", text.replace(prefix, "INTACCT_<ENV>_"))


@dataclass(frozen=True)
class Attestation:
    """A manual requirement still owed, once however many environments owe it."""

    requirement: Requirement
    rows: tuple[Row, ...]

    @property
    def sentences(self) -> list[str]:
        """What the environments say is to be attested, each wording once."""
        return list(dict.fromkeys(row.finding.observed for row in self.rows))

    @property
    def environments(self) -> list[str]:
        return [label(row.result.environment) for row in self.rows]

    @property
    def fix(self) -> str | None:
        """How to see to it: the runbook's menu path."""
        return remediation(self.rows[0].result)


def attestations(report: RunReport) -> list[Attestation]:
    """The manual requirements of the run, each once with the environments that owe it."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in report.rows:
        if row.outcome is Outcome.MANUAL:
            groups.setdefault((row.requirement.id, row.requirement.title), []).append(row)
    return [Attestation(rows[0].requirement, tuple(rows)) for rows in groups.values()]
