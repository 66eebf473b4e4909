"""Checks: one small function per kind, looked up by the name a profile uses.

:func:`evaluate` adds what every requirement shares -- applicability (``environments``, ``when``)
and the sign-in root cause: when sign-in fails, the requirement that explains it fails with the
gateway's words and every other requirement is an error naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_intacct.client import ErrorKind
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.results import Verdict
from pytest_intacct.snapshot import Problem, Snapshot


@dataclass(frozen=True)
class Context:
    """What a check sees: its requirement, the profile, this environment and every environment of the run."""

    requirement: Requirement
    profile: Profile
    snapshot: Snapshot | None
    snapshots: Sequence[Snapshot]

    @property
    def params(self) -> Mapping[str, Any]:
        return self.requirement.params


Check = Callable[[Context], Verdict]
CHECKS: dict[str, Check] = {}
ACROSS_ENVIRONMENT_CHECKS: set[str] = set()

# Which requirement a sign-in failure of each kind is the fault of (intacct-permissions.md §6).
# Kinds not listed (unreachable, sender password, throttled...) are nobody's requirement: all error.
SIGN_IN_ROOT_CAUSES = {
    ErrorKind.SENDER_NOT_AUTHORIZED: "sender-authorized",
    ErrorKind.SIGN_IN_FAILED: "user-login",
}


# The gateway gives one answer for all of these (intacct-permissions.md §6, §9 item 6), so the
# failure names them all rather than guess.
SIGN_IN_CAUSES = (
    "the gateway answers the same for a wrong user id or password, an inactive or locked-out user, "
    "a company without the Web Services subscription, and an IP address outside enforced IP filters"
)


def check(kind: str, *, across_environments: bool = False) -> Callable[[Check], Check]:
    """Register a check function under the kind name profiles use."""

    def register(function: Check) -> Check:
        CHECKS[kind] = function
        if across_environments:
            ACROSS_ENVIRONMENT_CHECKS.add(kind)
        return function

    return register


def evaluate(requirement: Requirement, profile: Profile, snapshot: Snapshot) -> Verdict:
    """The verdict on one per-environment requirement."""
    skipped = _not_applicable(requirement, profile, snapshot)
    if skipped:
        return skipped
    problem = snapshot.sign_in.problem
    if problem is not None and requirement.check != "attestation":
        return _sign_in_failed(requirement, profile, problem)
    return CHECKS[requirement.check](Context(requirement, profile, snapshot, (snapshot,)))


def evaluate_across(requirement: Requirement, profile: Profile, snapshots: Sequence[Snapshot]) -> Verdict:
    """The verdict on a requirement that compares the environments of one run."""
    if len(snapshots) < 2:
        names = ", ".join(s.environment for s in snapshots) or "none"
        return Verdict.not_applicable(
            "at least two environments in one run (e.g. --intacct-env=sandbox,prod)",
            f"this run checks one environment ({names})",
        )
    return CHECKS[requirement.check](Context(requirement, profile, None, snapshots))


def _not_applicable(requirement: Requirement, profile: Profile, snapshot: Snapshot) -> Verdict | None:
    kind = "production" if snapshot.production else "test"
    if requirement.environments not in ("all", kind):
        return Verdict.not_applicable(
            f"applies to {requirement.environments} environments",
            f"{snapshot.environment} is a {kind} environment",
        )
    if requirement.when and not profile.parameters.get(requirement.when):
        return Verdict.not_applicable(
            f"applies when the profile parameter {requirement.when!r} is true",
            f"{requirement.when} = {profile.parameters.get(requirement.when)!r}",
        )
    return None


def _sign_in_failed(requirement: Requirement, profile: Profile, problem: Problem) -> Verdict:
    root_check = SIGN_IN_ROOT_CAUSES.get(problem.kind)
    if root_check == requirement.check:
        observed = problem.message
        if problem.kind is ErrorKind.SIGN_IN_FAILED:
            observed += f" ({SIGN_IN_CAUSES})"
        return Verdict.failed(requirement.title, observed, gateway_error=problem.message, level=problem.level)
    root = next((r.id for r in profile.requirements if r.check == root_check), None)
    # With a root requirement the gateway's words are in its failure; here they stay in the evidence.
    cause = f"requirement {root!r} failed" if root else f"sign-in could not complete: {problem.message}"
    return Verdict.error(
        requirement.title,
        f"not checked: {cause}",
        root_cause=root,
        gateway_error=problem.message,
    )


# Importing the kinds registers them.
from pytest_intacct.checks import access, across, permissions, user  # noqa: E402, F401
