"""What a check found about one requirement in one environment: its outcome, expected, observed and
evidence (a :class:`Finding`), and that finding placed as a :class:`RequirementResult`."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_intacct.profiles import SEVERITIES, Requirement
from pytest_intacct.safety.text import outside_text


class Outcome(enum.StrEnum):
    """How a requirement ended. Anything that could not be checked is ERROR, never PASS or FAIL."""

    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    ERROR = "error"  # could not be checked: gateway unreachable, no visibility, or its root cause failed
    MANUAL = "manual"  # needs a person's attestation
    NOT_APPLICABLE = "n/a"
    WAIVED = "waived"


@dataclass(frozen=True)
class RootCause:
    """Why requirements could not be checked when no requirement of the profile is the reason (the checker
    cannot read users, a locked-out user in a profile without a user-status requirement): one title and
    one fix for every requirement it left unchecked."""

    id: str
    title: str
    fix: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", outside_text(self.title))
        object.__setattr__(self, "fix", outside_text(self.fix))

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "fix": self.fix}


@dataclass(frozen=True)
class Finding:
    """A check's conclusion, with what was expected, what was observed and the (already redacted) evidence.

    ``blocked``: an error because something outside this requirement failed (``root_cause``, or a sign-in
    that settings or the gateway stopped); the requirement has no remediation of its own to show.
    ``root_cause`` names the requirement that failed, or ``cause`` when no requirement is the reason.
    ``fix``: the fix for the cause this run found, where it is not the one the profile's remediation
    describes (a refused sign-in whose user exists is not fixed by creating it).
    """

    outcome: Outcome
    expected: str
    observed: str
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    root_cause: str | None = None
    blocked: bool = False
    cause: RootCause | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.cause is not None:
            object.__setattr__(self, "root_cause", self.cause.id)
            object.__setattr__(self, "blocked", True)
        if self.root_cause is not None and self.outcome != Outcome.ERROR:
            raise ValueError(f"only an error has a root cause, not {str(self.outcome)!r}")
        if self.blocked and self.outcome != Outcome.ERROR:
            raise ValueError(f"only an error is blocked, not {str(self.outcome)!r}")
        if self.fix is not None:
            object.__setattr__(self, "fix", outside_text(self.fix))
        # Test reports carry findings between processes (pytest-xdist) and into JSON files: plain data only.
        object.__setattr__(self, "evidence", plain(self.evidence))
        # Gateway, settings and profile words end up in these: through the one door for outside text,
        # so no answer can forge a line of a report or carry a secret into one.
        object.__setattr__(self, "expected", outside_text(self.expected))
        object.__setattr__(self, "observed", outside_text(self.observed))

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain data (a test report carries it to the process that reports the run)."""
        return {
            "outcome": self.outcome.value,
            "expected": self.expected,
            "observed": self.observed,
            "evidence": dict(self.evidence),
            "root_cause": self.root_cause,
            "blocked": self.blocked,
            "cause": self.cause.to_dict() if self.cause else None,
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The finding :meth:`to_dict` gave, as it was: its text passed the door when it was made, in
        this run's own processes, so it is not passed again (a fleet's reports hold a million texts)."""
        cause = data["cause"]
        finding = object.__new__(cls)
        fields = {
            "outcome": Outcome(data["outcome"]),
            "expected": data["expected"],
            "observed": data["observed"],
            "evidence": data["evidence"],
            "root_cause": data["root_cause"],
            "blocked": data["blocked"],
            "cause": RootCause(**cause) if cause else None,
            "fix": data["fix"],
        }
        for name, value in fields.items():
            object.__setattr__(finding, name, value)
        return finding

    @classmethod
    def passed(cls, expected: str, observed: str, evidence: Mapping[str, Any] | None = None) -> Finding:
        return cls(Outcome.PASS, expected, observed, dict(evidence or {}))

    @classmethod
    def failed(
        cls,
        expected: str,
        observed: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        fix: str | None = None,
    ) -> Finding:
        return cls(Outcome.FAIL, expected, observed, dict(evidence or {}), fix=fix)

    @classmethod
    def error(
        cls,
        expected: str,
        observed: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        root_cause: str | None = None,
        blocked: bool = False,
        cause: RootCause | None = None,
        fix: str | None = None,
    ) -> Finding:
        blocked = blocked or bool(root_cause) or cause is not None
        return cls(Outcome.ERROR, expected, observed, dict(evidence or {}), root_cause, blocked, cause, fix)

    @classmethod
    def manual(cls, expected: str, observed: str, evidence: Mapping[str, Any] | None = None) -> Finding:
        return cls(Outcome.MANUAL, expected, observed, dict(evidence or {}))

    @classmethod
    def not_applicable(
        cls, expected: str, observed: str, evidence: Mapping[str, Any] | None = None
    ) -> Finding:
        return cls(Outcome.NOT_APPLICABLE, expected, observed, dict(evidence or {}))


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: enums become their values, tuples and sets lists, anything else text.

    Every text, keys included, passes the door for outside text (:func:`outside_text`): evidence holds
    what the gateway said, and no secret can ride out on it or on a ``str()``.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return outside_text(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {outside_text(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(item) for item in value), key=str)
    return outside_text(value)


@dataclass(frozen=True)
class RequirementResult:
    """The finding on one requirement in one environment (ACROSS_ENVIRONMENTS for cross-environment ones)."""

    environment: str
    requirement: Requirement
    finding: Finding

    @property
    def outcome(self) -> Outcome:
        return self.finding.outcome


def describe(result: RequirementResult) -> list[str]:
    """The result as text lines: a heading, then :func:`details`. Failure messages and the terminal use it."""
    r, v = result.requirement, result.finding
    heading = f"{v.outcome.value.upper()} {r.id} [{result.environment}]: {r.title}"
    return [heading, *(f"  {label}: {text}" for label, text in details(result))]


def details(result: RequirementResult) -> list[tuple[str, str]]:
    """What a result says, as ``(label, text)`` pairs: the one wording every report renders.

    Expected and observed always; the root cause of an error another requirement caused; the runbook's
    fix only when this requirement itself calls for action (see :func:`remediation`).
    """
    r, v = result.requirement, result.finding
    pairs = [("expected", v.expected), ("observed", v.observed)]
    if v.cause is not None:
        pairs.append(("not checked because", v.cause.title))
    elif v.root_cause:
        pairs.append(("not checked because", f"requirement {v.root_cause!r} did not pass"))
    fix = remediation(result)
    if fix is not None:
        pairs.append((f"fix ({r.runbook_step})", fix))
    return pairs


def remediation(result: RequirementResult) -> str | None:
    """The fix if this result calls for one: the fix for the cause the run found, else the runbook's;
    never for a met or inapplicable requirement, nor for one left unchecked by another failure or by a
    cause outside the runbook (fixing it is not the fix).
    """
    v = result.finding
    if v.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE) or v.root_cause or v.blocked:
        return None
    return v.fix or result.requirement.remediation


def count_outcomes(results: Iterable[RequirementResult]) -> dict[str, int]:
    """Results per outcome, every outcome present, in Outcome order."""
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return {outcome.value: count for outcome, count in counts.items()}


def summarize(results: Iterable[RequirementResult]) -> dict[str, Any]:
    """Outcome counts overall and per severity; keys in a fixed order, zero counts included."""
    results = list(results)
    return {
        "total": len(results),
        "outcomes": count_outcomes(results),
        "by_severity": {
            severity: count_outcomes(r for r in results if r.requirement.severity == severity)
            for severity in SEVERITIES
        },
    }
