"""A requirement's result as pytest's outcome: pass -> passed, fail -> failed, error -> error (at setup:
it could not be checked), manual and n/a -> skipped with the reason, waived -> xfailed with the
justification, so pytest's own summary stays truthful."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_intacct.results.finding import RequirementResult
    from pytest_intacct.results.waivers import Waiver

RESULT_KEY = pytest.StashKey["RequirementResult"]()


def failure_message(result: RequirementResult) -> str:
    """The one wording of a result: expected, observed and the fix (or its root cause)."""
    from pytest_intacct.results.finding import describe

    return "\n".join(describe(result))


def assert_requirement_met(result: RequirementResult) -> None:
    """Fail the calling test with the expected/observed/remediation message unless the requirement passed."""
    __tracebackhide__ = True
    from pytest_intacct.results.finding import Outcome

    if result.finding.outcome is not Outcome.PASS:
        pytest.fail(failure_message(result), pytrace=False)


def end_setup(result: RequirementResult, waiver: Waiver | None) -> None:
    """End the test's setup as its outcome says, unless it passed or failed (the test body judges those)."""
    from pytest_intacct.results.finding import Outcome

    outcome = result.finding.outcome
    if waiver is not None:
        pytest.xfail(f"waived: {result.requirement.id}: {waiver.justification}")
    if outcome is Outcome.ERROR:
        pytest.fail(failure_message(result), pytrace=False)
    if outcome in (Outcome.MANUAL, Outcome.NOT_APPLICABLE):
        pytest.skip(f"{outcome.value}: {result.requirement.id}: {result.finding.observed}")
