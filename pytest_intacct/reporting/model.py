"""The report model of one run: what every renderer (terminal, JSON, HTML, Markdown) shows.

Built once at the end of the session from the results the tests reported, the requirements the run
selected (planned), the baseline and the waivers. A planned requirement without a result is an error
("no result recorded"); a requirement of the profile that was not selected is listed as not run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pytest_intacct.identity import DEFAULT_GROUP, Identity, ShardOf
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.reporting.drift import Baseline, count_drift, drift_kind, removed
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult, RootCause, count_outcomes
from pytest_intacct.results.homes import homes, is_home, label
from pytest_intacct.results.readiness import Readiness, readiness
from pytest_intacct.results.waivers import Waiver, WaiverState, find_waiver, waiver_states
from pytest_intacct.safety.limits import MAX_NAME_LENGTH
from pytest_intacct.safety.text import outside_text

NO_RESULT = "no result recorded: the test of this requirement did not report (crashed or interrupted)"

Key = tuple[str, str]  # (environment, requirement id)


@dataclass(frozen=True)
class EnvironmentInfo:
    """What the reports say about an environment (or a cross-environment home): its identity, and the
    profile that orders its requirements."""

    identity: Identity
    profile: Profile

    def __post_init__(self) -> None:
        # Settings, fleet files and evidence packs fill an identity: it passes the door for outside text.
        i = self.identity

        def shown(text: str) -> str:
            return outside_text(text, MAX_NAME_LENGTH)

        cleaned = Identity(
            shown(i.name),
            shown(i.company_id),
            shown(i.user_id),
            shown(i.sender_id),
            shown(i.endpoint),
            i.production,
            shown(i.group),
        )
        object.__setattr__(self, "identity", cleaned)

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def group(self) -> str:
        return self.identity.group

    @property
    def kind(self) -> str:
        return self.identity.kind


@dataclass(frozen=True)
class Row:
    """One requirement's result as reported, with its drift and the waiver that waived it."""

    result: RequirementResult
    drift: str | None = None
    waiver: Waiver | None = None

    @property
    def requirement(self) -> Requirement:
        return self.result.requirement

    @property
    def finding(self) -> Finding:
        return self.result.finding

    @property
    def outcome(self) -> Outcome:
        return self.result.outcome


@dataclass(frozen=True)
class EnvironmentReport:
    info: EnvironmentInfo
    rows: tuple[Row, ...]
    not_run: tuple[Requirement, ...]
    removed: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def label(self) -> str:
        return label(self.name)

    # Cached: a fleet's reports ask each environment for these many times over.
    @cached_property
    def readiness(self) -> Readiness:
        return readiness(row.outcome for row in self.rows)

    @cached_property
    def counts(self) -> dict[str, int]:
        return count_outcomes(row.result for row in self.rows)

    @property
    def drift_counts(self) -> dict[str, int]:
        return count_drift(row.drift for row in self.rows if row.drift)

    @cached_property
    def attestations_owed(self) -> int:
        """Manual requirements: each needs a person's attestation, whatever the verdict."""
        return sum(1 for row in self.rows if row.outcome is Outcome.MANUAL)


@dataclass(frozen=True)
class RunReport:
    environments: tuple[EnvironmentReport, ...]
    started_at: dt.datetime
    plugin_version: str
    baseline: Baseline | None = None
    waivers: tuple[tuple[Waiver, WaiverState], ...] = field(default=())
    replay: str | None = None  # "replay of evidence pack …": judged on recorded evidence, not the gateway
    finished_at: dt.datetime | None = None  # when the report was built (the acceptance file's generated_at)
    checker_needs: str = ""  # what the checker itself needs of the company, said up front
    shard: ShardOf | None = None  # the shard of a fleet this run checked
    today: dt.date | None = None  # the date waivers were judged on

    @property
    def profiles(self) -> list[Profile]:
        """The run's profiles, each once, in the order its environments name them."""
        return list({env.info.profile.name: env.info.profile for env in self.environments}.values())

    @cached_property
    def rows(self) -> list[Row]:
        return [row for env in self.environments for row in env.rows]

    @cached_property
    def readiness(self) -> Readiness:
        return readiness(row.outcome for row in self.rows)

    @property
    def attestations_owed(self) -> int:
        return sum(env.attestations_owed for env in self.environments)

    @property
    def grouped(self) -> bool:
        """Whether the run has groups (a fleet) rather than the one default group."""
        return any(env.info.group != DEFAULT_GROUP for env in self.environments)

    @property
    def ran(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        return self.ran + sum(len(env.not_run) for env in self.environments)

    @property
    def partial(self) -> bool:
        return self.ran < self.total

    @property
    def drift_counts(self) -> dict[str, int] | None:
        if self.baseline is None:
            return None
        return count_drift(row.drift for row in self.rows if row.drift)

    @property
    def dropped(self) -> dict[str, list[str]]:
        """Environments (and cross-environment homes) the baseline checked and this run did not, with the
        requirement ids it had for them: a company the nightly job stopped checking is said, not lost. A
        shard answers for its own groups only: another shard's companies are not missing from it."""
        if self.baseline is None:
            return {}
        here = {env.name for env in self.environments}
        shard, groups = self.shard, self.baseline.groups
        return {
            name: list(ids)
            for name, ids in self.baseline.outcomes.items()
            if name not in here and (shard is None or shard.shard.holds(groups.get(name, DEFAULT_GROUP)))
        }

    @property
    def news(self) -> dict[str, int] | None:
        """What ``--intacct-fail-on=new`` alerts on: new failures and new errors, counting a requirement
        the baseline never had (``added``) by its outcome, so a failure no baseline knew is never quiet."""
        if self.baseline is None:
            return None
        kinds = [
            f"new-{row.outcome.value}" if row.drift == "added" else row.drift
            for row in self.rows
            if row.drift
        ]
        return count_drift(kind for kind in kinds if kind in ("new-fail", "new-error"))

    def root_causes(self) -> list[tuple[Row, list[Row]]]:
        """Failed and errored rows that are not caused by another, each with the rows it left unchecked."""
        caused: dict[Key, list[Row]] = {}
        for row in self.rows:
            if row.finding.root_cause and row.finding.cause is None:
                caused.setdefault((row.result.environment, row.finding.root_cause), []).append(row)
        leading = [
            r
            for r in self.rows
            if r.outcome in (Outcome.FAIL, Outcome.ERROR)
            and not r.finding.root_cause
            and not r.finding.blocked
        ]
        leading.sort(key=lambda r: r.outcome is not Outcome.FAIL)  # failures first, then errors
        found = {(r.result.environment, r.requirement.id) for r in leading}
        orphans = [rows for key, rows in caused.items() if key not in found]  # cause not in this run
        return [(r, caused.get((r.result.environment, r.requirement.id), [])) for r in leading] + [
            (row, []) for rows in orphans for row in rows
        ]

    def causes(self) -> list[tuple[str, RootCause, list[Row]]]:
        """Root causes no requirement is (the checker cannot read users, a cause the profile has no
        requirement for), each once per environment with the rows it left unchecked:
        (environment, cause, rows)."""
        groups: dict[tuple[str, RootCause], list[Row]] = {}
        for row in self.rows:
            if row.finding.cause is not None:
                groups.setdefault((row.result.environment, row.finding.cause), []).append(row)
        return [(env, cause, rows) for (env, cause), rows in groups.items()]

    def blocked(self) -> list[tuple[str, str, list[Row]]]:
        """Errors blocked by no requirement of the run (e.g. a sign-in the settings stopped), grouped by
        environment and reason: (environment, observed, rows)."""
        groups: dict[tuple[str, str], list[Row]] = {}
        for row in self.rows:
            if row.finding.blocked and not row.finding.root_cause:
                groups.setdefault((row.result.environment, row.finding.observed), []).append(row)
        return [(env, observed, rows) for (env, observed), rows in groups.items()]


def universe(environments: Sequence[EnvironmentInfo]) -> list[Key]:
    """Every (environment or home, requirement id) a run of these environments checks, in report order."""
    return [(env.name, r.id) for env in with_homes(environments) for r in _requirements_of(env)]


def with_homes(environments: Sequence[EnvironmentInfo]) -> list[EnvironmentInfo]:
    """The environments, then the home of each (group, profile) whose profile has cross-environment
    requirements (see :mod:`pytest_intacct.results.homes`)."""
    profiles = {env.profile.name: env.profile for env in environments}
    found = list(environments)
    for home in homes((env.name, env.group, env.profile.name) for env in environments):
        profile = profiles[home.profile]
        if any(r.across_environments for r in profile.requirements):
            found.append(EnvironmentInfo(Identity(home.name, group=home.group), profile))
    return found


def build_report(
    results: Iterable[RequirementResult],
    environments: Sequence[EnvironmentInfo],
    *,
    plugin_version: str,
    started_at: dt.datetime,
    planned: Iterable[Key] | None = None,
    baseline: Baseline | None = None,
    waivers: Sequence[Waiver] = (),
    today: dt.date | None = None,
    replay: str | None = None,
    finished_at: dt.datetime | None = None,
    checker_needs: str = "",
    shard: ShardOf | None = None,
) -> RunReport:
    """The report; ``planned`` defaults to the results given. ValueError for results it cannot place."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    if len({env.name for env in environments}) != len(environments):
        raise ValueError("environment names must be unique")
    results = list(results)
    by_key: dict[Key, RequirementResult] = {}
    for result in results:
        key = (result.environment, result.requirement.id)
        if key in by_key:
            raise ValueError(f"environment {key[0]!r}: more than one result for a requirement")
        by_key[key] = result
    homes = with_homes(environments)
    known = {env.name: env for env in homes}
    ids = {env.name: {r.id for r in _requirements_of(env)} for env in homes}
    for env_name, requirement_id in by_key:
        if env_name not in known:
            raise ValueError(f"result for {requirement_id!r} names an unlisted environment {env_name!r}")
        if requirement_id not in ids[env_name]:
            raise ValueError(
                f"environment {env_name!r}: profile {known[env_name].profile.name!r} "
                f"has no {requirement_id!r}"
            )
    planned_keys = set(by_key) if planned is None else set(planned) | set(by_key)
    reports = [_environment(env, by_key, planned_keys, baseline, waivers) for env in homes]
    all_keys = {(name, requirement_id) for name, mine in ids.items() for requirement_id in mine}
    reported = [row.result for env in reports for row in env.rows]
    today = today or started_at.astimezone(dt.UTC).date()
    states = waiver_states(waivers, reported, all_keys, today)
    return RunReport(
        tuple(reports),
        started_at,
        plugin_version,
        baseline,
        tuple(states),
        replay,
        finished_at,
        checker_needs,
        shard,
        today,
    )


def _requirements_of(env: EnvironmentInfo) -> list[Requirement]:
    across = is_home(env.name)
    return [r for r in env.profile.requirements if r.across_environments == across]


def _environment(
    env: EnvironmentInfo,
    by_key: dict[Key, RequirementResult],
    planned: set[Key],
    baseline: Baseline | None,
    waivers: Sequence[Waiver],
) -> EnvironmentReport:
    rows, not_run = [], []
    before = baseline.outcomes.get(env.name, {}) if baseline else {}
    mine = _requirements_of(env)
    for requirement in mine:
        key = (env.name, requirement.id)
        result = by_key.get(key)
        if result is None and key not in planned:
            not_run.append(requirement)
            continue
        if result is None:
            result = RequirementResult(env.name, requirement, Finding.error("a recorded result", NO_RESULT))
        waiver = find_waiver(waivers, env.name, requirement.id) if result.outcome is Outcome.WAIVED else None
        drift = drift_kind(result.outcome, before.get(requirement.id)) if baseline else None
        rows.append(Row(result, drift, waiver))
    gone = removed(baseline, env.name, [r.id for r in mine]) if baseline else []
    return EnvironmentReport(env, tuple(rows), tuple(not_run), tuple(gone))
