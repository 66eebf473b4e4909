"""Permission checks, judged twice: *declared* (what getUserPermissions reports) and *effective*
(whether a one-record read of the module's object actually works). Edit rights are judged from the
declared permissions only: nothing is ever written to find out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_intacct.checks.lens import REST_COMPANY, disagree, field, record, rest_reading
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.checks.user import record_of, unreadable_user
from pytest_intacct.evidence.reads import normalize, one_record, role_users, user_info, user_permissions
from pytest_intacct.evidence.snapshot import ProblemKind, Reading
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding

# getUserPermissions needs "Company -> Lists -> Users -> Permissions -> View" (docs/gateway.md#permissions).
PERMISSIONS_VIEW = "Company > Users: View Permissions"
WRITE_RIGHTS = frozenset({"add", "edit", "delete", "create", "modify"})
PERMISSIONS = user_permissions("user", name="permissions")

Permissions = Mapping[str, Mapping[str, Iterable[str]]]


def permissions_of(reading: Reading) -> Permissions:
    """The ``{application: {policy: [rights]}}`` a successful getUserPermissions reading holds."""
    if not isinstance(reading.value, dict):
        raise TypeError(f"a permissions reading holds a table, not {type(reading.value).__name__}")
    return reading.value  # the shape reads.user_permissions makes


def declared_rights(permissions: Permissions, applications: Iterable[str], policy: str) -> set[str]:
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


def _declared(
    reading: Reading, applications: Iterable[str], policy: str, right: str
) -> tuple[bool | None, str]:
    if reading.problem is not None:
        return None, f"declared permissions not readable ({reading.problem.message})"
    rights = declared_rights(permissions_of(reading), applications, policy)
    listed = "|".join(sorted(rights)) or "nothing"
    has = any(normalize(r) == normalize(right) for r in rights)
    return has, f"getUserPermissions lists {policy}: {listed}"


def effective(reading: Reading | None, obj: str | None) -> tuple[bool | None, str]:
    if obj is None or reading is None:
        return None, ""
    if reading.problem is None:
        return True, f"a one-record read of {obj} succeeded"
    if reading.problem.kind == ProblemKind.PERMISSION_DENIED:
        return False, f"a read of {obj} was refused: {reading.problem.message}"
    return None, f"a read of {obj} could not be completed: {reading.problem.message}"


@check(
    "permission",
    params={
        "application": Param("strings", vocabulary="application"),
        "policy": Param(vocabulary="policy"),
        "right": Param(vocabulary="right"),
        "object": Param(required=False, vocabulary="object"),
    },
    reads=[PERMISSIONS, one_record("object", name="object")],
)
def permission(ctx: EnvironmentContext) -> Finding:
    """``right`` on ``policy`` of ``application`` (any of its names): declared by getUserPermissions and,
    with ``object``, effective by a one-record read. Either one refusing fails; they may disagree."""
    p = ctx.params
    applications, policy, right, obj = p["application"], p["policy"], p["right"], p.get("object")
    expected = f"{applications[0]} > {policy}: {right} for {ctx.snapshot.user_id!r}"
    declared, declared_text = _declared(ctx.reading("permissions"), applications, policy, right)
    proven, effective_text = effective(ctx.readings.get("object"), obj)
    observed = "; ".join(t for t in (declared_text, effective_text) if t)
    evidence: dict[str, Any] = {"declared": declared, "declared_detail": declared_text, "object": obj}
    if obj is not None:
        evidence |= {"effective": proven, "effective_detail": effective_text}

    if declared is False or proven is False:
        if declared is True or proven is True:
            observed = f"declared and effective permissions disagree: {observed}"
        return Finding.failed(expected, observed, evidence)
    if obj is not None and proven is None:
        return Finding.error(expected, f"not checked: {effective_text}", evidence)
    if declared is None and obj is None:
        return Finding.error(
            expected,
            f"not checked: {declared_text}; this right can only be judged from declared permissions, "
            f"which need {PERMISSIONS_VIEW}",
            evidence,
        )
    return Finding.passed(expected, observed, evidence)


@check(
    "role-assigned",
    params={"role": Param(required=False)},
    reads=[role_users("user", name="roles"), PERMISSIONS, REST_COMPANY],
)
def role_assigned(ctx: EnvironmentContext) -> Finding:
    """A role (or ``role``) is assigned to the user (ROLEUSERS, every page); n/a in a user-based company.
    The permission type is inferred from the XML gateway (no role, yet effective permissions) or, with
    REST access, read: ``company-preference.permissionType`` decides the branch, and a company the REST
    API calls role-based whose user holds rights without a role fails showing both."""
    user = ctx.snapshot.user_id
    wanted = ctx.params.get("role")
    expected = f"role {wanted!r} is assigned to {user!r}" if wanted else f"a role is assigned to {user!r}"
    reading = ctx.reading("roles")
    evidence: dict[str, Any] = {}
    permission_type = _permission_type(ctx, evidence)
    user_based = Finding.not_applicable(
        expected,
        "the company uses user-based permissions (REST company-preference.permissionType is "
        "'userBased'): roles do not apply",
        evidence,
    )
    if reading.problem is not None:
        if permission_type == "userBased":
            return user_based
        return Finding.error(expected, f"not checked: ROLEUSERS is not readable ({reading.problem.message})")
    if not isinstance(reading.value, list):
        raise TypeError(f"a ROLEUSERS reading holds a list, not {type(reading.value).__name__}")
    roles = [str(role) for role in reading.value]
    evidence = {"roles": roles, **evidence}
    if roles:
        if wanted and wanted not in roles:
            return Finding.failed(expected, f"assigned roles: {', '.join(roles)}", evidence)
        return Finding.passed(expected, f"assigned roles: {', '.join(roles)}", evidence)
    if permission_type == "userBased":
        return with_roles(user_based, roles)
    # Without the REST API the permission type is inferred (docs/gateway.md#not-readable): a role-based
    # user without a role has no access at all, so a user with effective permissions and no role is in a
    # user-based company, where roles do not apply.
    permissions = ctx.reading("permissions")
    if permissions.problem is not None:
        if permission_type == "roleBased":
            return Finding.failed(
                expected,
                "no role assigned in a role-based company (REST permissionType is 'roleBased')",
                evidence,
            )
        return Finding.error(
            expected,
            "not checked: no role assigned, and the effective permissions that would tell a user-based "
            f"company apart are not readable ({permissions.problem.message})",
            evidence,
        )
    if any(permissions_of(permissions).values()):
        if permission_type == "roleBased":
            return disagree(
                expected,
                "no role is assigned, yet getUserPermissions lists rights, as in a user-based company",
                "REST company-preference.permissionType is 'roleBased'",
                evidence,
            )
        return Finding.not_applicable(
            expected,
            "no role assigned, yet the user has effective permissions: "
            "the company uses user-based permissions",
            evidence,
        )
    return Finding.failed(expected, "no role assigned and no effective permissions", evidence)


def with_roles(finding: Finding, roles: list[str]) -> Finding:
    return Finding(finding.outcome, finding.expected, finding.observed, {"roles": roles, **finding.evidence})


def _permission_type(ctx: EnvironmentContext, evidence: dict[str, Any]) -> str | None:
    """``roleBased`` or ``userBased`` when the REST API says so (added to the evidence); None otherwise,
    with the REST API's problem in the evidence when it had one."""
    reading = rest_reading(ctx, "rest_company")
    if reading is None:
        return None
    if reading.problem is not None:
        evidence["rest_error"] = reading.problem.message
        return None
    kind = field(record(reading), "permissionType")
    evidence["company-preference.permissionType"] = kind
    return kind if kind in ("roleBased", "userBased") else None


@check(
    "developer-user",
    params={"mode": Param("choice", choices=("test-data", "read-only"))},
    reads=[
        user_info("developer", name="developer"),
        user_permissions("developer", name="developer_permissions"),
    ],
)
def developer_user(ctx: EnvironmentContext) -> Finding:
    """The developer account (INTACCT_DEVELOPER_USER_ID): active with write rights (``test-data``) or
    without any Add/Edit/Delete right (``read-only``); manual when not configured."""
    mode = ctx.params["mode"]
    expected = (
        "the developer account exists, is active and may create test data"
        if mode == "test-data"
        else "the developer account can only read"
    )
    login = ctx.snapshot.developer_user_id
    if not login:
        return Finding.manual(
            expected, "the developer account's login id is not configured (set INTACCT_DEVELOPER_USER_ID)"
        )
    user = ctx.reading("developer")
    problem = unreadable_user(user, login, expected)
    if problem is not None:
        return problem
    record = record_of(user)
    if record is None:
        return Finding.failed(expected, f"no user {login!r} in this company", {"developer_user_id": login})
    evidence: dict[str, Any] = {"developer_user_id": login, "USERINFO.STATUS": record.get("STATUS")}
    if mode == "test-data" and str(record.get("STATUS", "")).casefold() != "active":
        return Finding.failed(expected, f"{login!r} has status {record.get('STATUS')!r}", evidence)
    permissions = ctx.reading("developer_permissions")
    if permissions.problem is not None:
        return Finding.error(
            expected,
            f"not checked: permissions of {login!r} are not readable ({permissions.problem.message})",
            evidence,
        )
    writes = sorted(
        f"{application} > {policy}: {right}"
        for application, policies in permissions_of(permissions).items()
        for policy, rights in policies.items()
        for right in rights
        if normalize(right).split(" ")[0] in WRITE_RIGHTS
    )
    evidence["write_rights"] = writes
    if mode == "test-data":
        if writes:
            return Finding.passed(
                expected, f"{login!r} is active with {len(writes)} write right(s)", evidence
            )
        return Finding.failed(expected, f"{login!r} has no Add or Edit right anywhere", evidence)
    if writes:
        return Finding.failed(expected, f"{login!r} holds write rights: {', '.join(writes)}", evidence)
    return Finding.passed(expected, f"{login!r} holds no Add, Edit or Delete right", evidence)
