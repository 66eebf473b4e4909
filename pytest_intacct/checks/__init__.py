"""Checks: one small function per kind, registered with ``@check`` (see ``registry``).

A kind's author needs only this module: ``check``, the contexts, ``Finding``, ``Param`` and the shipped
reads (``user_info``, ``user_permissions``, ``role_users``, ``one_record``; ``Need`` and ``Read`` for a
new one) -- see docs/checks.md.

:func:`evaluate` adds what every requirement shares -- applicability (``environments``, ``when``), the
sign-in root cause (when sign-in fails, the requirement that explains it fails with the gateway's words
and every other requirement is an error naming it), and containment: a check that raises is an error
for its requirement only.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence

from pytest_intacct.checks import refusals
from pytest_intacct.checks.refusals import Diagnosis
from pytest_intacct.checks.registry import (
    KINDS,
    AcrossContext,
    EnvironmentContext,
    Kind,
    check,
    subject_of,
)
from pytest_intacct.checks.visibility import checker_view
from pytest_intacct.evidence.reads import (
    Need,
    Read,
    Subject,
    one_record,
    role_users,
    user_info,
    user_permissions,
)
from pytest_intacct.evidence.rest_reads import (
    RestRead,
    rest_company,
    rest_multi_entity,
    rest_sandboxes,
    rest_user,
)
from pytest_intacct.evidence.snapshot import AnyRead, Problem, ProblemKind, Reading, Snapshot
from pytest_intacct.identity import Identity
from pytest_intacct.profiles import (
    Param,
    Profile,
    ProfileError,
    Requirement,
    load_profile,
    profile_warnings,
    validate,
)
from pytest_intacct.results.finding import Finding, Outcome
from pytest_intacct.safety.redaction import redact

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "SIGN_IN_ROOT_CAUSES",
    "AcrossContext",
    "EnvironmentContext",
    "Finding",
    "Kind",
    "Need",
    "Param",
    "ProblemKind",
    "Read",
    "Reading",
    "RestRead",
    "Snapshot",
    "Subject",
    "check",
    "evaluate",
    "evaluate_across",
    "load_entry_points",
    "one_record",
    "plan",
    "raised",
    "read_profile",
    "rest_company",
    "rest_multi_entity",
    "rest_sandboxes",
    "rest_user",
    "role_users",
    "user_info",
    "user_permissions",
    "validate_profile",
    "warnings_of",
]

# Modules named by entry points in this group are imported before a profile is validated.
ENTRY_POINT_GROUP = "pytest_intacct.checks"

# Which requirement a sign-in failure of each kind is the fault of (docs/gateway.md#errors).
# Kinds not listed (unreachable, sender password, throttled...) are nobody's requirement: all error.
# A refused user sign-in is diagnosed (checks/refusals.py).
SIGN_IN_ROOT_CAUSES = {
    ProblemKind.SENDER_NOT_AUTHORIZED.value: "sender-authorized",
}

# The settings to check first for each sign-in problem, by the problem's kind.
SETTINGS_TO_CHECK = {
    ProblemKind.SENDER_CREDENTIALS.value: ("SENDER_ID", "SENDER_PASSWORD"),
    ProblemKind.SENDER_NOT_AUTHORIZED.value: ("SENDER_ID",),
    ProblemKind.COMPANY_UNAVAILABLE.value: ("COMPANY_ID", "SENDER_ID"),
    ProblemKind.UNREACHABLE.value: ("ENDPOINT",),
}

_loaded_entry_points = False


def validate_profile(profile: Profile) -> Profile:
    """The profile checked against every registered kind (entry-point kinds included); ProfileError."""
    load_entry_points()
    return validate(profile, KINDS)


def read_profile(ref: str) -> Profile:
    """A profile by name or path, its structure and every requirement checked against the registered kinds
    (entry-point kinds included): every problem in one ProfileError."""
    load_entry_points()
    return load_profile(ref, KINDS)


def warnings_of(profile: Profile) -> list[str]:
    """The Intacct names in a (validated) profile that the catalogue does not know: warnings, never a pass."""
    return profile_warnings(profile, KINDS)


def load_entry_points() -> None:
    """Import the modules of the ``pytest_intacct.checks`` entry-point group, once; ``@check`` registers."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except Exception as exc:
            raise ProfileError(
                f"check kinds from entry point {entry_point.name!r} ({entry_point.value}) failed to load: "
                f"{type(exc).__name__}: {redact(str(exc))}"
            ) from None


def kind_of(requirement: Requirement) -> Kind:
    """The registered kind of a (validated) requirement."""
    return KINDS[requirement.check]


def plan(profile: Profile, subject: Subject) -> list[AnyRead]:
    """Every read the profile's per-environment requirements need here, each once, in profile order: the
    XML gateway's and, with REST access, the REST API's (collection groups them by source)."""
    reads: dict[str, AnyRead] = {}
    for requirement in profile.requirements:
        for need in kind_of(requirement).reads:
            try:
                read = need.resolve(subject, requirement.params)
            except Exception:  # noqa: S112  evaluate() resolves it again and makes it this requirement's error
                continue
            if read is not None:
                reads.setdefault(read.key, read)
    return list(reads.values())


def evaluate(requirement: Requirement, profile: Profile, snapshot: Snapshot) -> Finding:
    """The finding on one per-environment requirement; never raises."""
    try:
        skipped = _not_applicable(requirement, profile, snapshot)
        if skipped:
            return skipped
        kind = kind_of(requirement)
        if kind.per_environment is None:
            raise TypeError(f"check {kind.name!r} compares environments; it cannot judge one")
        problem = snapshot.sign_in.problem
        if problem is not None and problem.kind == ProblemKind.SIGN_IN_FAILED:
            return _after_refusal(kind, requirement, profile, snapshot, refusals.diagnose(snapshot, problem))
        if problem is not None and requirement.check != "attestation":
            return _sign_in_failed(requirement, profile, snapshot.identity, problem)
        return _judged(kind, requirement, profile, snapshot)
    except Exception as error:
        return raised(requirement, error)


def _judged(kind: Kind, requirement: Requirement, profile: Profile, snapshot: Snapshot) -> Finding:
    """The kind's own finding; an error because the checker could not read users is that root cause's."""
    readings = _readings(kind, requirement, snapshot)
    assert kind.per_environment is not None
    finding = kind.per_environment(EnvironmentContext(requirement, profile, snapshot, readings))
    if finding.outcome is not Outcome.ERROR or finding.blocked:
        return finding
    refused = [
        need
        for need in kind.reads
        if need.about_users
        and (reading := readings.get(need.name)) is not None
        and reading.problem is not None
        and reading.problem.kind == ProblemKind.PERMISSION_DENIED
    ]
    cause = checker_view(snapshot) if refused else None
    if cause is None:
        return finding
    return Finding.error(finding.expected, finding.observed, finding.evidence, cause=cause)


def _after_refusal(
    kind: Kind, requirement: Requirement, profile: Profile, snapshot: Snapshot, diagnosis: Diagnosis
) -> Finding:
    """After a refused sign-in: the sign-in kinds by the diagnosis; the rest on what the auditor read, or
    could not check under the requirement (or root cause) the diagnosis names."""
    if kind.name in refusals.SIGN_IN_KINDS:
        return refusals.refused(requirement, profile, snapshot, diagnosis)
    if kind.name != "attestation" and not _readable_after_refusal(kind, requirement, snapshot):
        return refusals.blocked(requirement, profile, snapshot, diagnosis)
    finding = _judged(kind, requirement, profile, snapshot)
    if finding.outcome is Outcome.ERROR and not finding.blocked:
        return refusals.blocked(requirement, profile, snapshot, diagnosis)
    return finding


def _readable_after_refusal(kind: Kind, requirement: Requirement, snapshot: Snapshot) -> bool:
    """Whether the requirement can be judged without the integration's own session: every XML read it
    needs went through the auditor, which signed in; or it needs REST reads only, and the token was
    granted (a kind that adds REST facts to XML ones judges on the XML ones, so those decide)."""
    reads = [read for need in kind.reads if (read := need.resolve(subject_of(snapshot), requirement.params))]
    xml = [read for read in reads if isinstance(read, Read)]
    if xml:
        signed = snapshot.auditor_sign_in is not None and snapshot.auditor_sign_in.ok
        return signed and all(read.reader == "auditor" for read in xml)
    token = snapshot.rest_sign_in
    return bool(reads) and token is not None and token.ok


def evaluate_across(requirement: Requirement, profile: Profile, snapshots: Sequence[Snapshot]) -> Finding:
    """The finding on a requirement that compares the environments of one run; never raises."""
    try:
        if len(snapshots) < 2:
            names = ", ".join(s.environment for s in snapshots) or "none"
            return Finding.not_applicable(
                "at least two environments in one run (e.g. --intacct-env=sandbox,prod)",
                f"this run checks one environment ({names})",
            )
        kind = kind_of(requirement)
        if kind.across is None:
            raise TypeError(f"check {kind.name!r} judges one environment; it cannot compare them")
        return kind.across(AcrossContext(requirement, profile, snapshots))
    except Exception as error:
        return raised(requirement, error)


def raised(requirement: Requirement, error: BaseException) -> Finding:
    """The error finding for a check or collection that raised: the exception type, redacted message."""
    return Finding.error(requirement.title, f"not checked: {type(error).__name__}: {redact(str(error))}")


def _readings(kind: Kind, requirement: Requirement, snapshot: Snapshot) -> Mapping[str, Reading]:
    subject = subject_of(snapshot)
    readings = {}
    for need in kind.reads:
        try:
            read = need.resolve(subject, requirement.params)
        except Exception as error:
            raise LookupError(
                f"the read {need.name!r} ({need.description}) does not resolve here: "
                f"{type(error).__name__}: {error}"
            ) from None
        if read is not None:
            readings[need.name] = snapshot.reading(read.key)
    return readings


def _not_applicable(requirement: Requirement, profile: Profile, snapshot: Snapshot) -> Finding | None:
    kind = "production" if snapshot.production else "test"
    if requirement.environments not in ("all", kind):
        return Finding.not_applicable(
            f"applies to {requirement.environments} environments",
            f"{snapshot.environment} is a {kind} environment",
        )
    if requirement.when and not profile.parameters.get(requirement.when):
        return Finding.not_applicable(
            f"applies when the profile parameter {requirement.when!r} is true",
            f"{requirement.when} = {profile.parameters.get(requirement.when)!r}",
        )
    return None


def settings_hint(identity: Identity, problem: Problem) -> str:
    """'check INTACCT_<ENV>_… first' for a sign-in problem a setting may explain; '' otherwise."""
    keys = SETTINGS_TO_CHECK.get(problem.kind)
    if not keys:
        return ""
    names = [identity.variable(key) for key in keys]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return f"check {listed} first"


def _with_hint(text: str, hint: str) -> str:
    """``text`` and the settings hint in one sentence: "... to this sender ID; check X first"."""
    return f"{text.rstrip().rstrip('.;')}; {hint}" if hint else text


def _sign_in_failed(
    requirement: Requirement, profile: Profile, identity: Identity, problem: Problem
) -> Finding:
    root_check = SIGN_IN_ROOT_CAUSES.get(problem.kind)
    hint = settings_hint(identity, problem)
    if root_check == requirement.check:
        observed = _with_hint(problem.message, hint)
        return Finding.failed(
            requirement.title, observed, {"gateway_error": problem.message, "level": problem.level}
        )
    root = next((r.id for r in profile.requirements if r.check == root_check), None)
    # With a root requirement the gateway's words are in its failure; here they stay in the evidence.
    if root:
        cause = f"requirement {root!r} failed"
    else:
        cause = _with_hint(f"sign-in could not complete: {problem.message}", hint)
    return Finding.error(
        requirement.title,
        f"not checked: {cause}",
        {"gateway_error": problem.message},
        root_cause=root,
        blocked=True,
    )


# Importing the kinds registers them.
from pytest_intacct.checks import (  # noqa: E402, F401
    access,
    across,
    company_config,
    entities,
    grants,
    permissions,
    subscriptions,
    user,
)
