"""Permission checks, judged twice: *declared* (what getUserPermissions reports) and *effective*
(whether a one-record read of the module's object actually works). Edit rights are judged from the
declared permissions only: nothing is ever written to find out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pytest_intacct.checks import Context, check
from pytest_intacct.checks.user import unreadable_user
from pytest_intacct.client import ErrorKind
from pytest_intacct.results import Verdict
from pytest_intacct.snapshot import Reading

# getUserPermissions needs "Company -> Lists -> Users -> Permissions -> View" (intacct-permissions.md §3.1).
PERMISSIONS_VIEW = "Company > Users: View Permissions"
WRITE_RIGHTS = frozenset({"add", "edit", "delete", "create", "modify"})


def normalize(label: str) -> str:
    """Labels match case-folded, whitespace-collapsed, '&' and 'and' alike (intacct-permissions.md §3.1)."""
    label = label.casefold().replace("&", " and ")
    return re.sub(r"\s+", " ", label).strip()


def declared_rights(
    permissions: Mapping[str, Mapping[str, Iterable[str]]], applications, policy: str
) -> set[str]:
    """The rights granted on ``policy`` under any of the accepted application names."""
    accepted = {normalize(a) for a in applications}
    rights: set[str] = set()
    for application, policies in permissions.items():
        if normalize(application) not in accepted:
            continue
        for name, granted in policies.items():
            if normalize(name) == normalize(policy):
                rights |= set(granted)
    return rights


def _declared(reading: Reading, applications, policy: str, right: str) -> tuple[bool | None, str]:
    if reading.problem is not None:
        return None, f"declared permissions not readable ({reading.problem.message})"
    rights = declared_rights(reading.value, applications, policy)
    listed = "|".join(sorted(rights)) or "nothing"
    has = any(normalize(r) == normalize(right) for r in rights)
    return has, f"getUserPermissions lists {policy}: {listed}"


def _effective(objects: Mapping[str, Reading], obj: str | None) -> tuple[bool | None, str]:
    if obj is None:
        return None, ""
    reading = objects.get(obj)
    if reading is None:
        return None, f"{obj} was not read"
    if reading.problem is None:
        return True, f"a one-record read of {obj} succeeded"
    if reading.problem.kind is ErrorKind.PERMISSION_DENIED:
        return False, f"a read of {obj} was refused: {reading.problem.message}"
    return None, f"a read of {obj} could not be completed: {reading.problem.message}"


@check("permission")
def permission(ctx: Context) -> Verdict:
    assert ctx.snapshot is not None
    p = ctx.params
    applications, policy, right, obj = p["application"], p["policy"], p["right"], p.get("object")
    expected = f"{applications[0]} > {policy}: {right} for {ctx.snapshot.user_id!r}"
    declared, declared_text = _declared(ctx.snapshot.permissions, applications, policy, right)
    effective, effective_text = _effective(ctx.snapshot.objects, obj)
    observed = "; ".join(t for t in (declared_text, effective_text) if t)
    evidence = {"declared": declared, "declared_detail": declared_text, "object": obj}
    if obj is not None:
        evidence |= {"effective": effective, "effective_detail": effective_text}

    if declared is False or effective is False:
        if declared is True or effective is True:
            observed = f"declared and effective permissions disagree: {observed}"
        return Verdict.failed(expected, observed, **evidence)
    if obj is not None and effective is None:
        return Verdict.error(expected, f"not checked: {effective_text}", **evidence)
    if declared is None and obj is None:
        return Verdict.error(
            expected,
            f"not checked: {declared_text}; this right can only be judged from declared permissions, "
            f"which need {PERMISSIONS_VIEW}",
            **evidence,
        )
    return Verdict.passed(expected, observed, **evidence)


@check("role-assigned")
def role_assigned(ctx: Context) -> Verdict:
    assert ctx.snapshot is not None
    s = ctx.snapshot
    wanted = ctx.params.get("role")
    expected = (
        f"role {wanted!r} is assigned to {s.user_id!r}" if wanted else f"a role is assigned to {s.user_id!r}"
    )
    if s.roles.problem is not None:
        return Verdict.error(expected, f"not checked: ROLEUSERS is not readable ({s.roles.problem.message})")
    roles: tuple[str, ...] = s.roles.value
    evidence = {"roles": list(roles)}
    if roles:
        if wanted and wanted not in roles:
            return Verdict.failed(expected, f"assigned roles: {', '.join(roles)}", **evidence)
        return Verdict.passed(expected, f"assigned roles: {', '.join(roles)}", **evidence)
    # The permission type is not readable through the API (intacct-permissions.md §5.1). A role-based
    # user without a role has no access at all (REST-CC role description), so a user with effective
    # permissions and no role is in a user-based company, where roles do not apply.
    if s.permissions.ok and any(s.permissions.value.values()):
        return Verdict.not_applicable(
            expected,
            "no role assigned, yet the user has effective permissions: "
            "the company uses user-based permissions",
            **evidence,
        )
    if s.permissions.ok:
        return Verdict.failed(expected, "no role assigned and no effective permissions", **evidence)
    return Verdict.error(
        expected,
        "not checked: no role assigned, and the effective permissions that would tell a user-based company "
        f"apart are not readable ({s.permissions.problem.message})",
        **evidence,
    )


@check("developer-user")
def developer_user(ctx: Context) -> Verdict:
    assert ctx.snapshot is not None
    s = ctx.snapshot
    mode = ctx.params["mode"]
    expected = (
        "the developer account exists, is active and may create test data"
        if mode == "test-data"
        else "the developer account can only read"
    )
    if not s.developer_user_id:
        return Verdict.manual(
            expected, "the developer account's login id is not configured (set INTACCT_DEVELOPER_USER_ID)"
        )
    login = s.developer_user_id
    problem = unreadable_user(s.developer_user, login, expected)
    if problem is not None:
        return problem
    record = s.developer_user.value
    if record is None:
        return Verdict.failed(expected, f"no user {login!r} in this company", developer_user_id=login)
    evidence = {"developer_user_id": login, "USERINFO.STATUS": record.get("STATUS")}
    if mode == "test-data" and str(record.get("STATUS", "")).casefold() != "active":
        return Verdict.failed(expected, f"{login!r} has status {record.get('STATUS')!r}", **evidence)
    if s.developer_permissions.problem is not None:
        return Verdict.error(
            expected,
            f"not checked: permissions of {login!r} are not readable "
            f"({s.developer_permissions.problem.message})",
            **evidence,
        )
    writes = sorted(
        f"{application} > {policy}: {right}"
        for application, policies in s.developer_permissions.value.items()
        for policy, rights in policies.items()
        for right in rights
        if normalize(right).split(" ")[0] in WRITE_RIGHTS
    )
    evidence["write_rights"] = writes
    if mode == "test-data":
        if writes:
            return Verdict.passed(
                expected, f"{login!r} is active with {len(writes)} write right(s)", **evidence
            )
        return Verdict.failed(expected, f"{login!r} has no Add or Edit right anywhere", **evidence)
    if writes:
        return Verdict.failed(expected, f"{login!r} holds write rights: {', '.join(writes)}", **evidence)
    return Verdict.passed(expected, f"{login!r} holds no Add, Edit or Delete right", **evidence)
