"""Rows of the security objects (USERINFO, ROLES, ROLEUSERS...) derived from a company's users, roles, groups.

Field names follow developer.intacct.com users and roles pages; the APPLICATION/POLICYNAME/RIGHTS columns
of USERRIGHTS and ROLEPOLICYASSIGNMENT are assumptions (docs/simulator.md, assumption 26).
"""

from __future__ import annotations

from collections.abc import Callable

from .catalog import LIST_SEPARATOR
from .model import Company
from .permissions import format_rights, role_names

Row = dict[str, str]
_CREATED = "01/15/2024 09:30:00"


def _userinfo(company: Company) -> list[Row]:
    return [
        {
            "RECORDNO": str(user.record_no),
            "LOGINID": user.login_id,
            "DESCRIPTION": user.full_name,
            "USERTYPE": user.user_type,
            "ADMIN": user.admin,
            "STATUS": user.status,
            # LOGINDISABLED = true is a web-services-only user (developer.intacct.com users page).
            "LOGINDISABLED": "true" if user.web_services_only else "false",
            "SSO_ENABLED": "false",
            "SSO_FEDERATED_ID": "",
            "CONTACTINFO.CONTACTNAME": ", ".join(p for p in (user.last_name, user.first_name) if p)
            or user.login_id,
            "CONTACTINFO.FIRSTNAME": user.first_name,
            "CONTACTINFO.LASTNAME": user.last_name,
            "CONTACTINFO.EMAIL1": user.email,
            "USERLOCATIONS": LIST_SEPARATOR.join(user.entities),
            "WHENCREATED": _CREATED,
            "WHENMODIFIED": _CREATED,
            "CREATEDBY": "1",
            "MODIFIEDBY": "1",
        }
        for user in company.users.values()
    ]


def _numbered(rows: list[Row]) -> list[Row]:
    return [{"RECORDNO": str(number), **row} for number, row in enumerate(rows, start=1)]


def _userroles(company: Company) -> list[Row]:
    return _numbered(
        [
            {"USERID": user.login_id, "ROLENAME": role}
            for user in company.users.values()
            for role in user.roles
        ]
    )


def _roleusers(company: Company) -> list[Row]:
    return _numbered(
        [
            {"USERLOGINID": user.login_id, "ROLENAME": role}
            for user in company.users.values()
            for role in role_names(company, user)
        ]
    )


def _members(company: Company) -> list[Row]:
    return _numbered(
        [
            {
                "USERKEY": str(company.users[member].record_no),
                "USERINFO.LOGINID": member,
                "USERGROUP.NAME": group.name,
            }
            for group in company.groups.values()
            for member in group.members
        ]
    )


def _userrights(company: Company) -> list[Row]:
    # Direct rights only: whether role-based companies list derived rows here is unknown
    # (docs/gateway.md#permissions).
    return _numbered(
        [
            {
                "USERINFO.LOGINID": user.login_id,
                "APPLICATION": app,
                "POLICYNAME": policy,
                "RIGHTS": format_rights(r),
            }
            for user in company.users.values()
            for (app, policy), r in sorted(user.permissions.items())
        ]
    )


def _roles(company: Company) -> list[Row]:
    return [
        {
            "RECORDNO": str(role.record_no),
            "NAME": role.name,
            "DESCRIPTION": role.description,
            "ROLETYPE": "Enterprise",
        }
        for role in company.roles.values()
    ]


def _policies(company: Company) -> list[Row]:
    return _numbered(
        [
            {
                "ROLES.NAME": role.name,
                "APPLICATION": app,
                "POLICYNAME": policy,
                "RIGHTS": format_rights(rights),
            }
            for role in company.roles.values()
            for (app, policy), rights in sorted(role.permissions.items())
        ]
    )


def _groups(company: Company) -> list[Row]:
    return [
        {"RECORDNO": str(group.record_no), "NAME": group.name, "DESCR": group.description}
        for group in company.groups.values()
    ]


def _rolegroups(company: Company) -> list[Row]:
    return _numbered(
        [
            {"ROLENAME": role, "USERGROUPNAME": group.name}
            for group in company.groups.values()
            for role in group.roles
        ]
    )


_BUILDERS: dict[str, Callable[[Company], list[Row]]] = {
    "USERINFO": _userinfo,
    "USERROLES": _userroles,
    "ROLEUSERS": _roleusers,
    "MEMBERUSERGROUP": _members,
    "USERRIGHTS": _userrights,
    "ROLES": _roles,
    "ROLEPOLICYASSIGNMENT": _policies,
    "USERGROUP": _groups,
    "ROLEGROUPS": _rolegroups,
}


def derived_rows(company: Company, object_name: str) -> list[Row]:
    """Rows of one security object, computed fresh from the company model."""
    return _BUILDERS[object_name](company)
