"""A refused sign-in, diagnosed rather than blamed (docs/diagnosis.md).

The gateway answers "Sign-in information is incorrect" for a wrong user id or password and, probably
(unconfirmed), for an inactive or locked-out user and an IP address outside enforced filters. The cause is
taken, in this order, from what the refusal says when it names one, from what an auditor login reads
about the user, and otherwise never guessed: the fix lists the candidates in order of likelihood.

The requirements whose evidence is the sign-in itself (the login, the user's status, the IP allowlist, the
subscription) are judged here; every other requirement is judged on what the auditor read, or is could
not check under the requirement (or the root cause) the diagnosis names.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_intacct.evidence.snapshot import Problem, ProblemKind, Snapshot
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.results.finding import Finding, RootCause

# The kinds whose evidence is the sign-in: after a refusal, the diagnosis judges them.
SIGN_IN_KINDS = frozenset({"user-login", "user-active", "ip-allowlist", "web-services-subscription"})


class Cause(enum.StrEnum):
    """Why a sign-in was refused, as far as the run can tell."""

    INACTIVE = "user-inactive"
    LOCKED_OUT = "user-locked-out"
    IP_NOT_ALLOWED = "ip-not-allowed"
    NO_SUBSCRIPTION = "no-web-services-subscription"
    UNKNOWN_ENTITY = "entity-unknown"
    MISSING = "user-missing"
    PASSWORD_OR_USER_FILTER = "password-or-user-ip-filter"  # noqa: S105 (a cause, not a password)
    BOTH_REFUSED = "both-logins-refused"
    UNEXPLAINED = "sign-in-refused"


# Which requirement's failure each cause is: the first of the profile with that check kind.
ROOT_KIND = {
    Cause.INACTIVE: "user-active",
    Cause.LOCKED_OUT: "user-active",
    Cause.IP_NOT_ALLOWED: "ip-allowlist",
    Cause.NO_SUBSCRIPTION: "web-services-subscription",
    Cause.MISSING: "user-login",
    Cause.PASSWORD_OR_USER_FILTER: "user-login",
    Cause.BOTH_REFUSED: "user-login",
    Cause.UNEXPLAINED: "user-login",
}

# Refusal texts that name their cause. The real gateway's wording for these is undocumented (assumptions in
# docs/diagnosis.md); the simulator's descriptive errors use these forms. Locked out before inactive.
_STATED = (
    (re.compile(r"\blocked[ -]?out\b", re.IGNORECASE), Cause.LOCKED_OUT),
    (re.compile(r"\binactive\b", re.IGNORECASE), Cause.INACTIVE),
    (
        re.compile(r"\bIP address\b.*\bnot allowed\b|\bnot allowed\b.*\bIP address\b", re.IGNORECASE),
        Cause.IP_NOT_ALLOWED,
    ),
    (re.compile(r"\bnot subscribed to Web Services\b", re.IGNORECASE), Cause.NO_SUBSCRIPTION),
    (re.compile(r"\bentity\b.*\bdoes not exist\b", re.IGNORECASE), Cause.UNKNOWN_ENTITY),
)

# Menu paths for causes a profile has no requirement for (and for what only the diagnosis knows).
_MENU = {
    "user-status": "Company > Admin > Users > {user} > Edit > Status: Active > Save",
    "unlock": (
        "only an admin can unlock a locked-out user: Company > Admin > Users > {user} > Unlock (Intacct "
        "emails the user when it locks them out after too many failed sign-ins)"
    ),
    "ip-filter": "Company > Setup > Company > Security > Enforce IP address filters: add this address",
    "user-ip-filter": "Company > Admin > Users > {user} > Edit > a user-level IP address filter",
    "subscription": "Company > Admin > Subscriptions > Web Services > Subscribe",
    "ws-users": "Company > Admin > Web Services users (is {user} listed there?)",
    "ws-users-add": "Company > Admin > Web Services users > Add",
}
_LOCKED_STATUSES = frozenset({"lockedout", "locked out", "locked"})


@dataclass(frozen=True)
class Diagnosis:
    """The cause of one refused sign-in, how it is known, and the gateway's own words."""

    cause: Cause
    words: str  # the refusal as the gateway worded it
    known_from: str  # "the gateway's answer", "the auditor login X", or "" when not known
    evidence: Mapping[str, Any]


def unlock_fix(user: str) -> str:
    """The fix for a locked-out user: only an admin can unlock it."""
    return _MENU["unlock"].format(user=user)


def diagnose(snapshot: Snapshot, problem: Problem) -> Diagnosis:
    """Why the integration's sign-in (``problem``, kind sign-in-failed) was refused: in the refusal's own
    words, else from what the auditor login read, else from what the REST API read about the user."""
    evidence: dict[str, Any] = {"gateway_error": problem.message, "level": problem.level}
    stated = _stated(problem.message)
    if stated is not None:
        return Diagnosis(stated, problem.message, "the gateway's answer", evidence)
    by_auditor = _by_auditor(snapshot, problem, evidence)
    if by_auditor is not None and by_auditor.cause is not Cause.UNEXPLAINED:
        return by_auditor
    return (
        _by_rest(snapshot, problem, evidence)
        or by_auditor
        or Diagnosis(Cause.UNEXPLAINED, problem.message, "", evidence)
    )


def _by_auditor(snapshot: Snapshot, problem: Problem, evidence: dict[str, Any]) -> Diagnosis | None:
    """The cause from the auditor login's sign-in and its USERINFO read; None without an auditor."""
    auditor, signed = snapshot.auditor_user_id, snapshot.auditor_sign_in
    if auditor is None or signed is None:
        return None
    via = f"the auditor login {auditor!r}"
    evidence["auditor_user_id"] = auditor
    if signed.problem is not None:
        evidence["auditor_error"] = signed.problem.message
        also = _stated(signed.problem.message)
        if also is not None:
            return Diagnosis(also, signed.problem.message, f"the gateway's answer to {via}", evidence)
        if signed.problem.kind == ProblemKind.SIGN_IN_FAILED:
            return Diagnosis(Cause.BOTH_REFUSED, problem.message, via, evidence)
        return Diagnosis(Cause.UNEXPLAINED, problem.message, "", evidence)
    user = snapshot.reading(f"USERINFO/{snapshot.user_id}")
    if user.problem is not None or (user.value is not None and not isinstance(user.value, dict)):
        evidence["auditor_read_error"] = user.problem.message if user.problem else "not a record"
        return Diagnosis(Cause.UNEXPLAINED, problem.message, "", evidence)
    if user.value is None:
        return Diagnosis(Cause.MISSING, problem.message, via, evidence)
    status = str(user.value.get("STATUS", "")).strip().casefold()
    evidence["USERINFO.STATUS"] = user.value.get("STATUS")
    if status in _LOCKED_STATUSES:
        return Diagnosis(Cause.LOCKED_OUT, problem.message, via, evidence)
    if status != "active":
        return Diagnosis(Cause.INACTIVE, problem.message, via, evidence)
    return Diagnosis(Cause.PASSWORD_OR_USER_FILTER, problem.message, via, evidence)


def _by_rest(snapshot: Snapshot, problem: Problem, evidence: dict[str, Any]) -> Diagnosis | None:
    """The cause from the REST API's user record (its token needs no user password, so it may be granted
    when the XML sign-in is refused); None when it did not read the user."""
    token = snapshot.rest_sign_in
    reading = snapshot.readings.get(f"rest:user/{snapshot.user_id}")
    if token is None or not token.ok or reading is None or reading.problem is not None:
        return None
    if reading.value is not None and not isinstance(reading.value, dict):
        return None
    via = f"the REST API (login {snapshot.rest_username!r})"
    evidence = {**evidence, "rest_username": snapshot.rest_username}
    if reading.value is None:
        return Diagnosis(Cause.MISSING, problem.message, via, evidence)
    status = str(reading.value.get("status") or "")
    evidence["user.status"] = status
    if status.casefold() == "lockedout":
        return Diagnosis(Cause.LOCKED_OUT, problem.message, via, evidence)
    if status != "active":
        return Diagnosis(Cause.INACTIVE, problem.message, via, evidence)
    return Diagnosis(Cause.PASSWORD_OR_USER_FILTER, problem.message, via, evidence)


def root_requirement(profile: Profile, snapshot: Snapshot, cause: Cause) -> Requirement | None:
    """The requirement whose failure the cause is, if the profile has one that applies here."""
    kind = ROOT_KIND.get(cause)
    kind_here = "production" if snapshot.production else "test"
    for requirement in profile.requirements:
        applies = not requirement.when or profile.parameters.get(requirement.when)
        if requirement.check == kind and requirement.environments in ("all", kind_here) and applies:
            return requirement
    return None


def refused(requirement: Requirement, profile: Profile, snapshot: Snapshot, diagnosis: Diagnosis) -> Finding:
    """The finding of a sign-in kind after a refused sign-in."""
    d, kind = diagnosis, requirement.check
    root = root_requirement(profile, snapshot, d.cause)
    if root is not None and root.id == requirement.id:
        return _failure(requirement, profile, snapshot, d)
    if kind == "user-active" and d.cause is Cause.PASSWORD_OR_USER_FILTER:
        return Finding.passed(
            requirement.title,
            f"{_status_field(d)[1]} is 'active' (read by {d.known_from})",
            {**d.evidence, "USERINFO.LOGINID": snapshot.user_id},
        )
    return blocked(requirement, profile, snapshot, d)


def blocked(requirement: Requirement, profile: Profile, snapshot: Snapshot, diagnosis: Diagnosis) -> Finding:
    """A requirement the refusal left unchecked: an error naming the requirement (or root cause) it is."""
    root = root_requirement(profile, snapshot, diagnosis.cause)
    evidence = {"gateway_error": diagnosis.words}
    if root is not None:
        return Finding.error(
            requirement.title, f"not checked: requirement {root.id!r} failed", evidence, root_cause=root.id
        )
    title = _cause_title(snapshot, diagnosis)
    cause = RootCause(diagnosis.cause.value, title, _fix(profile, snapshot, diagnosis) or title)
    return Finding.error(requirement.title, f"not checked: {cause.title}", evidence, cause=cause)


def _failure(requirement: Requirement, profile: Profile, snapshot: Snapshot, d: Diagnosis) -> Finding:
    """The requirement the cause is the failure of, failed with the gateway's words and the cause's fix."""
    fix = _fix(profile, snapshot, d, own=requirement)
    return Finding.failed(requirement.title, _observed(requirement, snapshot, d), d.evidence, fix=fix)


def _observed(requirement: Requirement, snapshot: Snapshot, d: Diagnosis) -> str:
    if d.cause is Cause.UNEXPLAINED:
        causes = (
            "the gateway answers the same for a wrong user id or password, an inactive or locked-out user, "
            "a company without the Web Services subscription, and an IP address outside enforced IP filters"
        )
        settings = _settings(snapshot, "USER_ID", "USER_PASSWORD", "COMPANY_ID", "ENTITY")
        return f"{d.words} ({causes}); check {settings} first"
    if d.known_from.startswith("the gateway"):
        return d.words
    if requirement.check == "user-active":
        key, name = _status_field(d)
        status = d.evidence.get(key)
        return f"{name} is {status!r} (read by {d.known_from}); the sign-in was refused: {d.words}"
    return f"{d.words}; {_cause_title(snapshot, d)}"


def _cause_title(snapshot: Snapshot, d: Diagnosis) -> str:
    user = snapshot.user_id
    known = f" ({d.known_from})" if d.known_from else ""
    return {
        Cause.INACTIVE: f"the Web Services user {user!r} is inactive{known}",
        Cause.LOCKED_OUT: f"the Web Services user {user!r} is locked out{known}",
        Cause.IP_NOT_ALLOWED: f"this machine's IP address is outside the company's IP address filters{known}",
        Cause.NO_SUBSCRIPTION: f"the company is not subscribed to Web Services{known}",
        Cause.UNKNOWN_ENTITY: f"the entity this environment signs in at does not exist{known}",
        Cause.MISSING: f"there is no user {user!r} in company {snapshot.company_id!r}{known}",
        Cause.PASSWORD_OR_USER_FILTER: f"the user {user!r} exists and is active{known}, yet is refused",
        Cause.BOTH_REFUSED: f"both the integration login and {d.known_from} were refused from this machine",
        Cause.UNEXPLAINED: "the gateway refused the sign-in without saying why",
    }[d.cause]


def _fix(profile: Profile, snapshot: Snapshot, d: Diagnosis, own: Requirement | None = None) -> str | None:
    """The fix for the cause found; None where the profile's own remediation of ``own`` describes it."""
    user = snapshot.user_id
    menu = {key: text.format(user=user) for key, text in _MENU.items()}
    of_kind = {r.check: r.remediation for r in profile.requirements}
    if d.cause in (Cause.INACTIVE, Cause.IP_NOT_ALLOWED, Cause.NO_SUBSCRIPTION, Cause.MISSING):
        if own is not None:
            return None  # the requirement that fails is the one whose remediation describes this cause
        return (
            of_kind.get(ROOT_KIND[d.cause])
            or {
                Cause.INACTIVE: menu["user-status"],
                Cause.IP_NOT_ALLOWED: menu["ip-filter"],
                Cause.NO_SUBSCRIPTION: menu["subscription"],
                Cause.MISSING: f"create the Web Services user {user!r}: {menu['ws-users-add']}",
            }[d.cause]
        )
    if d.cause is Cause.LOCKED_OUT:
        return menu["unlock"]
    if d.cause is Cause.UNKNOWN_ENTITY:
        return (
            f"check {_settings(snapshot, 'ENTITY')}: the location id of an entity of {snapshot.company_id!r}"
        )
    if d.cause is Cause.PASSWORD_OR_USER_FILTER:
        return (
            f"the user exists and is active, so the refusal is the password held in the settings "
            f"({_settings(snapshot, 'USER_PASSWORD')}) or a user-level IP address filter on {user!r} "
            f"({menu['user-ip-filter']})"
        )
    if d.cause is Cause.BOTH_REFUSED:
        return (
            "both logins were refused from this machine, so the company's IP address filter is the likely "
            f"cause ({of_kind.get('ip-allowlist') or menu['ip-filter']}); otherwise the sender or the "
            f"company ({_settings(snapshot, 'SENDER_ID', 'COMPANY_ID')})"
        )
    candidates = [
        f"the password held in the settings ({_settings(snapshot, 'USER_PASSWORD')})",
        f"the user's status, active and not locked out ({of_kind.get('user-active') or menu['user-status']})",
        f"the company's IP address filter ({of_kind.get('ip-allowlist') or menu['ip-filter']})",
        f"the Web Services subscription ({of_kind.get('web-services-subscription') or menu['subscription']})",
        f"whether the user is listed under {menu['ws-users']}",
    ]
    listed = "; ".join(f"{number}. {text}" for number, text in enumerate(candidates, start=1))
    return (
        f"the gateway gives one answer for several causes; check, most likely first: {listed}. An auditor "
        f"login ({_settings(snapshot, 'AUDITOR_USER_ID', 'AUDITOR_USER_PASSWORD')}) would tell them apart"
    )


def _status_field(d: Diagnosis) -> tuple[str, str]:
    """Where the diagnosis read the user's status, as an evidence key and in words: USERINFO (the
    auditor's read) or the REST user record."""
    if "USERINFO.STATUS" in d.evidence:
        return "USERINFO.STATUS", "USERINFO.STATUS"
    return "user.status", "REST user.status"


def _stated(message: str) -> Cause | None:
    return next((cause for pattern, cause in _STATED if pattern.search(message)), None)


def _settings(snapshot: Snapshot, *keys: str) -> str:
    names = [snapshot.identity.variable(key) for key in keys]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
