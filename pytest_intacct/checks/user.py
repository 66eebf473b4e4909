"""User checks: the Web Services user's record (USERINFO) as the runbook prescribes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_intacct.checks.lens import REST_USER, disagree, field, record, rest_reading, with_evidence
from pytest_intacct.checks.refusals import unlock_fix
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.evidence.reads import user_info
from pytest_intacct.evidence.snapshot import ProblemKind, Reading
from pytest_intacct.profiles import Param
from pytest_intacct.profiles.vocabulary import ADMIN_PRIVILEGES, USER_STATUSES, USER_TYPES, api_value, ui_word
from pytest_intacct.results.finding import Finding, Outcome

# Reading USERINFO needs Company > Users: List/View (docs/gateway.md#permissions, inferred).
USERS_VIEW = "Company > Users: View"
USER = user_info("user", name="user")


def unreadable_user(reading: Reading, login_id: str, expected: str) -> Finding | None:
    """The error for a USERINFO read the gateway refused or could not answer; None if it was read."""
    problem = reading.problem
    if problem is None:
        return None
    # Only a refusal points at the user's rights; a gateway that failed otherwise says nothing of them.
    needs = (
        f"; the Web Services user needs {USERS_VIEW} for this check"
        if problem.kind == "permission-denied"
        else ""
    )
    return Finding.error(
        expected,
        f"not checked: USERINFO for {login_id!r} is not readable ({problem.message}){needs}",
        {"gateway_error": problem.message},
    )


def record_of(reading: Reading) -> Mapping[str, Any] | None:
    """The USERINFO record a successful reading holds (None: no such user)."""
    value = reading.value
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"a USERINFO reading holds a record, not {type(value).__name__}")
    return value


def _user_record(ctx: EnvironmentContext, expected: str) -> Mapping[str, Any] | Finding:
    """The Web Services user's record, or the finding to return when it cannot be had."""
    reading, login_id = ctx.reading("user"), ctx.snapshot.user_id
    problem = unreadable_user(reading, login_id, expected)
    if problem is not None:
        return problem
    record = record_of(reading)
    if record is None:
        return Finding.error(expected, f"not checked: USERINFO has no record for {login_id!r}")
    return record


def _evidence(record: Mapping[str, Any], *fields: str) -> dict[str, Any]:
    return {f"USERINFO.{name}": record.get(name) for name in ("LOGINID", *fields)}


def _same(a: object, b: str) -> bool:
    return str(a or "").strip().casefold() == b.strip().casefold()


@check("user-active", reads=[USER, REST_USER])
def user_active(ctx: EnvironmentContext) -> Finding:
    """USERINFO.STATUS is active; a record that could not be read still passes, as only an active user
    signs in. An answer that contradicts itself or the question (one record twice with different facts,
    another login's record) is could not check: the sign-in does not outweigh an answer that lies. With
    REST access, ``user.status`` is read too: ``lockedOut`` is told from ``inactive`` (only an admin can
    unlock), and a status the two APIs state differently fails showing both."""
    expected = "the Web Services user's status is active"
    xml = _xml_active(ctx, expected)
    rest = rest_reading(ctx, "rest_user")
    if rest is None or xml.outcome not in (Outcome.PASS, Outcome.FAIL):
        return xml
    if rest.problem is not None:
        return with_evidence(xml, rest_error=rest.problem.message)
    found = record(rest)
    user = ctx.snapshot.user_id
    if found is None:
        return disagree(expected, xml.observed, f"the REST API has no user {user!r}", xml.evidence)
    status = found.get("status")
    if not isinstance(status, str):
        return with_evidence(xml, rest_error="the REST user record does not say its status")
    evidence = {**xml.evidence, "user.status": status}
    rest_text = f"REST user.status is {status!r}"
    if (str(status).casefold() == "active") != (xml.outcome is Outcome.PASS):
        return disagree(expected, xml.observed, rest_text, evidence)
    observed = f"{xml.observed}; {rest_text}"
    if xml.outcome is Outcome.PASS:
        return Finding.passed(expected, observed, evidence)
    return Finding.failed(expected, observed, evidence, fix=_status_fix(str(status), user))


def _xml_active(ctx: EnvironmentContext, expected: str) -> Finding:
    reading = ctx.reading("user")
    problem = reading.problem
    if problem is not None and problem.kind == ProblemKind.CONTRADICTORY:
        refused = unreadable_user(reading, ctx.snapshot.user_id, expected)
        assert refused is not None
        return refused
    record_ = record_of(reading) if reading.ok else None
    if record_ is not None:
        status = record_.get("STATUS")
        if _same(status, USER_STATUSES["Active"]):
            return Finding.passed(expected, "USERINFO.STATUS is active", _evidence(record_, "STATUS"))
        shown = f" ({ui_word(USER_STATUSES, str(status))} in the UI)" if status else ""
        return Finding.failed(
            expected,
            f"USERINFO.STATUS is {status!r}{shown}",
            _evidence(record_, "STATUS"),
            fix=_status_fix(str(status), ctx.snapshot.user_id),
        )
    # Only an active user gets a session, so the sign-in proves the status even without USERINFO.
    return Finding.passed(
        expected,
        "the user signed in, which only an active user can (USERINFO itself was not readable)",
        {"user_id": ctx.snapshot.user_id},
    )


def _status_fix(status: str, user: str) -> str | None:
    """A locked-out user is unlocked by an admin, not set active; None: the profile's remediation."""
    return unlock_fix(user) if status.replace(" ", "").casefold() == "lockedout" else None


def _field_equals(
    ctx: EnvironmentContext, field: str, wanted: str, expected: str, words: dict[str, str] | None = None
) -> Finding:
    """USERINFO.``field`` is ``wanted``; with ``words`` (UI word -> API value) either spelling counts once
    mapped to the API's, and the observed value is shown with its UI word."""
    record = _user_record(ctx, expected)
    if isinstance(record, Finding):
        return record
    value = record.get(field)
    observed = f"USERINFO.{field} is {value!r}"
    if words is not None and value is not None and ui_word(words, str(value)) != value:
        observed += f" ({ui_word(words, str(value))} in the UI)"
    api = api_value(words, wanted) if words is not None else None
    if _same(value, api or wanted):
        return Finding.passed(expected, observed, _evidence(record, field))
    return Finding.failed(expected, observed, _evidence(record, field))


def _spelled(words: dict[str, str], wanted: str) -> str:
    """``'Business' (the API's 'business user')`` when the API spells a UI word otherwise."""
    api = api_value(words, wanted)
    return f"{wanted!r}" + (f" (the API's {api!r})" if api and api != wanted else "")


@check("user-type", params={"expected": Param(vocabulary="user-type")}, reads=[USER])
def user_type(ctx: EnvironmentContext) -> Finding:
    """USERINFO.USERTYPE is ``expected``, in the UI's words ("Business") or the API's ("business user")."""
    wanted = ctx.params["expected"]
    return _field_equals(ctx, "USERTYPE", wanted, f"user type is {_spelled(USER_TYPES, wanted)}", USER_TYPES)


@check("user-admin", params={"expected": Param(vocabulary="admin")}, reads=[USER])
def user_admin(ctx: EnvironmentContext) -> Finding:
    """USERINFO.ADMIN is ``expected`` (Full, Limited, Off; case-insensitive)."""
    wanted = ctx.params["expected"]
    return _field_equals(
        ctx, "ADMIN", wanted, f"admin privileges are {_spelled(ADMIN_PRIVILEGES, wanted)}", ADMIN_PRIVILEGES
    )


@check("user-web-services-only", reads=[USER, REST_USER])
def user_web_services_only(ctx: EnvironmentContext) -> Finding:
    """USERINFO.LOGINDISABLED is true: the user cannot sign in to the web UI. With REST access,
    ``user.webServices.isRestricted`` says the same (or, where USERINFO is not readable, decides); the
    two stating it differently fails showing both."""
    # A Web Services user is a USERINFO row with LOGINDISABLED = true (docs/gateway.md#users).
    expected = "the user is a Web Services-only user (LOGINDISABLED = true)"
    xml = _field_equals(ctx, "LOGINDISABLED", "true", expected)
    rest = rest_reading(ctx, "rest_user")
    if rest is None:
        return xml
    if rest.problem is not None:
        return with_evidence(xml, rest_error=rest.problem.message)
    restricted = field(record(rest), "webServices.isRestricted")
    if not isinstance(restricted, bool):
        return xml
    evidence = {**xml.evidence, "user.webServices.isRestricted": restricted}
    rest_text = f"REST user.webServices.isRestricted is {str(restricted).lower()}"
    if xml.outcome in (Outcome.PASS, Outcome.FAIL):
        if (xml.outcome is Outcome.PASS) != restricted:
            return disagree(expected, xml.observed, rest_text, evidence)
        judged = Finding.passed if restricted else Finding.failed
        return judged(expected, f"{xml.observed}; {rest_text}", evidence)
    if xml.blocked:
        return xml
    # USERINFO was not readable: the REST API alone decides.
    judged = Finding.passed if restricted else Finding.failed
    return judged(expected, f"{rest_text} (USERINFO was not readable: {xml.observed})", evidence)


@check("user-id", params={"expected": Param()})
def user_id(ctx: EnvironmentContext) -> Finding:
    """The environment's Web Services user id is ``expected`` (case-insensitive)."""
    wanted = ctx.params["expected"]
    expected = f"the Web Services user's login id is {wanted!r}"
    configured = ctx.snapshot.user_id
    if _same(configured, wanted):
        return Finding.passed(expected, f"signed in as {configured!r}", {"user_id": configured})
    return Finding.failed(
        expected, f"this environment's Web Services user is {configured!r}", {"user_id": configured}
    )


def email_of(record: Mapping[str, Any]) -> str:
    """The primary email, whether the contact comes nested or as dotted field names."""
    contact = record.get("CONTACTINFO")
    if isinstance(contact, dict) and contact.get("EMAIL1"):
        return str(contact["EMAIL1"])
    return str(record.get("CONTACTINFO.EMAIL1") or record.get("EMAIL1") or "")


@check("user-email-domain", params={"domain": Param()}, reads=[USER])
def user_email_domain(ctx: EnvironmentContext) -> Finding:
    """The user's primary email address (USERINFO CONTACTINFO.EMAIL1) is at ``domain``."""
    domain = ctx.params["domain"].lstrip("@")
    expected = f"the user's primary email address is at @{domain}"
    record = _user_record(ctx, expected)
    if isinstance(record, Finding):
        return record
    email = email_of(record)
    evidence = {"USERINFO.LOGINID": record.get("LOGINID"), "email": email}
    if email.casefold().endswith("@" + domain.casefold()):
        return Finding.passed(expected, f"the email address is {email!r}", evidence)
    return Finding.failed(expected, f"the email address is {email or 'empty'!r}", evidence)
