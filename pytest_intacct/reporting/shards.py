"""The shards of one fleet's run, merged into the fleet's report.

Each shard's acceptance file (``--intacct-shard=K/N --intacct-json``, schema 3) is read back: its
environments and their results, the profiles they were judged by (with fingerprints), the selection the
shard was cut from, and the waivers. The shards must belong together (every K of N once, the same
selection, profiles, waivers and plugin version, no environment twice); the fleet's report is then
built from them as one run's would be, with drift and the waivers' states judged once, here. Text read
back passes the door for outside text like every other input.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_intacct.identity import (
    NAME_RULE,
    Identity,
    Shard,
    ShardOf,
    is_environment_name,
    is_plain_name,
)
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.reporting.drift import Baseline
from pytest_intacct.reporting.model import EnvironmentInfo, Key, RunReport, build_report
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult, RootCause
from pytest_intacct.results.homes import is_home
from pytest_intacct.results.waivers import Waiver
from pytest_intacct.safety.files import InputFileError, read_input
from pytest_intacct.safety.limits import MAX_DATA_FILE_BYTES, MAX_NAME_LENGTH
from pytest_intacct.safety.text import outside_text

SHARD_SCHEMA = 3
# Shards of one run start within this of each other (a CI matrix, a night); one that started further from
# the others is a file left from another run, its companies judged on old readings.
SHARD_START_SPREAD = dt.timedelta(hours=12)


class ShardError(ValueError):
    """Acceptance files that cannot be merged: unreadable, not a shard's, missing, twice, or mismatched."""


@dataclass(frozen=True)
class ShardFile:
    """What one shard's acceptance file says."""

    path: str
    shard: Shard
    selected: int  # environments in the selection the shard was cut from
    selection: str  # its digest
    judged_on: dt.date | None
    plugin_version: str
    replay: str | None
    started_at: dt.datetime
    profiles: Mapping[str, tuple[str, Profile]]  # name -> (fingerprint, profile)
    environments: tuple[EnvironmentInfo, ...]  # not the cross-environment homes: reports make those
    results: tuple[RequirementResult, ...]
    waivers: tuple[Waiver, ...]


def read_shard(path: str | Path) -> ShardFile:
    """One shard's acceptance file; ShardError says what is wrong with it."""
    shown = outside_text(path)
    try:
        document = json.loads(read_input("shard", Path(path), MAX_DATA_FILE_BYTES))
    except InputFileError as exc:
        raise ShardError(f"{shown}: cannot be read ({exc.reason})") from None
    except (ValueError, RecursionError) as exc:
        raise ShardError(f"{shown}: not an acceptance JSON file ({exc})") from None
    try:
        return _shard_file(shown, document)
    except ShardError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise ShardError(f"{shown}: not a shard's acceptance file ({type(exc).__name__}: {exc})") from None


def _shard_file(path: str, document: Any) -> ShardFile:
    if document.get("schema_version") != SHARD_SCHEMA:
        raise ShardError(
            f"{path}: schema_version {document.get('schema_version')!r}; shards are merged from "
            f"acceptance files of schema {SHARD_SCHEMA} (the plugin's --intacct-json)"
        )
    shard = document["shard"]
    if shard is None:
        raise ShardError(f"{path}: not a shard's acceptance file: it was written without --intacct-shard=K/N")
    profiles = {_text(p["name"]): (_text(p["fingerprint"]), _profile(p)) for p in document["profiles"]}
    causes = {
        (_text(c["environment"]), _text(c["id"])): RootCause(_text(c["id"]), c["title"], c["fix"])
        for c in document["root_causes"]
    }
    environments, results = [], []
    for env in document["environments"]:
        name = _text(env["name"])
        profile = profiles[_text(env["profile"])][1]
        if not is_home(name):
            if not is_environment_name(name):
                raise ValueError(f"environment {name!r}: not a name ({NAME_RULE})")
            environments.append(EnvironmentInfo(_identity(name, env), profile))
        for entry in env["requirements"]:
            requirement = profile.requirement(_text(entry["id"]))
            results.append(RequirementResult(name, requirement, _finding(name, requirement, entry, causes)))
    judged_on = shard.get("waivers_judged_on")
    started_at = dt.datetime.fromisoformat(document["started_at"].replace("Z", "+00:00"))
    if started_at.tzinfo is None:
        raise ValueError(f"started_at {document['started_at']!r} has no time zone")
    return ShardFile(
        path=path,
        shard=Shard(_whole(shard["index"]), _whole(shard["count"])),
        selected=_whole(shard["environments"]),
        selection=_text(shard["selection"]),
        judged_on=dt.date.fromisoformat(judged_on) if judged_on else None,
        plugin_version=_text(document["plugin_version"]),
        replay=outside_text(document["replay"]) if document["replay"] else None,
        started_at=started_at,
        profiles=profiles,
        environments=tuple(environments),
        results=tuple(results),
        waivers=tuple(_waiver(w) for w in document["waivers"]),
    )


def merge_shards(
    shards: Sequence[ShardFile],
    *,
    baseline: Baseline | None = None,
    checker_needs: str = "",
    finished_at: dt.datetime | None = None,
) -> RunReport:
    """The fleet's report from all of its shards; ShardError names any shard missing, given twice, or not
    belonging with the others."""
    _check_together(shards)
    # One profile object per runbook (their fingerprints agree), so every report groups them as one run.
    profiles = {name: profile for shard in reversed(shards) for name, (_, profile) in shard.profiles.items()}
    environments = [
        EnvironmentInfo(env.identity, profiles[env.profile.name])
        for shard in shards
        for env in shard.environments
    ]
    results = [_shared(result, shard, profiles) for shard in shards for result in shard.results]
    planned: list[Key] = [(r.environment, r.requirement.id) for r in results]
    dates = [shard.judged_on for shard in shards if shard.judged_on is not None]
    replays = dict.fromkeys(shard.replay for shard in shards if shard.replay)
    return build_report(
        results,
        environments,
        plugin_version=shards[0].plugin_version,
        started_at=min(shard.started_at for shard in shards),
        planned=planned,
        baseline=baseline,
        waivers=shards[0].waivers,
        # A waiver applied by any shard was unexpired on its date; the earliest date never calls it expired.
        today=min(dates) if dates else None,
        replay="; ".join(replays) or None,
        finished_at=finished_at or dt.datetime.now(dt.UTC),
        checker_needs=checker_needs,
    )


def _shared(
    result: RequirementResult, shard: ShardFile, profiles: Mapping[str, Profile]
) -> RequirementResult:
    """``result`` with its requirement taken from the one profile object of its runbook."""
    for name, (_, profile) in shard.profiles.items():
        if any(requirement is result.requirement for requirement in profile.requirements):
            return RequirementResult(
                result.environment, profiles[name].requirement(result.requirement.id), result.finding
            )
    raise ShardError(f"{shard.path}: a result of no listed profile")


def _check_together(shards: Sequence[ShardFile]) -> None:
    if not shards:
        raise ShardError("no shard given")
    first = shards[0]
    count = first.shard.count
    for shard in shards[1:]:
        for what, mine, theirs in (
            ("is a shard of", shard.shard.count, count),
            ("was cut from the selection", shard.selection, first.selection),
            ("was written by pytest-intacct", shard.plugin_version, first.plugin_version),
            ("is a replay" if shard.replay else "is not a replay", bool(shard.replay), bool(first.replay)),
            ("applies waivers", shard.waivers, first.waivers),
        ):
            if mine != theirs:
                raise ShardError(
                    f"{shard.path} {what} {_shown(mine)}, {first.path} {_shown(theirs)}: "
                    "these shards are not of one run"
                )
    earliest = min(shards, key=lambda shard: shard.started_at)
    latest = max(shards, key=lambda shard: shard.started_at)
    if latest.started_at - earliest.started_at > SHARD_START_SPREAD:
        hours = SHARD_START_SPREAD.total_seconds() / 3600
        raise ShardError(
            f"{earliest.path} started at {earliest.started_at:%Y-%m-%d %H:%M %Z}, {latest.path} at "
            f"{latest.started_at:%Y-%m-%d %H:%M %Z}: shards of one run start within {hours:.0f} hours of "
            "each other (a shard's file left from another run?)"
        )
    given: dict[int, str] = {}
    for shard in shards:
        if shard.shard.index in given:
            raise ShardError(f"shard {shard.shard} is given twice ({given[shard.shard.index]}, {shard.path})")
        given[shard.shard.index] = shard.path
    missing = [str(k) for k in range(1, count + 1) if k not in given]
    if missing:
        raise ShardError(f"shard {', '.join(missing)} of {count} missing: a merge needs every shard")
    fingerprints: dict[str, tuple[str, str]] = {}
    owners: dict[str, str] = {}
    held: list[tuple[str, str]] = []
    for shard in shards:
        for name, (digest, _) in shard.profiles.items():
            seen = fingerprints.setdefault(name, (digest, shard.path))
            if seen[0] != digest:
                raise ShardError(
                    f"profile {name!r} differs between {seen[1]} and {shard.path}: shards of one run are "
                    "judged by one runbook"
                )
        for env in shard.environments:
            if env.name in owners:
                raise ShardError(f"environment {env.name!r} is in {owners[env.name]} and in {shard.path}")
            owners[env.name] = shard.path
            held.append((env.identity.group, env.name))
    if len(owners) != first.selected:
        raise ShardError(
            f"the shards hold {len(owners)} environments of the selection's {first.selected}: "
            "a shard's file is not this run's"
        )
    if ShardOf.cut(first.shard, held).selection != first.selection:
        raise ShardError(
            "the shards' environments and groups are not the selection the shards were cut from: "
            "a shard's file is not this run's"
        )


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return f"{len(value)} waiver(s)"
    return str(value)


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return outside_text(value, MAX_NAME_LENGTH)


def _profile(data: Mapping[str, Any]) -> Profile:
    """A profile as reports need it (its params are not in the file; its fingerprint covers them)."""
    requirements = tuple(
        Requirement(
            id=_text(r["id"]),
            title=outside_text(r["title"]),
            runbook_step=outside_text(r["runbook_step"]),
            severity=_text(r["severity"]),
            area=_text(r["area"]),
            check=_text(r["check"]),
            params={},
            remediation=outside_text(r["remediation"]),
            environments=_text(r["environments"]),
            when=_text(r["when"]) if r["when"] is not None else None,
        )
        for r in data["requirements"]
    )
    name = _text(data["name"])
    return Profile(
        name=name,
        title=outside_text(data["title"]),
        source=outside_text(data["source"]),
        path=Path(name),
        parameters={},
        requirements=requirements,
    )


def _identity(name: str, env: Mapping[str, Any]) -> Identity:
    production = env["production"]
    if production is not None and not isinstance(production, bool):
        raise TypeError("production is true, false or null")
    return Identity(
        name,
        _text(env["company_id"] or ""),
        _text(env["user_id"] or ""),
        _text(env["sender_id"] or ""),
        _text(env["endpoint"] or ""),
        production,
        _group(env["group"]),
    )


def _group(value: Any) -> str:
    group = _text(value)
    if not is_plain_name(group):
        raise ValueError(f"group {group!r}: not a name ({NAME_RULE})")
    return group


def _finding(
    environment: str,
    requirement: Requirement,
    entry: Mapping[str, Any],
    causes: Mapping[tuple[str, str], RootCause],
) -> Finding:
    """A requirement's finding as the file states it: no remediation of its own means another failure or
    a root cause left it unchecked; a remediation other than the runbook's is the fix this run found."""
    remediation = entry["remediation"]
    root_cause = _text(entry["root_cause"]) if entry.get("root_cause") else None
    cause = causes.get((environment, root_cause)) if root_cause else None
    if not isinstance(entry["evidence"], dict):
        raise TypeError(f"expected evidence as an object, found {type(entry['evidence']).__name__}")
    return Finding(
        Outcome(entry["outcome"]),
        entry["expected"],
        entry["observed"],
        entry["evidence"],
        root_cause=None if cause else root_cause,
        blocked=remediation is None,
        cause=cause,
        fix=remediation if remediation not in (None, requirement.remediation) else None,
    )


def _waiver(data: Mapping[str, Any]) -> Waiver:
    expires = data["expires"]
    return Waiver(
        entry=int(data["entry"]),
        requirement=_text(data["requirement"]),
        justification=outside_text(data["justification"]),
        environment=_text(data["environment"]) if data["environment"] is not None else None,
        owner=_text(data["owner"]) if data["owner"] is not None else None,
        ticket=_text(data["ticket"]) if data["ticket"] is not None else None,
        expires=dt.date.fromisoformat(expires) if expires else None,
    )
