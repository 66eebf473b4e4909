"""Effective permissions as Intacct derives them: roles (direct or via groups) or per-user rights, capped by
the user type (docs/gateway.md#permissions).
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from .model import Company, Rights, User
from .responses import sub

# The user type is the ceiling on access (HELP-UT, HELP-WHY). A small table, documented in docs/simulator.md:
# None = no application limit; read_only = only rights starting with "List" or "View".
# Assumption: types other than business/employee/platform are treated as view-only.
_CAPS: dict[str, tuple[frozenset[str] | None, bool]] = {
    "business user": (None, False),
    "employee user": (frozenset({"Time & Expenses"}), False),  # own expenses and time only
    "platform user": (frozenset(), False),  # Platform Services only: nothing simulated
}
_DEFAULT_CAP: tuple[frozenset[str] | None, bool] = (None, True)

_RIGHTS_ORDER = (
    "List",
    "View",
    "Add",
    "Edit",
    "Delete",
    "List Expenses",
    "View Expense",
    "Add Expense",
    "Edit Expense",
    "Delete Expense",
    "View Permissions",
)
_APPLICATION_ORDER = (
    "Administration",
    "Company",
    "General Ledger",
    "Accounts Payable",
    "Cash Management",
    "Time & Expenses",
)


def is_read_right(right: str) -> bool:
    return right.startswith(("List", "View"))


def role_names(company: Company, user: User) -> list[str]:
    """Roles assigned directly, then those inherited from the user's groups (what ROLEUSERS lists)."""
    names = list(user.roles)
    for group in company.groups.values():
        if user.login_id in group.members:
            names.extend(role for role in group.roles if role not in names)
    return names


def effective_rights(company: Company, user: User) -> Rights:
    """What the user may do: per-user rights or role rights, then the user-type cap."""
    if company.permission_type == "user":
        granted: dict[tuple[str, str], frozenset[str]] = dict(user.permissions)
    else:
        granted = {}
        for name in role_names(company, user):
            for key, rights in company.roles[name].permissions.items():
                granted[key] = granted.get(key, frozenset()) | rights
    applications, read_only = _CAPS.get(user.user_type, _DEFAULT_CAP)
    capped = {}
    for (application, policy), rights in granted.items():
        if applications is not None and application not in applications:
            continue
        kept = frozenset(right for right in rights if not read_only or is_read_right(right))
        if kept:
            capped[(application, policy)] = kept
    return capped


def allows(rights: Rights, application: str, policy: str, wanted: Iterable[str]) -> bool:
    """True when any of the ``wanted`` rights is granted on the policy."""
    held = rights.get((application, policy), frozenset())
    return any(right in held for right in wanted)


def format_rights(rights: Iterable[str]) -> str:
    """Pipe-delimited, in the UI's order (``List|View|Edit``), as getUserPermissions writes them
    (docs/gateway.md#permissions)."""
    known = {right: index for index, right in enumerate(_RIGHTS_ORDER)}
    return "|".join(sorted(rights, key=lambda right: (known.get(right, len(known)), right)))


def permissions_element(rights: Rights) -> etree._Element:
    """``<permissions><appSubscription>...`` for getUserPermissions (developer.intacct.com users page example
    shape)."""
    order = {name: index for index, name in enumerate(_APPLICATION_ORDER)}
    applications = sorted({app for app, _ in rights}, key=lambda app: (order.get(app, len(order)), app))
    root = etree.Element("permissions")
    for application in applications:
        subscription = sub(root, "appSubscription", None)
        sub(subscription, "applicationName", application)
        policies = sub(subscription, "policies", None)
        for (app, policy), granted in sorted(rights.items()):
            if app == application:
                item = sub(policies, "policy", None)
                sub(item, "policyName", policy)
                sub(item, "rights", format_rights(granted))
    return root
