"""A profile file's own structure: its keys, their types and shapes, parameters and ``$name`` references.

Every problem is collected, not just the first: ``parse`` returns the profile it could build (requirements
with a problem left out) and the problems, each naming the requirement and the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pytest_intacct.profiles.model import ENVIRONMENT_KINDS, Custom, Profile, Requirement
from pytest_intacct.profiles.names import AREAS, SEVERITIES
from pytest_intacct.safety.text import outside_text

# Matched whole (fullmatch): "$" alone would accept a trailing newline.
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_REFERENCE = re.compile(r"\$([a-z_][a-z0-9_]*)")
_TYPE_NAMES = {str: "string", int: "integer", float: "float", list: "array", tuple: "array", dict: "table"}
_PROFILE_KEYS = {
    "name": str,
    "title": str,
    "source": str,
    "parameters": dict,
    "custom": dict,
    "requirements": list,
}
_PROFILE_REQUIRED = ("name", "title", "source", "requirements")
_CUSTOM_KEYS = {"objects": list, "policies": list}
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


def parse(path: Path, data: dict[str, Any]) -> tuple[Profile | None, list[str]]:
    """The profile ``data`` describes and every problem found in it (None when its own keys are wrong)."""
    problems: list[str] = []
    if not _keys_ok("", data, _PROFILE_KEYS, _PROFILE_REQUIRED, problems):
        return None, problems
    _slug("", "name", data["name"], problems)
    for key in ("title", "source"):
        _line("", key, data[key], problems)
    parameters = _parameters(data.get("parameters", {}), problems)
    custom = _custom(data.get("custom", {}), problems)
    if not data["requirements"]:
        problems.append("key 'requirements' must list at least one requirement")
    requirements: dict[str, Requirement] = {}
    for number, table in enumerate(data["requirements"], start=1):
        requirement = _requirement(number, table, parameters, problems)
        if requirement is None:
            continue
        if requirement.id in requirements:
            problems.append(f"requirement '{requirement.id}': key 'id' is used twice; ids are unique")
            continue
        requirements[requirement.id] = requirement
    profile = Profile(
        name=data["name"],
        title=outside_text(data["title"]),
        source=outside_text(data["source"]),
        path=path,
        parameters=parameters,
        requirements=tuple(requirements.values()),
        custom=custom,
    )
    return profile, problems


def _parameters(table: dict[str, Any], problems: list[str]) -> Mapping[str, str | bool | int | float]:
    valid = {}
    for name, value in table.items():
        if not _PARAMETER_NAME.fullmatch(name):
            problems.append(f"key 'parameters.{name}' must be a lowercase name like 'sender_id'")
        elif not isinstance(value, str | bool | int | float):
            problems.append(
                f"key 'parameters.{name}' must be a string, boolean or number, got {toml_type(value)}"
            )
        else:
            valid[name] = value
    return MappingProxyType(valid)


def _custom(table: dict[str, Any], problems: list[str]) -> Custom:
    """``[custom]``: the customer's own object and policy names, which Intacct's vocabulary cannot know."""
    if not _keys_ok("", table, _CUSTOM_KEYS, (), problems, table_name="custom."):
        return Custom()
    names = {}
    for key in _CUSTOM_KEYS:
        values = table.get(key, [])
        if not all(isinstance(value, str) and value.strip() for value in values):
            problems.append(f"key 'custom.{key}' must be an array of non-empty strings")
            values = []
        names[key] = frozenset(values)
    return Custom(objects=names["objects"], policies=names["policies"])


def _requirement(
    number: int, table: Any, parameters: Mapping[str, Any], problems: list[str]
) -> Requirement | None:
    """The requirement, or None with its problems noted."""
    if not isinstance(table, dict):
        problems.append(f"requirement #{number}: must be a table ([[requirements]]), got {toml_type(table)}")
        return None
    named = isinstance(table.get("id"), str) and SLUG.fullmatch(table["id"])
    where = f"requirement '{table['id']}'" if named else f"requirement #{number}"
    found: list[str] = []
    if not _keys_ok(where, table, _REQUIREMENT_KEYS, _REQUIREMENT_REQUIRED, found):
        problems += found
        return None
    _slug(where, "id", table["id"], found)
    for key in ("title", "runbook_step", "remediation"):
        _line(where, key, table[key], found)
    _choice(where, "severity", table["severity"], SEVERITIES, found)
    _choice(where, "area", table["area"], AREAS, found)
    environments = table.get("environments", "all")
    _choice(where, "environments", environments, ENVIRONMENT_KINDS, found)
    when = table.get("when")
    if when is not None and not isinstance(parameters.get(when), bool):
        flags = ", ".join(name for name, value in parameters.items() if isinstance(value, bool)) or "none"
        found.append(
            f"{where}: key 'when' must name a boolean profile parameter, got {when!r}; "
            f"boolean parameters: {flags}"
        )
    _slug(where, "check", table["check"], found)
    params = _resolve_references(where, table.get("params", {}), parameters, found)
    problems += found
    if found:
        return None
    return Requirement(
        id=table["id"],
        title=outside_text(table["title"]),
        runbook_step=outside_text(table["runbook_step"]),
        severity=table["severity"],
        area=table["area"],
        check=table["check"],
        params=params,
        remediation=outside_text(table["remediation"]),
        environments=environments,
        when=when,
    )


def _resolve_references(
    where: str, table: dict[str, Any], parameters: Mapping[str, Any], problems: list[str]
) -> Mapping[str, Any]:
    """Params with ``"$name"`` strings replaced by profile parameters and arrays frozen as tuples."""
    params: dict[str, Any] = {}
    for key, value in table.items():
        reference = _REFERENCE.fullmatch(value) if isinstance(value, str) else None
        if reference:
            name = reference.group(1)
            if name not in parameters:
                known = ", ".join(parameters) or "none"
                problems.append(
                    f"{where}: key 'params.{key}' refers to {value!r}, but the profile has no parameter "
                    f"'{name}'; parameters: {known}"
                )
                continue
            value = parameters[name]
        params[key] = tuple(value) if isinstance(value, list) else value
    return MappingProxyType(params)


def _keys_ok(
    where: str,
    table: dict[str, Any],
    types: Mapping[str, type],
    required: tuple[str, ...],
    problems: list[str],
    table_name: str = "",
) -> bool:
    """Unknown, missing and mistyped keys of one table (``table_name`` prefixes its keys), each a problem;
    whether there were none."""
    before = len(problems)
    at = _at(where)
    for key in table:
        if key not in types:
            problems.append(f"{at}unknown key '{table_name}{key}'; expected keys: {', '.join(types)}")
    for key in required:
        if key not in table:
            problems.append(f"{at}missing key '{table_name}{key}'")
    for key, value in table.items():
        if key in types and not isinstance(value, types[key]):
            problems.append(
                f"{at}key '{table_name}{key}' must be a {_TYPE_NAMES[types[key]]}, got {toml_type(value)}"
            )
    return len(problems) == before


def _slug(where: str, key: str, value: str, problems: list[str]) -> None:
    if not SLUG.fullmatch(value):
        problems.append(
            f"{_at(where)}key '{key}' must be a lowercase slug like 'sender-authorized', got {value!r}"
        )


def _line(where: str, key: str, value: str, problems: list[str]) -> None:
    if not value.strip() or "\n" in value:
        problems.append(f"{_at(where)}key '{key}' must be one non-empty line")


def _choice(where: str, key: str, value: str, choices: tuple[str, ...], problems: list[str]) -> None:
    if value not in choices:
        problems.append(f"{_at(where)}key '{key}' must be one of {', '.join(choices)}, got {value!r}")


def _at(where: str) -> str:
    return f"{where}: " if where else ""


def toml_type(value: Any) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    return _TYPE_NAMES.get(type(value), "date/time")
