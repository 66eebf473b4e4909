"""The acceptance file: a versioned JSON record of one run, and the input for drift checks.

Shape (``schema_version`` 1; any change to it bumps SCHEMA_VERSION)::

    {"schema_version": 1, "generated_at": "2026-09-01T06:00:00Z", "plugin_version": "0.1.0",
     "environments": [{"name", "profile", "company_id", "endpoint",
                       "requirements": [{"id", "title", "severity", "outcome", "expected", "observed",
                                         "remediation", "evidence", "root_cause" (only when set)}]}],
     "summary": {"total", "outcomes", "by_severity", "by_environment"}}

Environments come in the order given and requirements in profile order. A requirement of area
``across-environments`` belongs to no single environment: its results go in a last pseudo-environment named
``"*"`` with the environments' (shared) profile and a null company_id and endpoint.

Only the fields above are written, so nothing else an environment or result carries (credentials, check
params) can reach the file; evidence is redacted by the check that produced it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_intacct.profiles import Profile
from pytest_intacct.results import ACROSS_ENVIRONMENTS, RequirementResult, count_outcomes, summarize

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class EnvironmentInfo:
    """What the acceptance file says about an environment; its profile orders the requirements."""

    name: str
    profile: Profile
    company_id: str | None
    endpoint: str | None


def build_acceptance(
    results: Iterable[RequirementResult],
    environments: Sequence[EnvironmentInfo],
    *,
    plugin_version: str,
    generated_at: datetime,
) -> dict[str, Any]:
    """The acceptance document for one run; ValueError for results no listed environment can hold."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    grouped: dict[str, list[RequirementResult]] = {env.name: [] for env in environments}
    if len(grouped) != len(environments):
        raise ValueError("environment names must be unique")
    across: list[RequirementResult] = []
    for result in results:
        if result.requirement.across_environments:
            across.append(result)
        elif result.environment in grouped:
            grouped[result.environment].append(result)
        else:
            raise ValueError(
                f"result for {result.requirement.id!r} names an unlisted environment {result.environment!r}"
            )
    homes = [(env, grouped[env.name]) for env in environments]
    if across:
        homes.append(
            (EnvironmentInfo(ACROSS_ENVIRONMENTS, _shared_profile(environments), None, None), across)
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "plugin_version": plugin_version,
        "environments": [_environment(env, env_results) for env, env_results in homes],
        "summary": {
            **summarize(result for _, env_results in homes for result in env_results),
            "by_environment": {env.name: count_outcomes(env_results) for env, env_results in homes},
        },
    }


def write_acceptance(path: str | os.PathLike[str], document: Mapping[str, Any]) -> None:
    """Write the document as UTF-8 JSON; readers see the old file or the new one, never a partial write."""
    path = Path(path)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temp, 0o644)  # mkstemp's 0600 would surprise whoever shares the file
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _shared_profile(environments: Sequence[EnvironmentInfo]) -> Profile:
    profiles = {env.profile.name: env.profile for env in environments}
    if len(profiles) != 1:
        raise ValueError(
            f"cross-environment results need environments that share one profile, got {sorted(profiles)}"
        )
    return next(iter(profiles.values()))


def _environment(env: EnvironmentInfo, results: list[RequirementResult]) -> dict[str, Any]:
    position = {requirement.id: index for index, requirement in enumerate(env.profile.requirements)}
    ids = [result.requirement.id for result in results]
    for requirement_id in ids:
        if requirement_id not in position:
            raise ValueError(
                f"environment {env.name!r}: profile {env.profile.name!r} has no {requirement_id!r}"
            )
    if len(set(ids)) != len(ids):
        raise ValueError(f"environment {env.name!r}: more than one result for a requirement")
    return {
        "name": env.name,
        "profile": env.profile.name,
        "company_id": env.company_id,
        "endpoint": env.endpoint,
        "requirements": [
            _requirement(result) for result in sorted(results, key=lambda r: position[r.requirement.id])
        ],
    }


def _requirement(result: RequirementResult) -> dict[str, Any]:
    requirement, verdict = result.requirement, result.verdict
    entry = {
        "id": requirement.id,
        "title": requirement.title,
        "severity": requirement.severity,
        "outcome": str(verdict.outcome),
        "expected": verdict.expected,
        "observed": verdict.observed,
        "remediation": requirement.remediation,
        "evidence": dict(verdict.evidence),
    }
    if verdict.root_cause is not None:
        entry["root_cause"] = verdict.root_cause
    return entry
