"""Reads whose source is the REST API: facts the XML gateway hides (docs/rest.md).

A kind declares them like any other read (``rest_company()``, ``rest_user()``...); they resolve only for an
environment with REST access (``Subject.rest_username``), so without it a kind sees no reading and says
what REST access would add. Collection asks one token, then each read in turn (:func:`collect_rest`); a
refused token is every REST reading's problem, and no XML reading's. Values are plain JSON data, the
fields a check needs and nothing more (a company's SSO certificate never enters the evidence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_intacct.client import ErrorKind, GatewayUnavailable, Level
from pytest_intacct.client.rest import RestClient
from pytest_intacct.evidence.readings import Problem, Reading
from pytest_intacct.evidence.reads import Json, Login, Need, Subject
from pytest_intacct.safety.redaction import redact_values

# Sandboxes whose state is read one by one (each a GET); a company has a few at most.
MAX_SANDBOXES = 10


@dataclass(frozen=True)
class RestRead:
    """One REST read: its key, and how it fetches its plain-data value with a signed-in client."""

    key: str
    fetch: Callable[[RestClient], Json] = field(compare=False, repr=False)

    @property
    def source(self) -> Literal["rest"]:
        return "rest"


def rest_company(name: str = "rest_company") -> Need:
    """``company-preference/setup``: the permission type, the IP filter mode, password settings."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> RestRead | None:
        if not subject.rest_username:
            return None
        return RestRead("rest:company-preference", _company_preference)

    return Need(name, "REST company-preference (permission type, IP filter mode)", resolve, source="rest")


def rest_user(who: Login = "user", name: str = "rest_user") -> Need:
    """The login's REST user record (its key found by a query on ``id``, then read): status, user type,
    admin privileges, Web Services flags, password expiry, entity access; None if there is no such user."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> RestRead | None:
        login = subject.login(who)
        if not subject.rest_username or not login:
            return None
        return RestRead(f"rest:user/{login}", _user(login))

    return Need(name, f"the REST user record of the {who}", resolve, about_users=True, source="rest")


def rest_multi_entity(name: str = "rest_multi_entity") -> Need:
    """``multi-entity-preference/setup``: whether entity slide-in is disabled."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> RestRead | None:
        if not subject.rest_username:
            return None
        return RestRead("rest:multi-entity-preference", _multi_entity)

    return Need(name, "REST multi-entity-preference (entity slide-in)", resolve, source="rest")


def rest_sandboxes(name: str = "rest_sandboxes") -> Need:
    """The company's sandboxes and their states."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> RestRead | None:
        if not subject.rest_username:
            return None
        return RestRead("rest:sandbox", _sandboxes)

    return Need(name, "REST sandbox list (each sandbox's state)", resolve, source="rest")


def collect_rest(client: RestClient, reads: list[RestRead]) -> tuple[Reading, dict[str, Reading]]:
    """The token as a reading, then every read; never raises for what the API does. A refused token is
    the problem of every reading (none is sent without one)."""
    username = client.credentials.username
    try:
        token = client.sign_in()
    except Exception as error:
        refused = Reading(problem=Problem.from_exception(error), read_by=username)
        return refused, {read.key: refused for read in reads}
    facts = {
        "username": username,
        "client_id": client.credentials.client_id,
        "entity": client.credentials.entity_id or "",
        "expires_in": int(token.expires_in),
    }
    readings: dict[str, Reading] = {}
    for read in reads:
        try:
            # Redacted at the source, as every XML reading is (a secret echoed in a record goes nowhere).
            readings[read.key] = Reading(redact_values(read.fetch(client)), read_by=username)
        except Exception as error:
            readings[read.key] = Reading(problem=Problem.from_exception(error), read_by=username)
    return Reading(redact_values(facts), read_by=username), readings


# -- what each read keeps -----------------------------------------------------------------------------


def _contradiction(message: str) -> GatewayUnavailable:
    return _answer_problem(ErrorKind.CONTRADICTORY, message)


def _answer_problem(kind: ErrorKind, message: str) -> GatewayUnavailable:
    """Could not check, for what one read's answer says (the other reads stand)."""
    error = GatewayUnavailable(kind, message)
    error.level = Level.FUNCTION
    return error


def _key(row: Mapping[str, Any], what: str) -> str:
    """A reference's key, to read its record by: an answer without one is unreadable, never ``None``."""
    key = row.get("key")
    if isinstance(key, bool) or not isinstance(key, str | int) or str(key) == "":
        raise _answer_problem(ErrorKind.UNREADABLE, f"{what} without a key")
    return str(key)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _group(record: Mapping[str, Any], name: str, fields: tuple[str, ...]) -> dict[str, Json]:
    group = record.get(name)
    group = group if isinstance(group, dict) else {}
    return {key: _flag(group.get(key)) for key in fields}


def _ids(value: object) -> list[Json]:
    items = value if isinstance(value, list) else []
    return [str(item["id"]) for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def _company_preference(client: RestClient) -> Json:
    record = client.record("company-config/company-preference", "setup")
    password = record.get("passwordSettings")
    password = password if isinstance(password, dict) else {}
    return {
        "permissionType": _text(record.get("permissionType")),
        "ipAddressFiltering": _text(record.get("ipAddressFiltering")),
        "passwordSettings": {
            "changeFrequency": _text(password.get("changeFrequency")),
            "maxLoginAttempts": password.get("maxLoginAttempts")
            if type(password.get("maxLoginAttempts")) is int
            else None,
        },
    }


def _user(login: str) -> Callable[[RestClient], Json]:
    def fetch(client: RestClient) -> Json:
        # Nested fields in a query are unconfirmed (docs/rest.md): find the key by id, then read the record.
        rows = client.query(
            "company-config/user",
            ["key", "id"],
            [{"$eq": {"id": login}}],
            parameters={"caseSensitiveComparison": False},
            size=10,
        )
        mine = [row for row in rows if str(row.get("id", "")).casefold() == login.casefold()]
        if rows and not mine:
            raise _contradiction(f"the REST query for user {login!r} answered for {rows[0].get('id')!r}")
        if len({_key(row, f"the REST query's user {login!r}") for row in mine}) > 1:
            raise _contradiction(f"the REST query finds {len(mine)} users {login!r}")
        if not mine:
            return None
        record = client.record("company-config/user", _key(mine[0], f"the REST query's user {login!r}"))
        if str(record.get("id", "")).casefold() != login.casefold():
            raise _contradiction(f"the REST user record asked for {login!r} is {record.get('id')!r}'s")
        return {
            "id": _text(record.get("id")),
            "key": _text(record.get("key")),
            "status": _text(record.get("status")),
            "userType": _text(record.get("userType")),
            "adminPrivileges": _text(record.get("adminPrivileges")),
            "webServices": _group(record, "webServices", ("isEnabled", "isRestricted")),
            "password": _group(record, "password", ("neverExpires", "requiresReset", "disablePassword")),
            "entityAccess": _group(
                record, "entityAccess", ("allowUnrestrictedAccess", "allowTopLevelAccess")
            ),
            "entities": _ids(record.get("entities")),
            "roles": _ids(record.get("roles")),
        }

    return fetch


def _multi_entity(client: RestClient) -> Json:
    record = client.record("company-config/multi-entity-preference", "setup")
    return {
        "disableEntitySlideIn": _group(record, "restrictions", ("disableEntitySlideIn",))[
            "disableEntitySlideIn"
        ],
        "isModuleConfigured": _flag(record.get("isModuleConfigured")),
    }


def _sandboxes(client: RestClient) -> Json:
    refs = client.references("company-config/sandbox")
    sandboxes: list[Json] = []
    for index, ref in enumerate(refs):
        state = None
        if index < MAX_SANDBOXES:
            key = _key(ref, "a sandbox reference")
            state = _text(client.record("company-config/sandbox", key).get("state"))
        sandboxes.append({"id": _text(ref.get("id")), "state": state})
    return sandboxes


def unreached(problem: Problem) -> Problem:
    """The REST token's problem when the gateway's host did not answer the XML sign-in: not tried."""
    return Problem(
        problem.kind,
        problem.level,
        f"not tried: the host did not answer the XML sign-in ({problem.message})",
    )


__all__ = [
    "MAX_SANDBOXES",
    "RestRead",
    "collect_rest",
    "rest_company",
    "rest_multi_entity",
    "rest_sandboxes",
    "rest_user",
    "unreached",
]
