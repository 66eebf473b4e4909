"""Drift: this run against a baseline acceptance file, by environment and requirement id.

Outcomes fall in three classes (met, failed, not checked). A requirement whose class changed is
``new-pass``, ``new-fail`` or ``new-error`` (named by its new class), one in the same class ``unchanged``,
one the baseline lacks ``added``; ids only the baseline has are listed per environment as removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_intacct.identity import DEFAULT_GROUP
from pytest_intacct.results.finding import Outcome
from pytest_intacct.results.readiness import OutcomeClass, outcome_class
from pytest_intacct.safety.files import InputFileError, read_input
from pytest_intacct.safety.limits import MAX_DATA_FILE_BYTES, MAX_NAME_LENGTH
from pytest_intacct.safety.text import outside_text

READABLE_SCHEMAS = (1, 2, 3)
KINDS = ("new-fail", "new-error", "new-pass", "unchanged", "added")
_NEW = {OutcomeClass.MET: "new-pass", OutcomeClass.FAILED: "new-fail", OutcomeClass.NOT_CHECKED: "new-error"}


class BaselineError(ValueError):
    """A baseline that cannot be compared with this run (a usage error)."""


@dataclass(frozen=True)
class Baseline:
    """What an earlier acceptance file says: per environment, its profile and each requirement's outcome.

    Its text (the path as given, names, ids, the date) has passed the door for outside text."""

    path: str
    generated_at: str | None
    profiles: Mapping[str, str]
    outcomes: Mapping[str, Mapping[str, Outcome]]
    groups: Mapping[str, str] = field(default_factory=dict)  # every environment's group (default: "default")


def load_baseline(path: str | Path) -> Baseline:
    """Read an acceptance file of schema version 1, 2 or 3; BaselineError says what is wrong with it."""
    path = Path(path)
    try:
        document = json.loads(read_input("--intacct-baseline", path, MAX_DATA_FILE_BYTES))
    except InputFileError as exc:
        raise BaselineError(f"baseline {path}: cannot be read ({exc.reason})") from None
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"baseline {path}: not an acceptance JSON file ({exc})") from None
    try:
        return _baseline(path, document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BaselineError(f"baseline {path}: not an acceptance JSON file ({exc!s})") from None


def _baseline(path: Path, document: Any) -> Baseline:
    version = document["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("schema_version is not a number")
    if version not in READABLE_SCHEMAS:
        raise BaselineError(
            f"baseline {path}: schema_version {version} is not one this plugin reads "
            f"({', '.join(map(str, READABLE_SCHEMAS))}); upgrade pytest-intacct"
        )
    profiles: dict[str, str] = {}
    outcomes: dict[str, dict[str, Outcome]] = {}
    groups: dict[str, str] = {}
    for environment in document["environments"]:
        name = outside_text(environment["name"], MAX_NAME_LENGTH)
        profiles[name] = outside_text(environment["profile"], MAX_NAME_LENGTH)
        groups[name] = outside_text(environment.get("group") or DEFAULT_GROUP, MAX_NAME_LENGTH)
        outcomes[name] = {
            outside_text(requirement["id"], MAX_NAME_LENGTH): Outcome(requirement["outcome"])
            for requirement in environment["requirements"]
        }
    generated_at = document.get("generated_at")
    when = outside_text(generated_at, MAX_NAME_LENGTH) if isinstance(generated_at, str) else None
    return Baseline(outside_text(path), when, profiles, outcomes, groups)


def check_profiles(baseline: Baseline, profiles: Mapping[str, str]) -> None:
    """BaselineError when an environment of both runs was judged on another profile in the baseline."""
    for name, profile in profiles.items():
        theirs = baseline.profiles.get(name)
        if theirs is not None and theirs != profile:
            raise BaselineError(
                f"baseline {baseline.path}: environment {name!r} was checked against profile {theirs!r}, "
                f"this run uses {profile!r}; compare runs of one profile"
            )


def drift_kind(outcome: Outcome | str, before: Outcome | str | None) -> str:
    """How one requirement moved since the baseline."""
    if before is None:
        return "added"
    now = outcome_class(outcome)
    return "unchanged" if now == outcome_class(before) else _NEW[now]


def removed(baseline: Baseline, environment: str, current_ids: Iterable[str]) -> list[str]:
    """Ids the baseline has for the environment that this run's profile no longer has there."""
    current = set(current_ids)
    return [rid for rid in baseline.outcomes.get(environment, {}) if rid not in current]


def count_drift(kinds: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for kind in kinds:
        counts[kind] += 1
    return counts
