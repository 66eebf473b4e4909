"""Profiles: a runbook's requirements as data, loaded from TOML and validated before any check runs.

A profile names the runbook it encodes, its ``[parameters]`` (the values a customer may change, such as the
Sender ID) and its ``[[requirements]]`` in runbook order. A string in a requirement's ``params`` written as
``"$name"`` takes the value of the profile parameter ``name``, so a copied profile is customised in one place.

``load_profile`` checks the file's own structure (``parse``) and, given the check kinds, each requirement
against its kind and the Intacct names its params hold (``validation``); every problem of a profile is one
:class:`ProfileError`. The kinds live in ``pytest_intacct.checks``, so this package knows no kind.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pytest_intacct.profiles.model import (
    ACROSS_ENVIRONMENTS_AREA,
    ENVIRONMENT_KINDS,
    Custom,
    KindSpec,
    Param,
    ParamType,
    Profile,
    ProfileError,
    ProfileWarning,
    Requirement,
    Vocabulary,
)
from pytest_intacct.profiles.names import AREAS, SEVERITIES

__all__ = [
    "ACROSS_ENVIRONMENTS_AREA",
    "AREAS",
    "ENVIRONMENT_KINDS",
    "SEVERITIES",
    "Custom",
    "KindSpec",
    "Param",
    "ParamType",
    "Profile",
    "ProfileError",
    "ProfileWarning",
    "Requirement",
    "Vocabulary",
    "builtin_profiles",
    "fingerprint",
    "load_profile",
    "profile_warnings",
    "validate",
]

_BUILTIN_DIR = Path(__file__).parent


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
    custom = {"objects": sorted(profile.custom.objects), "policies": sorted(profile.custom.policies)}
    document = {"name": profile.name, "title": profile.title, "source": profile.source, "custom": custom}
    text = json.dumps({**document, "requirements": requirements}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with the plugin: every ``.toml`` file of this folder."""
    return sorted(path.stem for path in _BUILTIN_DIR.glob("*.toml"))


def load_profile(ref: str | os.PathLike[str], kinds: Mapping[str, KindSpec] | None = None) -> Profile:
    """Load a built-in profile by name, or a profile file by path; with ``kinds``, validate it against them
    too. Every problem found is listed in one ProfileError."""
    builtin = isinstance(ref, str) and ref in builtin_profiles()
    path = _BUILTIN_DIR / f"{ref}.toml" if builtin else Path(ref).absolute()
    # Imported here, not at import: the plugin's entry point imports this package on every pytest run.
    import tomllib

    from pytest_intacct.profiles import parse, validation
    from pytest_intacct.safety.files import InputFileError, read_input
    from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES

    try:
        data = tomllib.loads(read_input("profile", path, MAX_CONFIG_FILE_BYTES))
    except InputFileError as exc:
        if exc.missing:
            from pytest_intacct.profiles.spelling import near_miss

            known = ", ".join(builtin_profiles())
            close = near_miss(str(ref), builtin_profiles())
            meant = f"; did you mean {close!r}?" if close else ""
            raise ProfileError(
                f"profile {path}: no such file, and {str(ref)!r} is not a built-in profile ({known}){meant}"
            ) from None
        raise ProfileError(f"profile {path}: cannot read the file ({exc.reason})") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ProfileError(f"profile {path}: invalid TOML: {exc}") from None
    profile, problems = parse.parse(path, data)
    if profile is not None and kinds is not None:
        problems += validation.problems(profile, kinds)
    if problems or profile is None:
        raise ProfileError.listing(f"profile {path}", problems)
    return profile


def validate(profile: Profile, kinds: Mapping[str, KindSpec]) -> Profile:
    """Check every requirement against its kind: known kind, its params and their types, its scope, its
    rules and its Intacct names. Raises one :class:`ProfileError` listing every problem."""
    from pytest_intacct.profiles import validation  # see load_profile

    problems = validation.problems(profile, kinds)
    if problems:
        raise ProfileError.listing(f"profile {profile.path}", problems)
    return profile


def profile_warnings(profile: Profile, kinds: Mapping[str, KindSpec]) -> list[str]:
    """The Intacct names in the profile that no catalogue entry knows: ``profile PATH: requirement…``."""
    from pytest_intacct.profiles import validation  # see load_profile

    return [f"profile {profile.path}: {warning}" for warning in validation.warnings(profile, kinds)]
