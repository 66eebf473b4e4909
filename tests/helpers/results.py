"""Requirement results built by hand, for the report model and its renderers."""

from __future__ import annotations

from datetime import UTC, datetime

from pytest_intacct.profiles import Profile, load_profile
from pytest_intacct.results.finding import Finding, RequirementResult

TRELICA = load_profile("trelica")
CALANCE = load_profile("calance")
WHEN = datetime(2026, 9, 1, 6, 0, 0, tzinfo=UTC)


def result(
    env: str, profile: Profile, requirement_id: str, verdict: Finding | None = None
) -> RequirementResult:
    verdict = verdict or Finding.passed("as documented", "as documented")
    return RequirementResult(env, profile.requirement(requirement_id), verdict)
