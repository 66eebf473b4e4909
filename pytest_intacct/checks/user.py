"""User checks: the Web Services user's record (USERINFO) as the runbook prescribes it."""

from __future__ import annotations

from typing import Any

from pytest_intacct.checks import Context, check
from pytest_intacct.results import Verdict
from pytest_intacct.snapshot import Reading

# Reading USERINFO needs Company > Users: List/View (intacct-permissions.md §2.1, inferred).
USERS_VIEW = "Company > Users: View"


def unreadable_user(reading: Reading, login_id: str, expected: str) -> Verdict | None:
    """The error for a USERINFO read the gateway refused or could not answer; None if it was read."""
    if reading.problem is None:
        return None
    return Verdict.error(
        expected,
        f"not checked: USERINFO for {login_id!r} is not readable ({reading.problem.message}); "
        f"the Web Services user needs {USERS_VIEW} for this check",
        gateway_error=reading.problem.message,
    )


def _user_record(ctx: Context, expected: str) -> tuple[dict[str, Any] | None, Verdict | None]:
    """The Web Services user's record, or the verdict to return when it cannot be had."""
    assert ctx.snapshot is not None
    reading, login_id = ctx.snapshot.user, ctx.snapshot.user_id
    problem = unreadable_user(reading, login_id, expected)
    if problem is not None:
        return None, problem
    if reading.value is None:
        return None, Verdict.error(expected, f"not checked: USERINFO has no record for {login_id!r}")
    return reading.value, None


def _evidence(record: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {f"USERINFO.{name}": record.get(name) for name in ("LOGINID", *fields)}


def _same(a: object, b: str) -> bool:
    return str(a or "").strip().casefold() == b.strip().casefold()


@check("user-active")
def user_active(ctx: Context) -> Verdict:
    expected = "the Web Services user's status is active"
    assert ctx.snapshot is not None
    if ctx.snapshot.user.ok and ctx.snapshot.user.value is not None:
        record = ctx.snapshot.user.value
        status = record.get("STATUS")
        if _same(status, "active"):
            return Verdict.passed(expected, "USERINFO.STATUS is active", **_evidence(record, "STATUS"))
        return Verdict.failed(expected, f"USERINFO.STATUS is {status!r}", **_evidence(record, "STATUS"))
    # Only an active user gets a session, so the sign-in proves the status even without USERINFO.
    return Verdict.passed(
        expected,
        "the user signed in, which only an active user can (USERINFO itself was not readable)",
        user_id=ctx.snapshot.user_id,
    )


def _field_equals(ctx: Context, field: str, wanted: str, expected: str) -> Verdict:
    record, problem = _user_record(ctx, expected)
    if problem:
        return problem
    assert record is not None
    value = record.get(field)
    observed = f"USERINFO.{field} is {value!r}"
    if _same(value, wanted):
        return Verdict.passed(expected, observed, **_evidence(record, field))
    return Verdict.failed(expected, observed, **_evidence(record, field))


@check("user-type")
def user_type(ctx: Context) -> Verdict:
    wanted = ctx.params["expected"]
    return _field_equals(ctx, "USERTYPE", wanted, f"user type is {wanted!r}")


@check("user-admin")
def user_admin(ctx: Context) -> Verdict:
    wanted = ctx.params["expected"]
    return _field_equals(ctx, "ADMIN", wanted, f"admin privileges are {wanted!r}")


@check("user-web-services-only")
def user_web_services_only(ctx: Context) -> Verdict:
    # A Web Services user is a USERINFO row with LOGINDISABLED = true (intacct-permissions.md §2.2).
    return _field_equals(
        ctx, "LOGINDISABLED", "true", "the user is a Web Services-only user (LOGINDISABLED = true)"
    )


@check("user-id")
def user_id(ctx: Context) -> Verdict:
    assert ctx.snapshot is not None
    wanted = ctx.params["expected"]
    expected = f"the Web Services user's login id is {wanted!r}"
    configured = ctx.snapshot.user_id
    if _same(configured, wanted):
        return Verdict.passed(expected, f"signed in as {configured!r}", user_id=configured)
    return Verdict.failed(
        expected, f"this environment's Web Services user is {configured!r}", user_id=configured
    )


def email_of(record: dict[str, Any]) -> str:
    """The primary email, whether the contact comes nested or as dotted field names."""
    contact = record.get("CONTACTINFO")
    if isinstance(contact, dict) and contact.get("EMAIL1"):
        return str(contact["EMAIL1"])
    return str(record.get("CONTACTINFO.EMAIL1") or record.get("EMAIL1") or "")


@check("user-email-domain")
def user_email_domain(ctx: Context) -> Verdict:
    domain = ctx.params["domain"].lstrip("@")
    expected = f"the user's primary email address is at @{domain}"
    record, problem = _user_record(ctx, expected)
    if problem:
        return problem
    assert record is not None
    email = email_of(record)
    evidence = {"USERINFO.LOGINID": record.get("LOGINID"), "email": email}
    if email.casefold().endswith("@" + domain.casefold()):
        return Verdict.passed(expected, f"the email address is {email!r}", **evidence)
    return Verdict.failed(expected, f"the email address is {email or 'empty'!r}", **evidence)
