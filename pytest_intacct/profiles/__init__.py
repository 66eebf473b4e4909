"""Profiles: a runbook's requirements as data, loaded from TOML and validated before any check runs.

A profile names the runbook it encodes, its ``[parameters]`` (the values a customer may change, such as the
Sender ID) and its ``[[requirements]]`` in runbook order. A string in a requirement's ``params`` written as
``"$name"`` takes the value of the profile parameter ``name``, so a copied profile is customised in one place.

``load_profile`` checks the file's own structure; :func:`validate` then checks each requirement against its
check kind (known kind, params and their types, scope). The kinds live in ``pytest_intacct.checks``, which
calls ``validate`` with its registry, so this module knows no kind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

from pytest_intacct.profiles.names import AREAS, SEVERITIES

ENVIRONMENT_KINDS = ("all", "test", "production")


ACROSS_ENVIRONMENTS_AREA = "across-environments"
ParamType = Literal["string", "strings", "choice"]


@dataclass(frozen=True)
class Param:
    """A check kind's parameter: ``string``, ``strings`` (a non-empty list of them) or ``choice``."""

    type: ParamType = "string"
    required: bool = True
    may_be_empty: bool = False  # for a string: "" is a meaningful value
    choices: tuple[str, ...] = ()


class KindSpec(Protocol):
    """What validation needs of a check kind (the registry in ``pytest_intacct.checks`` provides it)."""

    @property
    def params(self) -> Mapping[str, Param]: ...

    @property
    def across_environments(self) -> bool: ...


_BUILTIN_DIR = Path(__file__).parent
# Matched whole (fullmatch): "$" alone would accept a trailing newline.
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_REFERENCE = re.compile(r"\$([a-z_][a-z0-9_]*)")
_TYPE_NAMES = {str: "string", int: "integer", float: "float", list: "array", tuple: "array", dict: "table"}
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

    @property
    def across_environments(self) -> bool:
        """Whether the requirement compares environments; validation makes area and kind agree on it."""
        return self.area == ACROSS_ENVIRONMENTS_AREA


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


def fingerprint(profile: Profile) -> str:
    """``sha256:…`` of everything a profile judges by (not where its file is): two runs with the same
    fingerprint judged by the same runbook."""
    import hashlib
    import json

    requirements = [
        {
            "id": r.id,
            "title": r.title,
            "runbook_step": r.runbook_step,
            "severity": r.severity,
            "area": r.area,
            "check": r.check,
            "params": dict(r.params),
            "remediation": r.remediation,
            "environments": r.environments,
            "when": r.when,
        }
        for r in profile.requirements
    ]
    document = {"name": profile.name, "title": profile.title, "source": profile.source}
    text = json.dumps({**document, "requirements": requirements}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with the plugin."""
    return sorted(path.stem for path in _BUILTIN_DIR.glob("*.toml"))


def load_profile(ref: str | os.PathLike[str]) -> Profile:
    """Load and validate a built-in profile by name, or a profile file by path; raise ProfileError."""
    builtin = isinstance(ref, str) and ref in builtin_profiles()
    path = _BUILTIN_DIR / f"{ref}.toml" if builtin else Path(ref).absolute()
    # Imported here, not at import: the plugin's entry point imports this package on every pytest run.
    import tomllib

    from pytest_intacct.safety.files import InputFileError, read_input
    from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES

    try:
        data = tomllib.loads(read_input("profile", path, MAX_CONFIG_FILE_BYTES))
    except InputFileError as exc:
        if exc.missing:
            known = ", ".join(builtin_profiles())
            raise ProfileError(
                f"profile {path}: no such file, and {str(ref)!r} is not a built-in profile ({known})"
            ) from None
        raise ProfileError(f"profile {path}: cannot read the file ({exc.reason})") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ProfileError(f"profile {path}: invalid TOML: {exc}") from None
    return _parse_profile(path, data)


def _parse_profile(path: Path, data: dict[str, Any]) -> Profile:
    where = f"profile {path}"
    from pytest_intacct.safety.text import outside_text  # see load_profile

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
        title=outside_text(data["title"]),
        source=outside_text(data["source"]),
        path=path,
        parameters=parameters,
        requirements=tuple(requirements.values()),
    )


def _parse_parameters(where: str, table: dict[str, Any]) -> Mapping[str, str | bool | int | float]:
    for name, value in table.items():
        if not _PARAMETER_NAME.fullmatch(name):
            raise ProfileError(f"{where}: key 'parameters.{name}' must be a lowercase name like 'sender_id'")
        if not isinstance(value, str | bool | int | float):
            raise ProfileError(
                f"{where}: key 'parameters.{name}' must be a string, boolean or number, "
                f"got {_toml_type(value)}"
            )
    return MappingProxyType(dict(table))


def _parse_requirement(profile: str, number: int, table: Any, parameters: Mapping[str, Any]) -> Requirement:
    where = f"{profile}: requirement #{number}"
    from pytest_intacct.safety.text import outside_text  # see load_profile

    if not isinstance(table, dict):
        raise ProfileError(f"{where}: must be a table ([[requirements]]), got {_toml_type(table)}")
    if isinstance(table.get("id"), str) and _SLUG.fullmatch(table["id"]):
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
    _check_slug(where, "check", check)
    return Requirement(
        id=table["id"],
        title=outside_text(table["title"]),
        runbook_step=outside_text(table["runbook_step"]),
        severity=table["severity"],
        area=table["area"],
        check=check,
        params=_resolve_references(where, table.get("params", {}), parameters),
        remediation=outside_text(table["remediation"]),
        environments=environments,
        when=when,
    )


def _resolve_references(
    where: str, table: dict[str, Any], parameters: Mapping[str, Any]
) -> Mapping[str, Any]:
    """Params with ``"$name"`` strings replaced by profile parameters and arrays frozen as tuples."""
    params: dict[str, Any] = {}
    for key, value in table.items():
        reference = _REFERENCE.fullmatch(value) if isinstance(value, str) else None
        if reference:
            name = reference.group(1)
            if name not in parameters:
                known = ", ".join(parameters) or "none"
                raise ProfileError(
                    f"{where}: key 'params.{key}' refers to {value!r}, but the profile has no parameter "
                    f"'{name}'; parameters: {known}"
                )
            value = parameters[name]
        params[key] = tuple(value) if isinstance(value, list) else value
    return MappingProxyType(params)


def validate(profile: Profile, kinds: Mapping[str, KindSpec]) -> Profile:
    """Check every requirement against its kind: known kind, its params and their types, its scope.

    Raises :class:`ProfileError` naming the file, the requirement and the key.
    """
    for requirement in profile.requirements:
        where = f"profile {profile.path}: requirement '{requirement.id}'"
        kind = kinds.get(requirement.check)
        if kind is None:
            raise ProfileError(
                f"{where}: unknown check {requirement.check!r}; known checks: {', '.join(kinds)}"
            )
        _validate_params(where, requirement, kind.params)
        if kind.across_environments != requirement.across_environments:
            wanted = (
                f"area '{ACROSS_ENVIRONMENTS_AREA}'"
                if kind.across_environments
                else f"an area other than '{ACROSS_ENVIRONMENTS_AREA}'"
            )
            scope = "compares environments" if kind.across_environments else "checks one environment"
            raise ProfileError(
                f"{where}: key 'area' is {requirement.area!r}, but check '{requirement.check}' {scope}: "
                f"use {wanted}"
            )
    return profile


def _validate_params(where: str, requirement: Requirement, specs: Mapping[str, Param]) -> None:
    check = requirement.check
    for key in requirement.params:
        if key not in specs:
            allowed = ", ".join(sorted(specs)) or "none"
            raise ProfileError(
                f"{where}: key 'params.{key}' is not a param of check '{check}'; its params: {allowed}"
            )
    for key, spec in specs.items():
        if key not in requirement.params:
            if spec.required:
                raise ProfileError(f"{where}: missing key 'params.{key}', required by check '{check}'")
            continue
        _validate_value(where, key, requirement.params[key], spec)


def _validate_value(where: str, key: str, value: Any, spec: Param) -> None:
    if spec.type == "strings":
        if not (isinstance(value, tuple) and value and all(isinstance(v, str) and v for v in value)):
            raise ProfileError(f"{where}: key 'params.{key}' must be a non-empty array of non-empty strings")
        return
    if not isinstance(value, str):
        raise ProfileError(f"{where}: key 'params.{key}' must be a string, got {_toml_type(value)}")
    if not value and not spec.may_be_empty:
        raise ProfileError(f"{where}: key 'params.{key}' must not be empty")
    if spec.type == "choice":
        _check_choice(where, f"params.{key}", value, spec.choices)


def _check_keys(
    where: str, table: dict[str, Any], types: Mapping[str, type], required: tuple[str, ...]
) -> None:
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
    if not _SLUG.fullmatch(value):
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
