"""The go-live verdict: READY, NOT READY or INCOMPLETE, and the run's exit code.

Pure functions over outcomes, shared by every renderer and by the exit-code policy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from pytest_intacct.results.finding import Outcome

MET = frozenset({Outcome.PASS, Outcome.WAIVED, Outcome.MANUAL, Outcome.NOT_APPLICABLE})

# Exit code of a run whose requirements could not all be checked (pytest's own codes stop at 6).
EXIT_INCOMPLETE = 10


class Readiness(enum.StrEnum):
    """Words an approver reads; they never change."""

    READY = "READY"  # every requirement met: pass, waived, manual or n/a
    NOT_READY = "NOT READY"  # at least one failed
    INCOMPLETE = "INCOMPLETE"  # nothing failed, something could not be checked (or nothing was checked)


class OutcomeClass(enum.StrEnum):
    """The three classes drift compares."""

    MET = "met"
    FAILED = "failed"
    NOT_CHECKED = "not checked"


def outcome_class(outcome: Outcome | str) -> OutcomeClass:
    outcome = outcome if isinstance(outcome, Outcome) else Outcome(outcome)
    if outcome in MET:
        return OutcomeClass.MET
    return OutcomeClass.FAILED if outcome is Outcome.FAIL else OutcomeClass.NOT_CHECKED


def readiness(outcomes: Iterable[Outcome | str]) -> Readiness:
    """The verdict over some outcomes; with none at all nothing was checked, so INCOMPLETE."""
    classes = {outcome_class(outcome) for outcome in outcomes}
    if OutcomeClass.FAILED in classes:
        return Readiness.NOT_READY
    if OutcomeClass.NOT_CHECKED in classes or not classes:
        return Readiness.INCOMPLETE
    return Readiness.READY


def requirements_exit_code(verdict: Readiness, drift_counts: dict[str, int] | None, fail_on: str) -> int:
    """0, 1 or EXIT_INCOMPLETE for the requirements alone: by verdict, or with ``fail_on="new"`` by drift."""
    if fail_on == "new":
        counts = drift_counts or {}
        if counts.get("new-fail"):
            return 1
        return EXIT_INCOMPLETE if counts.get("new-error") else 0
    if verdict is Readiness.NOT_READY:
        return 1
    return EXIT_INCOMPLETE if verdict is Readiness.INCOMPLETE else 0


def run_exit_code(pytest_code: int, requirements_code: int, *, other_tests_failed: bool) -> int:
    """The run's exit code: pytest's 2-6 keep their meaning; a failing test of the user's own stays 1."""
    if pytest_code not in (0, 1):
        return pytest_code
    if other_tests_failed:
        return 1
    return requirements_code
