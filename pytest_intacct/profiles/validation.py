"""A profile's requirements against the check kinds that judge them: known kind, its params and their types,
its scope, its own rules, and the Intacct names the params hold (profiles/naming.py).

Every problem is collected; :func:`problems` lists them all, :func:`warnings` the names nobody knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_intacct.profiles.model import ACROSS_ENVIRONMENTS_AREA, KindSpec, Param, Profile, Requirement
from pytest_intacct.profiles.naming import check_names
from pytest_intacct.profiles.parse import toml_type


def problems(profile: Profile, kinds: Mapping[str, KindSpec]) -> list[str]:
    """Every problem of every requirement, each naming the requirement and the key."""
    found: list[str] = []
    for requirement in profile.requirements:
        found += _requirement(profile, requirement, kinds)
    return found


def warnings(profile: Profile, kinds: Mapping[str, KindSpec]) -> list[str]:
    """The Intacct names no catalogue entry knows, each naming the requirement and the key."""
    return [
        warning
        for requirement in profile.requirements
        if (kind := kinds.get(requirement.check)) is not None
        for warning in check_names(requirement, kind.params, profile.custom).warnings
    ]


def _requirement(profile: Profile, requirement: Requirement, kinds: Mapping[str, KindSpec]) -> list[str]:
    where = f"requirement '{requirement.id}'"
    kind = kinds.get(requirement.check)
    if kind is None:
        return [f"{where}: unknown check {requirement.check!r}; known checks: {', '.join(kinds)}"]
    found = _params(where, requirement, kind.params)
    if kind.across_environments != requirement.across_environments:
        wanted = (
            f"area '{ACROSS_ENVIRONMENTS_AREA}'"
            if kind.across_environments
            else f"an area other than '{ACROSS_ENVIRONMENTS_AREA}'"
        )
        scope = "compares environments" if kind.across_environments else "checks one environment"
        found.append(
            f"{where}: key 'area' is {requirement.area!r}, but check '{requirement.check}' {scope}: "
            f"use {wanted}"
        )
    if found:
        return found  # the kind's rules and the names assume params of the right shape
    found += [f"{where}: {problem}" for problem in kind.problems(requirement.params)]
    return found + check_names(requirement, kind.params, profile.custom).problems


def _params(where: str, requirement: Requirement, specs: Mapping[str, Param]) -> list[str]:
    check = requirement.check
    found = []
    for key in requirement.params:
        if key not in specs:
            allowed = ", ".join(sorted(specs)) or "none"
            found.append(
                f"{where}: key 'params.{key}' is not a param of check '{check}'; its params: {allowed}"
            )
    for key, spec in specs.items():
        if key in requirement.params:
            problem = _value(requirement.params[key], spec)
            if problem:
                found.append(f"{where}: key 'params.{key}' {problem}")
        elif spec.required:
            found.append(f"{where}: missing key 'params.{key}', required by check '{check}'")
    return found


def _value(value: Any, spec: Param) -> str | None:
    """What is wrong with one param's value, or None."""
    strings = isinstance(value, tuple) and value and all(isinstance(v, str) and v for v in value)
    if spec.type == "strings":
        return None if strings else "must be a non-empty array of non-empty strings"
    if spec.type == "grant":
        if strings or (isinstance(value, str) and value.strip()):
            return None
        return 'must be "All", "Read-only", "Read" or a non-empty array of rights'
    if not isinstance(value, str):
        return f"must be a string, got {toml_type(value)}"
    if not value and not spec.may_be_empty:
        return "must not be empty"
    if spec.type == "choice" and value not in spec.choices:
        return f"must be one of {', '.join(spec.choices)}, got {value!r}"
    return None
