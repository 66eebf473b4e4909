"""The REST face's company-config records, computed from the same company model as the XML face's security
objects (``security.py``): one scenario describes a company for both.

Field names and values are those of Sage's company-configuration OpenAPI (docs/rest.md); what the spec
leaves open (permission ids, the access-right spelling of each UI right, the ids of map records) is the
simulator's choice and listed in docs/simulator.md's assumptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .model import Company, User

Record = dict[str, Any]
PREFIX = "/objects/company-config"

# USERINFO.USERTYPE -> user.userType (company-configuration OpenAPI enum).
USER_TYPES = {
    "business user": "business",
    "employee user": "employee",
    "view only user": "viewOnly",
    "dashboard user": "dashboard",
    "project manager user": "projectManager",
    "construction manager user": "constructionManager",
    "platform user": "platform",
    "warehouse user": "warehouse",
    "payment approver": "paymentApprover",
    "CRM user": "crm",
}
STATUSES = {"active": "active", "inactive": "inactive", "lockedout": "lockedOut"}
# The UI's rights as REST access rights (List, View, Add, Edit, Delete: the OpenAPI's list, readonly, add,
# modify, delete); any other right is written in lowerCamelCase (an assumption).
RIGHTS = {"List": "list", "View": "readonly", "Add": "add", "Edit": "modify", "Delete": "delete"}
STANDARD_RIGHTS = ("list", "readonly", "add", "modify", "delete")


def access_right(right: str) -> str:
    if right in RIGHTS:
        return RIGHTS[right]
    words = re.split(r"[^A-Za-z0-9]+", right)
    return words[0].lower() + "".join(word.capitalize() for word in words[1:])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _ref(obj: str, key: str, id_: str | None = None) -> Record:
    return {"key": key, "id": id_ if id_ is not None else key, "href": f"{PREFIX}/{obj}/{key}"}


class RestObjects:
    """Every company-config record of one company, by object name, each a list in key order."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self._permissions = self._permission_catalog()

    # -- what the face serves --------------------------------------------------------------------

    def objects(self) -> dict[str, Callable[[], list[Record]]]:
        """Object name (as the query service names it, ``user``) -> its records."""
        return {
            "user": self.users,
            "role": self.roles,
            "role-user-map": self.role_user_maps,
            "role-permission-assignment": self.role_permission_assignments,
            "permission": self.permissions,
            "entity": self.entities,
            "sandbox": self.sandboxes,
        }

    def singleton(self, obj: str) -> Record | None:
        """The ``setup`` record of a preference object, or None for another object."""
        if obj == "company-preference":
            return self.company_preference()
        if obj == "multi-entity-preference":
            return self.multi_entity_preference()
        return None

    # -- records ---------------------------------------------------------------------------------

    def users(self) -> list[Record]:
        role_keys = {role.name: str(role.record_no) for role in self.company.roles.values()}
        entity_keys = {entity: str(number) for number, entity in enumerate(self.company.entities, start=1)}
        return [self._user(user, role_keys, entity_keys) for user in self.company.users.values()]

    def _user(self, user: User, role_keys: dict[str, str], entity_keys: dict[str, str]) -> Record:
        key = str(user.record_no)
        return {
            "key": key,
            "id": user.login_id,
            "userName": user.full_name,
            "userType": USER_TYPES.get(user.user_type, user.user_type),
            "adminPrivileges": user.admin.lower(),
            "status": STATUSES.get(user.status, user.status),
            "webServices": {"isEnabled": self.company.web_services, "isRestricted": user.web_services_only},
            "password": {
                "neverExpires": user.password_never_expires,
                "requiresReset": False,
                "disablePassword": False,
            },
            "contact": {"firstName": user.first_name, "lastName": user.last_name, "email1": user.email},
            "entityAccess": {
                "allowUnrestrictedAccess": not user.entities,
                "allowTopLevelAccess": user.top_level_access,
            },
            "entities": [_ref("entity", entity_keys[entity], entity) for entity in user.entities],
            "entity": None,
            # "roles[] will be empty for companies that have user-based permissions" (OpenAPI).
            "roles": [_ref("role", role_keys[role], role) for role in user.roles],
            "permissionAssignments": [
                {"permission": self._permission_ref(app, policy), "accessRights": _rights(rights)}
                for (app, policy), rights in sorted(user.permissions.items())
            ],
            "sso": {"isSSOEnabled": False, "federatedSSOId": None},
            "href": f"{PREFIX}/user/{key}",
        }

    def roles(self) -> list[Record]:
        maps = self.role_user_maps()
        records = []
        for role in self.company.roles.values():
            key = str(role.record_no)
            records.append(
                {
                    "key": key,
                    "id": role.name,
                    "description": role.description,
                    "roleType": "enterprise",
                    "applyTo": "loginAndSlideIn",
                    "rolePermissionAssignments": [
                        {"permission": self._permission_full(app, policy), "accessRights": _rights(rights)}
                        for (app, policy), rights in sorted(role.permissions.items())
                    ],
                    "roleUsers": [
                        _ref("role-user-map", m["key"]) for m in maps if m["role"]["id"] == role.name
                    ],
                    "roleGroups": [
                        {"key": str(group.record_no), "id": group.name}
                        for group in self.company.groups.values()
                        if role.name in group.roles
                    ],
                    "href": f"{PREFIX}/role/{key}",
                }
            )
        return records

    def role_user_maps(self) -> list[Record]:
        """Created automatically from user.roles (OpenAPI): direct roles only; groups' roles are theirs."""
        rows: list[Record] = []
        for user in self.company.users.values():
            for name in user.roles:
                role = self.company.roles[name]
                key = str(len(rows) + 1)
                rows.append(
                    {
                        **_ref("role-user-map", key),
                        "role": {"key": str(role.record_no), "id": role.name},
                        "user": {"key": str(user.record_no), "id": user.login_id},
                    }
                )
        return rows

    def role_permission_assignments(self) -> list[Record]:
        rows: list[Record] = []
        for role in self.company.roles.values():
            for (app, policy), rights in sorted(role.permissions.items()):
                key = str(len(rows) + 1)
                rows.append(
                    {
                        **_ref("role-permission-assignment", key),
                        "role": {"key": str(role.record_no), "id": role.name},
                        "permission": self._permission_full(app, policy),
                        "accessRights": _rights(rights),
                    }
                )
        return rows

    def permissions(self) -> list[Record]:
        return [dict(record) for record in self._permissions.values()]

    def entities(self) -> list[Record]:
        return [
            {**_ref("entity", str(number), entity), "name": entity}
            for number, entity in enumerate(self.company.entities, start=1)
        ]

    def sandboxes(self) -> list[Record]:
        return [
            {
                **_ref("sandbox", str(number), sandbox.sandbox_id),
                "title": sandbox.sandbox_id,
                "name": sandbox.sandbox_id,
                "description": "",
                "state": sandbox.state,
                "expirationDate": "2027-01-31",
                "lastRefreshedDate": "2026-11-02",
            }
            for number, sandbox in enumerate(self.company.sandboxes, start=1)
        ]

    def company_preference(self) -> Record:
        c = self.company
        return {
            "key": "1",
            "id": c.company_id,
            "name": c.name,
            "permissionType": "userBased" if c.permission_type == "user" else "roleBased",
            "ipAddressFiltering": c.ip_filter_mode if c.ip_filter_enforced else "none",
            # The OpenAPI's defaults.
            "passwordSettings": {
                "maxLoginAttempts": 5,
                "changeFrequency": "quarterly",
                "passwordReuseHistoryLength": 4,
                "minLength": 8,
                "maxDailyChangeAttempts": 3,
                "maxFailAttemptsPerPasswordReset": 3,
            },
            "multifactorAuthentication": {
                "enableMultifactorAuthentication": "no",
                "multifactorAuthenticationUserMode": "selectedUsers",
                "disallowTrustedDevices": False,
            },
            "singleSignOn": {"enableSingleSignOn": False},
            "href": f"{PREFIX}/company-preference/setup",
        }

    def multi_entity_preference(self) -> Record:
        return {
            "restrictions": {
                "disableEntitySlideIn": self.company.slide_in_disabled,
                "restrictSubledgerTxnToEntity": False,
                "restrictGLTxnToEntity": False,
            },
            "isModuleConfigured": bool(self.company.entities),
            "href": f"{PREFIX}/multi-entity-preference/setup",
        }

    # -- permissions -----------------------------------------------------------------------------

    def _permission_catalog(self) -> dict[tuple[str, str], Record]:
        """Every (application, policy) any role or user of the company names, numbered in name order."""
        granted: dict[tuple[str, str], set[str]] = {}
        held = [role.permissions for role in self.company.roles.values()]
        held += [user.permissions for user in self.company.users.values()]
        for permissions in held:
            for name, rights in permissions.items():
                granted.setdefault(name, set()).update(rights)
        catalog = {}
        for number, (app, policy) in enumerate(sorted(granted), start=1):
            allowed = [
                *STANDARD_RIGHTS,
                *(r for r in _rights(granted[(app, policy)]) if r not in STANDARD_RIGHTS),
            ]
            catalog[(app, policy)] = {
                **_ref("permission", str(number), f"{_slug(app)}/{_slug(policy)}"),
                "module": app,
                "name": policy,
                "permissionGroup": app,
                "allowedAccessRights": allowed,
            }
        return catalog

    def _permission_ref(self, app: str, policy: str) -> Record:
        record = self._permissions[(app, policy)]
        return {"key": record["key"], "id": record["id"]}

    def _permission_full(self, app: str, policy: str) -> Record:
        record = self._permissions[(app, policy)]
        return {key: record[key] for key in ("key", "id", "name", "module")}


def _rights(rights: frozenset[str] | set[str]) -> list[str]:
    order = {right: index for index, right in enumerate(STANDARD_RIGHTS)}
    mapped = {access_right(right) for right in rights}
    return sorted(mapped, key=lambda right: (order.get(right, len(order)), right))
