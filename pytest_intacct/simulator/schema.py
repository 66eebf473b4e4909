"""Validation of a merged scenario document, and the building of the model from it.

Errors raise :class:`ModelError` with the offending key path; ``scenario.py`` turns it into a
``ScenarioError`` naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from typing import Any

from .catalog import BUSINESS_OBJECTS, LIST_SEPARATOR
from .model import (
    AuthorizedClient,
    Company,
    FaultSettings,
    GatewaySettings,
    QueuedFault,
    RestApplication,
    Rights,
    Role,
    Sandbox,
    Scenario,
    ScenarioLogin,
    Sender,
    User,
    UserGroup,
)

Path = tuple[str | int, ...]

# USERINFO values as the XML API writes them (docs/gateway.md#users).
USER_TYPES = (
    "business user",
    "employee user",
    "view only user",
    "dashboard user",
    "project manager user",
    "construction manager user",
    "platform user",
    "warehouse user",
    "payment approver",
    "CRM user",
)
ADMIN_LEVELS = ("Full", "Limited", "Off")
USER_STATUSES = ("active", "inactive", "lockedout")
SIGN_IN_FORMS = ("http401", "legacy")
# get_applications' own example (developer.intacct.com/api/company-console/subscriptions): a company that
# names no subscriptions has these.
DEFAULT_SUBSCRIPTIONS = ("CO", "CM", "GL", "AP")
FAULT_KINDS = ("http", "reset", "truncate", "throttle", "drip")
# company-preference.ipAddressFiltering while filters are enforced (Sage's company-configuration OpenAPI).
IP_FILTER_MODES = ("companyLevel", "companyLevelOverrideUserLevel", "userLevel")
SANDBOX_STATES = ("ready", "inProgress", "pending", "failed")


class ModelError(Exception):
    """A scenario value is invalid; ``path`` names the key."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


# --- generic checks ------------------------------------------------------------------------------


def _table(value: Any, path: Path, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(path, "expected a table")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise ModelError((*path, key), f"unknown key (expected one of: {', '.join(allowed)})")
    return value


def _get(
    table: dict[str, Any], key: str, path: Path, kind: type | tuple[type, ...], default: Any = None
) -> Any:
    if key not in table:
        if default is None:
            raise ModelError((*path, key), "required key is missing")
        return default
    value = table[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ModelError((*path, key), "expected a number")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ModelError((*path, key), f"expected {names}, got {type(value).__name__}")
    return value


def _choice(table: dict[str, Any], key: str, path: Path, choices: tuple[str, ...], default: str) -> str:
    value = _get(table, key, path, str, default)
    if value not in choices:
        raise ModelError((*path, key), f"{value!r} is not one of: {', '.join(choices)}")
    return value


def _strings(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    values = _get(table, key, path, list, [])
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise ModelError((*path, key, index), "expected a string")
    return tuple(values)


def _permissions(value: Any, path: Path) -> Rights:
    """``{application: {policy: [rights]}}`` -> ``{(application, policy): rights}``; ``[]`` grants nothing."""
    rights: dict[tuple[str, str], frozenset[str]] = {}
    for application, policies in _table(value, path).items():
        for policy, granted in _table(policies, (*path, application)).items():
            where = (*path, application, policy)
            if not isinstance(granted, list) or not all(isinstance(right, str) for right in granted):
                raise ModelError(where, 'expected a list of rights such as ["List", "View"]')
            if granted:
                rights[(application, policy)] = frozenset(granted)
    return rights


# --- builders ------------------------------------------------------------------------------------


def build(name: str, path: str, document: dict[str, Any]) -> Scenario:
    """Validate a merged scenario document and build the model."""
    top = _table(
        document,
        (),
        (
            "extends",
            "description",
            "profile",
            "logins",
            "senders",
            "rest_clients",
            "companies",
            "records",
            "gateway",
            "faults",
        ),
    )
    shared = _records(top.get("records", {}), ("records",))
    senders = {
        sender_id: _sender(sender_id, raw, ("senders", sender_id))
        for sender_id, raw in _table(top.get("senders", {}), ("senders",)).items()
    }
    applications = {
        client_id: _application(client_id, raw, ("rest_clients", client_id))
        for client_id, raw in _table(top.get("rest_clients", {}), ("rest_clients",)).items()
    }
    companies = {
        company_id: _company(company_id, raw, ("companies", company_id), shared)
        for company_id, raw in _table(_get(top, "companies", (), dict), ("companies",)).items()
    }
    raw_logins = _get(top, "logins", (), list)
    if not raw_logins:
        raise ModelError(("logins",), "at least one login is required; the first is the primary one")
    logins = tuple(_login(raw, ("logins", index)) for index, raw in enumerate(raw_logins))
    names = [login.name for login in logins]
    for index, login_name in enumerate(names):
        if names.index(login_name) != index:
            raise ModelError(("logins", index, "name"), f"duplicate login name {login_name!r}")
    return Scenario(
        name=name,
        path=path,
        description=_get(top, "description", (), str, ""),
        profile=_get(top, "profile", (), str, ""),
        senders=senders,
        companies=companies,
        rest_applications=applications,
        logins=logins,
        gateway=_gateway(top.get("gateway", {}), ("gateway",)),
        faults=_faults(top.get("faults", {}), ("faults",)),
    )


def _sender(sender_id: str, raw: Any, path: Path) -> Sender:
    table = _table(raw, path, ("password", "active"))
    return Sender(sender_id, _get(table, "password", path, str), _get(table, "active", path, bool, True))


def _application(client_id: str, raw: Any, path: Path) -> RestApplication:
    table = _table(raw, path, ("secret",))
    return RestApplication(client_id, _get(table, "secret", path, str))


def _login(raw: Any, path: Path) -> ScenarioLogin:
    required = ("name", "sender_id", "sender_password", "company_id", "user_id", "user_password")
    auditor = ("auditor_user_id", "auditor_user_password")
    rest = ("rest_client_id", "rest_client_secret")
    table = _table(raw, path, (*required, "entity", "developer_user_id", *auditor, *rest, "rest_username"))
    values = {key: _get(table, key, path, str) for key in required}
    auditor_user, auditor_password = (_get(table, key, path, str, "") or None for key in auditor)
    if (auditor_user is None) != (auditor_password is None):
        raise ModelError(
            (*path, "auditor_user_id"),
            "an auditor login needs both auditor_user_id and auditor_user_password",
        )
    client_id, client_secret = (_get(table, key, path, str, "") or None for key in rest)
    if (client_id is None) != (client_secret is None):
        raise ModelError(
            (*path, "rest_client_id"), "REST access needs both rest_client_id and rest_client_secret"
        )
    rest_username = _get(table, "rest_username", path, str, "") or None
    if rest_username is not None and client_id is None:
        raise ModelError(
            (*path, "rest_username"), "rest_username needs rest_client_id and rest_client_secret"
        )
    return ScenarioLogin(
        entity_id=_get(table, "entity", path, str, "") or None,
        developer_user_id=_get(table, "developer_user_id", path, str, "") or None,
        auditor_user_id=auditor_user,
        auditor_user_password=auditor_password,
        rest_client_id=client_id,
        rest_client_secret=client_secret,
        rest_username=rest_username,
        **values,
    )


def _company(company_id: str, raw: Any, path: Path, shared: dict[str, tuple]) -> Company:
    keys = (
        "name",
        "web_services",
        "authorized_senders",
        "ip_filter",
        "permission_type",
        "entities",
        "users",
        "roles",
        "groups",
        "records",
        "subscriptions",
        "authorized_clients",
        "slide_in_disabled",
        "sandboxes",
    )
    table = _table(raw, path, keys)
    permission_type = _choice(table, "permission_type", path, ("role", "user"), "role")
    authorized = {}
    for sender_id, status in _table(
        table.get("authorized_senders", {}), (*path, "authorized_senders")
    ).items():
        if status not in ("active", "inactive"):
            raise ModelError((*path, "authorized_senders", sender_id), 'expected "active" or "inactive"')
        authorized[sender_id] = status == "active"
    ip_path = (*path, "ip_filter")
    ip_filter = _table(table.get("ip_filter", {}), ip_path, ("enforced", "mode", "allowed"))
    allowed = _strings(ip_filter, "allowed", ip_path)
    for index, address in enumerate(allowed):
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise ModelError(
                (*ip_path, "allowed", index), f"{address!r} is not an IP address or network"
            ) from None
    roles = _roles(table.get("roles", {}), (*path, "roles"), permission_type)
    entities = _strings(table, "entities", path)
    users = _users(table.get("users", {}), (*path, "users"), permission_type, roles, entities)
    groups = _groups(table.get("groups", {}), (*path, "groups"), permission_type, users, roles)
    records = {**shared, **_records(table.get("records", {}), (*path, "records"))}
    clients = _authorized_clients(table.get("authorized_clients", {}), (*path, "authorized_clients"), users)
    return Company(
        company_id=company_id,
        name=_get(table, "name", path, str, company_id),
        web_services=_get(table, "web_services", path, bool, True),
        authorized_senders=authorized,
        ip_filter_enforced=_get(ip_filter, "enforced", ip_path, bool, False),
        ip_allowed=allowed,
        permission_type=permission_type,
        entities=entities,
        users=users,
        roles=roles,
        groups=groups,
        records=records,
        subscriptions=_strings(table, "subscriptions", path)
        if "subscriptions" in table
        else DEFAULT_SUBSCRIPTIONS,
        ip_filter_mode=_choice(ip_filter, "mode", ip_path, IP_FILTER_MODES, "companyLevel"),
        authorized_clients=clients,
        slide_in_disabled=_get(table, "slide_in_disabled", path, bool, False),
        sandboxes=_sandboxes(table.get("sandboxes", []), (*path, "sandboxes")),
    )


def _authorized_clients(raw: Any, path: Path, users: Mapping[str, User]) -> dict[str, AuthorizedClient]:
    """Company > Security > Authorized client applications: client ID -> status and Web Services user."""
    clients = {}
    for client_id, value in _table(raw, path).items():
        where = (*path, client_id)
        table = _table(value, where, ("status", "user"))
        user = _get(table, "user", where, str, "") or None
        if user is not None and user not in users:
            raise ModelError((*where, "user"), f"no user {user!r} in this company")
        active = _choice(table, "status", where, ("active", "inactive"), "active") == "active"
        clients[client_id] = AuthorizedClient(active, user)
    return clients


def _sandboxes(raw: Any, path: Path) -> tuple[Sandbox, ...]:
    if not isinstance(raw, list):
        raise ModelError(path, 'expected an array of tables such as [{ id = "ACME-sbx", state = "ready" }]')
    sandboxes = []
    for index, item in enumerate(raw):
        table = _table(item, (*path, index), ("id", "state"))
        state = _choice(table, "state", (*path, index), SANDBOX_STATES, "ready")
        sandboxes.append(Sandbox(_get(table, "id", (*path, index), str), state))
    return tuple(sandboxes)


def _roles(raw: Any, path: Path, permission_type: str) -> dict[str, Role]:
    roles = {}
    for number, (name, value) in enumerate(_table(raw, path).items(), start=1):
        if permission_type == "user":
            raise ModelError(
                (*path, name), 'roles exist only in role-based companies (permission_type = "role")'
            )
        table = _table(value, (*path, name), ("description", "permissions"))
        roles[name] = Role(
            name=name,
            record_no=number,
            description=_get(table, "description", (*path, name), str, ""),
            permissions=_permissions(table.get("permissions", {}), (*path, name, "permissions")),
        )
    return roles


def _users(
    raw: Any, path: Path, permission_type: str, roles: Mapping[str, Role], entities: tuple[str, ...]
) -> dict[str, User]:
    keys = (
        "password",
        "status",
        "user_type",
        "admin",
        "web_services_only",
        "first_name",
        "last_name",
        "email",
        "roles",
        "permissions",
        "entities",
        "password_never_expires",
        "top_level_access",
    )
    users = {}
    for number, (login_id, value) in enumerate(_table(raw, path).items(), start=1):
        where = (*path, login_id)
        table = _table(value, where, keys)
        user_roles = _strings(table, "roles", where)
        for index, role in enumerate(user_roles):
            if role not in roles:
                raise ModelError((*where, "roles", index), f"no role named {role!r} in this company")
        if "permissions" in table and permission_type == "role":
            raise ModelError((*where, "permissions"), "direct permissions exist only in user-based companies")
        restricted = _strings(table, "entities", where)
        for index, entity in enumerate(restricted):
            if entity not in entities or LIST_SEPARATOR in entity:
                raise ModelError(
                    (*where, "entities", index), f"no entity {entity!r} in this company's entities"
                )
        user_type = _choice(table, "user_type", where, USER_TYPES, "business user")
        admin = _choice(table, "admin", where, ADMIN_LEVELS, "Off")
        if admin != "Off" and user_type != "business user":
            # Full and limited admins must be business users (docs/gateway.md#users).
            raise ModelError((*where, "admin"), 'admin privileges require user_type = "business user"')
        users[login_id] = User(
            login_id=login_id,
            password=_get(table, "password", where, str),
            record_no=number,
            status=_choice(table, "status", where, USER_STATUSES, "active"),
            user_type=user_type,
            admin=admin,
            web_services_only=_get(table, "web_services_only", where, bool, False),
            first_name=_get(table, "first_name", where, str, ""),
            last_name=_get(table, "last_name", where, str, ""),
            email=_get(table, "email", where, str, ""),
            roles=user_roles,
            permissions=_permissions(table.get("permissions", {}), (*where, "permissions")),
            entities=restricted,
            password_never_expires=_get(table, "password_never_expires", where, bool, False),
            top_level_access=_get(table, "top_level_access", where, bool, True),
        )
    return users


def _groups(
    raw: Any, path: Path, permission_type: str, users: Mapping[str, User], roles: Mapping[str, Role]
) -> dict[str, UserGroup]:
    groups = {}
    for number, (name, value) in enumerate(_table(raw, path).items(), start=1):
        where = (*path, name)
        table = _table(value, where, ("description", "members", "roles"))
        members = _strings(table, "members", where)
        for index, member in enumerate(members):
            if member not in users:
                raise ModelError((*where, "members", index), f"no user {member!r} in this company")
        group_roles = _strings(table, "roles", where)
        for index, role in enumerate(group_roles):
            if role not in roles:
                raise ModelError((*where, "roles", index), f"no role named {role!r} in this company")
        groups[name] = UserGroup(
            name, number, _get(table, "description", where, str, ""), members, group_roles
        )
    return groups


def _value(value: Any, path: Path) -> str:
    # Dates in data are MM/DD/YYYY [HH:MM:SS] (docs/gateway.md#results); booleans are written true/false.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, str | int | float):
        return str(value)
    raise ModelError(path, "expected a string, number, boolean or date")


def _flatten(table: dict[str, Any], path: Path, prefix: str = "") -> dict[str, str]:
    """TOML dotted keys (``CONTACT.EMAIL1 = ...``) become Intacct's dotted field names."""
    fields: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key.upper()}"
        if isinstance(value, dict):
            fields.update(_flatten(value, (*path, key), f"{name}."))
        else:
            fields[name] = _value(value, (*path, key))
    return fields


def _records(raw: Any, path: Path) -> dict[str, tuple[dict[str, str], ...]]:
    known = {item.name: item for item in BUSINESS_OBJECTS}
    records = {}
    for object_name, rows in _table(raw, path).items():
        where = (*path, object_name)
        if object_name not in known:
            raise ModelError(where, f"not a simulated business object (one of: {', '.join(known)})")
        if not isinstance(rows, list):
            raise ModelError(where, "expected an array of tables ([[records.OBJECT]])")
        seen: set[str] = set()
        built = []
        for index, row in enumerate(rows):
            table = _table(row, (*where, index))
            number = _get(table, "RECORDNO", (*where, index), int)
            if str(number) in seen:
                raise ModelError((*where, index, "RECORDNO"), f"duplicate RECORDNO {number}")
            seen.add(str(number))
            built.append(_flatten(table, (*where, index)))
        records[object_name] = tuple(built)
    return records


def _gateway(raw: Any, path: Path) -> GatewaySettings:
    keys = (
        "sign_in_failure",
        "descriptive_errors",
        "session_duration",
        "invalid_session_text",
        "strict_session_endpoint",
        "token_lifetime",
    )
    table = _table(raw, path, keys)
    duration = _get(table, "session_duration", path, int, 3600)
    if duration < 1:
        raise ModelError((*path, "session_duration"), "expected a positive number of seconds")
    lifetime = _get(table, "token_lifetime", path, int, 3600)
    if lifetime < 1:
        raise ModelError((*path, "token_lifetime"), "expected a positive number of seconds")
    return GatewaySettings(
        sign_in_failure=_choice(table, "sign_in_failure", path, SIGN_IN_FORMS, "http401"),
        descriptive_errors=_get(table, "descriptive_errors", path, bool, False),
        session_duration=duration,
        invalid_session_text=_get(table, "invalid_session_text", path, str, "Invalid session"),
        strict_session_endpoint=_get(table, "strict_session_endpoint", path, bool, False),
        token_lifetime=lifetime,
    )


def _faults(raw: Any, path: Path) -> FaultSettings:
    table = _table(
        raw, path, ("latency", "rate_limit", "concurrency_limit", "fail_every", "fail_status", "next")
    )
    queued = []
    for index, item in enumerate(_get(table, "next", path, list, [])):
        where = (*path, "next", index)
        entry = _table(item, where, ("kind", "count", "status"))
        queued.append(
            QueuedFault(
                kind=_choice(entry, "kind", where, FAULT_KINDS, "http"),
                count=_get(entry, "count", where, int, 1),
                status=_get(entry, "status", where, int, 503),
            )
        )
    return FaultSettings(
        latency=float(_get(table, "latency", path, (int, float), 0.0)),
        rate_limit=_get(table, "rate_limit", path, int, 0),
        concurrency_limit=_get(table, "concurrency_limit", path, int, 0),
        fail_every=_get(table, "fail_every", path, int, 0),
        fail_status=_get(table, "fail_status", path, int, 503),
        queued=tuple(queued),
    )
