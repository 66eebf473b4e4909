"""Profiles: a runbook's requirements as data, loaded from TOML and validated before any check runs.

A profile names the runbook it encodes, its ``[parameters]`` (the values a customer may change, such as the
Sender ID) and its ``[[requirements]]`` in runbook order. A string in a requirement's ``params`` written as
``"$name"`` takes the value of the profile parameter ``name``, so a copied profile is customised in one place.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")
AREAS = ("access", "user", "permissions", "across-environments")
ENVIRONMENT_KINDS = ("all", "test", "production")


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


# Check kind -> (required params, optional params). A new check kind is one line here.
CHECK_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "web-services-subscription": (_names(), _names()),
    "sender-authorized": (_names("sender_id"), _names()),
    "ip-allowlist": (_names(), _names("address_of")),
    "user-login": (_names(), _names()),
    "user-active": (_names(), _names()),
    "user-type": (_names("expected"), _names()),
    "user-web-services-only": (_names(), _names()),
    "user-admin": (_names("expected"), _names()),
    "role-assigned": (_names(), _names("role")),
    "permission": (_names("application", "policy", "right"), _names("object")),
    "user-id": (_names("expected"), _names()),
    "user-email-domain": (_names("domain"), _names()),
    "developer-user": (_names("mode"), _names()),
    "attestation": (_names("statement"), _names()),
    "sender-id-consistent": (_names(), _names()),
    "ws-user-per-environment": (_names(), _names()),
}
# Every param is a non-empty string, except these lists of non-empty strings ...
LIST_PARAMS = _names("application")
# ... and these strings, where empty has a meaning: sender_id "" accepts the Sender ID the environment is
# configured with (Calance: each client company buys its own Sender ID from Intacct).
MAY_BE_EMPTY = _names("sender_id")
PARAM_CHOICES: dict[str, tuple[str, ...]] = {"mode": ("test-data", "read-only")}

_BUILTIN_DIR = Path(__file__).parent
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARAMETER_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_REFERENCE = re.compile(r"^\$([a-z_][a-z0-9_]*)$")
_TYPE_NAMES = {str: "string", int: "integer", float: "float", list: "array", dict: "table"}
_PROFILE_KEYS = {"name": str, "title": str, "source": str, "parameters": dict, "requirements": list}
_PROFILE_REQUIRED = ("name", "title", "source", "requirements")
_REQUIREMENT_KEYS = {
    "id": str,
    "title": str,
    "runbook_step": str,
    "severity": str,
    "area": str,
    "check": str,
    "params": dict,
    "remediation": str,
    "environments": str,
    "when": str,
}
_REQUIREMENT_REQUIRED = ("id", "title", "runbook_step", "severity", "area", "check", "remediation")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the requirement and the offending key."""


@dataclass(frozen=True)
class Requirement:
    """One documented runbook requirement, checked by the check kind ``check`` with ``params``."""

    id: str
    title: str
    runbook_step: str
    severity: str
    area: str
    check: str
    params: Mapping[str, Any] = field(hash=False)
    remediation: str
    environments: str = "all"
    when: str | None = None


@dataclass(frozen=True)
class Profile:
    """A runbook as an ordered set of requirements."""

    name: str
    title: str
    source: str
    path: Path
    parameters: Mapping[str, str | bool | int | float] = field(hash=False)
    requirements: tuple[Requirement, ...]

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id; KeyError if the profile has none."""
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"profile {self.name!r} has no requirement {requirement_id!r}")

    def by_area(self, area: str) -> tuple[Requirement, ...]:
        """The requirements of one area (suite file), in profile order."""
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}; areas: {', '.join(AREAS)}")
        return tuple(requirement for requirement in self.requirements if requirement.area == area)


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with the plugin."""
    return sorted(path.stem for path in _BUILTIN_DIR.glob("*.toml"))


def load_profile(ref: str | os.PathLike[str]) -> Profile:
    """Load and validate a built-in profile by name, or a profile file by path; raise ProfileError."""
    builtin = isinstance(ref, str) and ref in builtin_profiles()
    path = _BUILTIN_DIR / f"{ref}.toml" if builtin else Path(ref).absolute()
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        known = ", ".join(builtin_profiles())
        raise ProfileError(
            f"profile {path}: no such file, and {str(ref)!r} is not a built-in profile ({known})"
        ) from None
    except OSError as exc:
        raise ProfileError(f"profile {path}: cannot read the file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path}: invalid TOML: {exc}") from exc
    return _parse_profile(path, data)


def _parse_profile(path: Path, data: dict[str, Any]) -> Profile:
    where = f"profile {path}"
    _check_keys(where, data, _PROFILE_KEYS, _PROFILE_REQUIRED)
    _check_slug(where, "name", data["name"])
    for key in ("title", "source"):
        _check_line(where, key, data[key])
    parameters = _parse_parameters(where, data.get("parameters", {}))
    if not data["requirements"]:
        raise ProfileError(f"{where}: key 'requirements' must list at least one requirement")
    requirements: dict[str, Requirement] = {}
    for number, table in enumerate(data["requirements"], start=1):
        requirement = _parse_requirement(where, number, table, parameters)
        if requirement.id in requirements:
            raise ProfileError(
                f"{where}: requirement '{requirement.id}': key 'id' is used twice; ids are unique"
            )
        requirements[requirement.id] = requirement
    return Profile(
        name=data["name"],
        title=data["title"],
        source=data["source"],
        path=path,
        parameters=parameters,
        requirements=tuple(requirements.values()),
    )


def _parse_parameters(where: str, table: dict[str, Any]) -> Mapping[str, str | bool | int | float]:
    for name, value in table.items():
        if not _PARAMETER_NAME.match(name):
            raise ProfileError(f"{where}: key 'parameters.{name}' must be a lowercase name like 'sender_id'")
        if not isinstance(value, str | bool | int | float):
            raise ProfileError(
                f"{where}: key 'parameters.{name}' must be a string, boolean or number, "
                f"got {_toml_type(value)}"
            )
    return MappingProxyType(dict(table))


def _parse_requirement(profile: str, number: int, table: Any, parameters: Mapping[str, Any]) -> Requirement:
    where = f"{profile}: requirement #{number}"
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: must be a table ([[requirements]]), got {_toml_type(table)}")
    if isinstance(table.get("id"), str) and _SLUG.match(table["id"]):
        where = f"{profile}: requirement '{table['id']}'"
    _check_keys(where, table, _REQUIREMENT_KEYS, _REQUIREMENT_REQUIRED)
    _check_slug(where, "id", table["id"])
    for key in ("title", "runbook_step", "remediation"):
        _check_line(where, key, table[key])
    _check_choice(where, "severity", table["severity"], SEVERITIES)
    _check_choice(where, "area", table["area"], AREAS)
    environments = table.get("environments", "all")
    _check_choice(where, "environments", environments, ENVIRONMENT_KINDS)
    when = table.get("when")
    if when is not None and not isinstance(parameters.get(when), bool):
        flags = ", ".join(name for name, value in parameters.items() if isinstance(value, bool)) or "none"
        raise ProfileError(
            f"{where}: key 'when' must name a boolean profile parameter, got {when!r}; "
            f"boolean parameters: {flags}"
        )
    check = table["check"]
    if check not in CHECK_PARAMS:
        raise ProfileError(f"{where}: unknown check {check!r}; known checks: {', '.join(CHECK_PARAMS)}")
    return Requirement(
        id=table["id"],
        title=table["title"],
        runbook_step=table["runbook_step"],
        severity=table["severity"],
        area=table["area"],
        check=check,
        params=_parse_params(where, check, table.get("params", {}), parameters),
        remediation=table["remediation"],
        environments=environments,
        when=when,
    )


def _parse_params(
    where: str, check: str, table: dict[str, Any], parameters: Mapping[str, Any]
) -> Mapping[str, Any]:
    required, optional = CHECK_PARAMS[check]
    for key in table:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional)) or "none"
            raise ProfileError(
                f"{where}: key 'params.{key}' is not a param of check '{check}'; its params: {allowed}"
            )
    missing = sorted(required - table.keys())
    if missing:
        raise ProfileError(f"{where}: missing key 'params.{missing[0]}', required by check '{check}'")
    params: dict[str, Any] = {}
    for key, value in table.items():
        if key in LIST_PARAMS:
            params[key] = _list_param(where, key, value)
        else:
            params[key] = _string_param(where, key, value, parameters)
    return MappingProxyType(params)


def _list_param(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not (isinstance(value, list) and value and all(isinstance(item, str) and item for item in value)):
        raise ProfileError(f"{where}: key 'params.{key}' must be a non-empty array of non-empty strings")
    return tuple(value)


def _string_param(where: str, key: str, value: Any, parameters: Mapping[str, Any]) -> str:
    reference = _REFERENCE.match(value) if isinstance(value, str) else None
    if reference:
        name = reference.group(1)
        if name not in parameters:
            known = ", ".join(parameters) or "none"
            raise ProfileError(
                f"{where}: key 'params.{key}' refers to {value!r}, but the profile has no parameter "
                f"'{name}'; parameters: {known}"
            )
        value = parameters[name]
    if not isinstance(value, str):
        raise ProfileError(f"{where}: key 'params.{key}' must be a string, got {_toml_type(value)}")
    if not value and key not in MAY_BE_EMPTY:
        raise ProfileError(f"{where}: key 'params.{key}' must not be empty")
    if key in PARAM_CHOICES:
        _check_choice(where, f"params.{key}", value, PARAM_CHOICES[key])
    return value


def _check_keys(where: str, table: dict[str, Any], types: dict[str, type], required: tuple[str, ...]) -> None:
    for key in table:
        if key not in types:
            raise ProfileError(f"{where}: unknown key '{key}'; expected keys: {', '.join(types)}")
    for key in required:
        if key not in table:
            raise ProfileError(f"{where}: missing key '{key}'")
    for key, value in table.items():
        if not isinstance(value, types[key]):
            raise ProfileError(
                f"{where}: key '{key}' must be a {_TYPE_NAMES[types[key]]}, got {_toml_type(value)}"
            )


def _check_slug(where: str, key: str, value: str) -> None:
    if not _SLUG.match(value):
        raise ProfileError(
            f"{where}: key '{key}' must be a lowercase slug like 'sender-authorized', got {value!r}"
        )


def _check_line(where: str, key: str, value: str) -> None:
    if not value.strip() or "\n" in value:
        raise ProfileError(f"{where}: key '{key}' must be one non-empty line")


def _check_choice(where: str, key: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ProfileError(f"{where}: key '{key}' must be one of {', '.join(choices)}, got {value!r}")


def _toml_type(value: Any) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    return _TYPE_NAMES.get(type(value), "date/time")
