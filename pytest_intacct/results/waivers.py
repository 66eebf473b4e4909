"""Waivers: an accepted, owned and dated exception for a failing requirement.

A waiver file is TOML, one ``[[waiver]]`` table per waiver::

    [[waiver]]
    requirement = "permission-employees-edit"   # required: the requirement id
    environment = "prod"                        # optional: every environment when absent
    justification = "Edit comes with the Q3 role change"   # required
    owner = "jane@example.com"                  # optional
    ticket = "OPS-123"                          # optional
    expires = 2026-12-31                        # optional TOML date, UTC, waives through the end of that day

Only a ``fail`` can be waived: what could not be checked cannot be accepted.
"""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pytest_intacct.results.finding import Finding, Outcome, RequirementResult
from pytest_intacct.safety.files import InputFileError, read_input
from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES, MAX_NAME_LENGTH
from pytest_intacct.safety.text import outside_text

KEYS = ("requirement", "environment", "justification", "owner", "ticket", "expires")
REQUIRED = ("requirement", "justification")


class WaiverError(ValueError):
    """An unusable waiver file; the message names the file, the entry and the key."""


def utc_today() -> dt.date:
    """Today's date in UTC (tests replace it to cross an expiry date without waiting)."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Waiver:
    entry: int  # 1-based position in the file
    requirement: str
    justification: str
    environment: str | None = None
    owner: str | None = None
    ticket: str | None = None
    expires: dt.date | None = None

    def matches(self, environment: str, requirement: str) -> bool:
        return self.requirement == requirement and self.environment in (None, environment)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    @property
    def label(self) -> str:
        where = f" in {self.environment}" if self.environment else ""
        return f"waiver {self.entry} ({self.requirement}{where})"


class WaiverState(enum.StrEnum):
    APPLIED = "applied"  # waived at least one failure
    EXPIRED = "expired"  # past its date: waives nothing
    NOT_NEEDED = "no longer needed"  # its requirement is met
    NOT_WAIVABLE = "not waivable"  # its requirement could not be checked, which cannot be accepted
    UNMATCHED = "unmatched"  # names a requirement or environment this run does not have
    NOT_RUN = "not run"  # its requirement was not selected in this (partial) run


def load_waivers(path: str | Path) -> list[Waiver]:
    """Read and validate a waiver file; WaiverError names the file, entry and key of the first problem."""
    path = Path(path)
    try:
        data = tomllib.loads(read_input("--intacct-waivers", path, MAX_CONFIG_FILE_BYTES))
    except InputFileError as exc:
        raise WaiverError(f"waiver file {path}: cannot be read ({exc.reason})") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise WaiverError(f"waiver file {path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - {"waiver"})
    if unknown:
        raise WaiverError(f"waiver file {path}: unknown top-level key {unknown[0]!r}; use [[waiver]] tables")
    entries = data.get("waiver", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise WaiverError(f"waiver file {path}: 'waiver' must be [[waiver]] tables")
    waivers = [_waiver(path, index, entry) for index, entry in enumerate(entries, start=1)]
    seen: dict[tuple[str, str | None], int] = {}
    for waiver in waivers:
        key = (waiver.requirement, waiver.environment)
        if key in seen:
            raise WaiverError(
                f"waiver file {path}: entry {waiver.entry}: key 'requirement': "
                f"waives {waiver.requirement!r} again (entry {seen[key]} already does)"
            )
        seen[key] = waiver.entry
    return waivers


def _waiver(path: Path, index: int, entry: dict) -> Waiver:
    def problem(key: str, message: str) -> WaiverError:
        return WaiverError(f"waiver file {path}: entry {index}: key {key!r}: {message}")

    for key in entry:
        if key not in KEYS:
            raise problem(key, f"unknown key; keys: {', '.join(KEYS)}")
    for key in REQUIRED:
        if key not in entry:
            raise problem(key, "missing (required)")
    for key in ("requirement", "environment", "justification", "owner", "ticket"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise problem(key, "must be a non-empty string")
    expires = entry.get("expires")
    if expires is not None and (not isinstance(expires, dt.date) or isinstance(expires, dt.datetime)):
        raise problem("expires", "must be a TOML date such as 2026-12-31")
    return Waiver(
        entry=index,
        requirement=outside_text(entry["requirement"].strip(), MAX_NAME_LENGTH),
        justification=outside_text(entry["justification"].strip()),
        environment=_optional(entry.get("environment")),
        owner=_optional(entry.get("owner")),
        ticket=_optional(entry.get("ticket")),
        expires=expires,
    )


def _optional(value: str | None) -> str | None:
    return None if value is None else outside_text(value, MAX_NAME_LENGTH)


def find_waiver(waivers: Iterable[Waiver], environment: str, requirement: str) -> Waiver | None:
    """The waiver for this requirement here: one naming the environment wins over one for all."""
    matching = [w for w in waivers if w.matches(environment, requirement)]
    return min(matching, key=lambda w: w.environment is None, default=None)


def apply_waiver(
    result: RequirementResult, waivers: Sequence[Waiver], today: dt.date | None = None
) -> tuple[RequirementResult, Waiver | None]:
    """The result as reported: a failure under an unexpired waiver becomes ``waived``."""
    waiver = find_waiver(waivers, result.environment, result.requirement.id)
    if waiver is None or result.outcome is not Outcome.FAIL or waiver.expired(today or utc_today()):
        return result, None
    finding: Finding = replace(result.finding, outcome=Outcome.WAIVED)
    return replace(result, finding=finding), waiver


def waiver_states(
    waivers: Sequence[Waiver],
    results: Sequence[RequirementResult],
    universe: set[tuple[str, str]],
    today: dt.date,
) -> list[tuple[Waiver, WaiverState]]:
    """What became of each waiver in a run; ``universe`` holds every (environment, id) the run could have."""
    states = []
    for waiver in waivers:
        mine = [r for r in results if waiver.matches(r.environment, r.requirement.id)]
        if not any(waiver.matches(env, rid) for env, rid in universe):
            state = WaiverState.UNMATCHED
        elif waiver.expired(today):
            state = WaiverState.EXPIRED
        elif any(r.outcome is Outcome.WAIVED for r in mine):
            state = WaiverState.APPLIED
        elif any(r.outcome is Outcome.ERROR for r in mine):
            state = WaiverState.NOT_WAIVABLE
        elif mine:
            state = WaiverState.NOT_NEEDED
        else:
            state = WaiverState.NOT_RUN
        states.append((waiver, state))
    return states
