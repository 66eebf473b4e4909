"""The terminal summary: outcome counts per environment, the way a go-live approver reads them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pytest_intacct.profiles import Profile
from pytest_intacct.results import ACROSS_ENVIRONMENTS, RequirementResult, count_outcomes


def summary_lines(
    results: Iterable[RequirementResult], environments: Sequence[str], profile: Profile
) -> list[str]:
    results = list(results)
    lines = [f"profile: {profile.name} ({profile.title})"]
    for name in [*environments, ACROSS_ENVIRONMENTS]:
        mine = [r for r in results if r.environment == name]
        if not mine:
            continue
        counts = ", ".join(f"{n} {outcome}" for outcome, n in count_outcomes(mine).items() if n)
        label = "across environments" if name == ACROSS_ENVIRONMENTS else name
        lines.append(f"{label}: {counts}")
        lines += [
            f"  {r.outcome.value.upper():5} {r.requirement.id}: {r.verdict.observed}"
            for r in mine
            if r.outcome.value in ("fail", "error")
        ]
    return lines
