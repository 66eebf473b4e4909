"""Fleet files (``--intacct-fleet=PATH``): many environments' non-secret settings in one TOML file.

Each ``[[environment]]`` entry holds one environment's settings and, for each secret, the *name* of the
variable that holds it; secrets never live in the file. :func:`load_fleet` parses and validates the file
into a :class:`Fleet`; :func:`fleet_values` resolves the secrets from an environ mapping and returns each
entry as ``INTACCT_*`` keys, to be merged between ``.env.NAME`` and ``INTACCT_<NAME>_<KEY>`` (see
docs/fleet.md for the format and the precedence).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_intacct.identity import NAME_RULE, env_var_name, is_plain_name, looks_like_production
from pytest_intacct.safety.files import InputFileError, read_input
from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES

# Non-secret keys of an entry (and of [defaults]) -> the settings key they fill.
SETTING_KEYS: Mapping[str, str] = {
    "company": "INTACCT_COMPANY_ID",
    "user": "INTACCT_USER_ID",
    "sender": "INTACCT_SENDER_ID",
    "endpoint": "INTACCT_ENDPOINT",
    "entity": "INTACCT_ENTITY",
    "profile": "INTACCT_PROFILE",
    "production": "INTACCT_PRODUCTION",
    "developer_user": "INTACCT_DEVELOPER_USER_ID",
    "auditor_user": "INTACCT_AUDITOR_USER_ID",
    "rest_client_id": "INTACCT_REST_CLIENT_ID",
    "rest_username": "INTACCT_REST_USERNAME",
}
# Keys naming the variable that holds a secret -> the settings key the secret fills.
SECRET_VAR_KEYS: Mapping[str, str] = {
    "sender_password_var": "INTACCT_SENDER_PASSWORD",
    "user_password_var": "INTACCT_USER_PASSWORD",
    "auditor_user_password_var": "INTACCT_AUDITOR_USER_PASSWORD",
    "rest_client_secret_var": "INTACCT_REST_CLIENT_SECRET",
}
# Keys that would put a secret itself in the file: always refused.
LITERAL_SECRET_KEYS = frozenset(
    {
        "sender_password",
        "user_password",
        "auditor_user_password",
        "rest_client_secret",
        "password",
        "session_id",
        "sessionid",
        "client_secret",
        "access_token",
        "token",
    }
)
ENTRY_ONLY_KEYS = frozenset({"name", "group"})
TOP_LEVEL_KEYS = frozenset({"defaults", "environment"})

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED = re.compile(r"demo(:.*)?", re.IGNORECASE)  # the plugin's embedded-simulator environments


class FleetError(ValueError):
    """A fleet file is unusable or names missing variables; says file, entry and key, never a value."""


@dataclass(frozen=True)
class FleetEntry:
    """One environment of the fleet, ``[defaults]`` applied."""

    name: str
    group: str
    settings: Mapping[str, str]  # INTACCT_* key -> non-secret value
    secret_variables: Mapping[str, str]  # INTACCT_* key -> name of the variable holding the secret


@dataclass(frozen=True)
class Fleet:
    path: Path
    entries: tuple[FleetEntry, ...]

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]

    def select(self, names: Iterable[str]) -> Fleet:
        """The named subset in the order given (``--intacct-env`` with a fleet); unknown names: an error."""
        by_name = {entry.name: entry for entry in self.entries}
        wanted = list(names)
        unknown = [name for name in wanted if name not in by_name]
        if unknown:
            raise FleetError(
                f"{self.path}: no environment named {', '.join(map(repr, unknown))}; "
                f"the fleet has {', '.join(map(repr, by_name))}"
            )
        return Fleet(self.path, tuple(by_name[name] for name in wanted))


def load_fleet(path: str | os.PathLike[str]) -> Fleet:
    """Read and validate a fleet file; every problem of the file in one :class:`FleetError`."""
    file = Path(path)
    try:
        data = tomllib.loads(read_input("--intacct-fleet", file, MAX_CONFIG_FILE_BYTES))
    except InputFileError as error:
        raise FleetError(f"{file}: cannot read the fleet file ({error.reason})") from None
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise FleetError(f"{file}: not valid TOML ({error})") from None
    problems: list[str] = []
    for key in sorted(set(data) - TOP_LEVEL_KEYS):
        problems.append(f"{file}: key {key!r}: unknown top-level key (known: defaults, environment)")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append(f"{file}: key 'defaults': must be a table ([defaults])")
        defaults = {}
    problems += _check_table(f"{file}: [defaults]", defaults, entry=False)
    raw_entries = data.get("environment", [])
    if not isinstance(raw_entries, list) or not all(isinstance(item, dict) for item in raw_entries):
        problems.append(f"{file}: key 'environment': must be an array of tables ([[environment]])")
        raw_entries = []
    if not raw_entries and not problems:
        problems.append(f"{file}: no [[environment]] entries")
    entries: list[FleetEntry] = []
    prefixes: dict[str, tuple[int, str]] = {}  # variable prefix -> first entry number and name
    for number, raw in enumerate(raw_entries, start=1):
        name = raw.get("name")
        where = (
            f"{file}: environment {name[:80]!r} (entry {number})"
            if isinstance(name, str)
            else f"{file}: entry {number}"
        )
        entry_problems = _check_table(where, raw, entry=True)
        problems += entry_problems
        if not isinstance(name, str) or any(": key 'name':" in text for text in entry_problems):
            continue
        prefix = env_var_name(name, "")
        first, other = prefixes.setdefault(prefix, (number, name))
        if first != number:
            clash = "is used twice" if other == name else f"and {other!r} share the variable prefix {prefix}"
            problems.append(f"{where}: key 'name': {name!r} {clash}")
        elif not entry_problems:
            entries.append(_entry(name, _with_defaults(name, defaults, raw), file.parent))
    problems += _implicit_groups_taken(file, entries, raw_entries)
    if problems:
        raise FleetError("fleet file unusable:\n  " + "\n  ".join(problems))
    return Fleet(file, tuple(entries))


def fleet_values(fleet: Fleet, environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Each entry's settings as ``INTACCT_*`` keys with its secrets read from ``environ``.

    A secret whose ``INTACCT_<NAME>_<KEY>`` variable is set needs no fleet variable (that variable wins
    anyway). Every other named variable that is missing or empty is listed once, with the environments
    that need it, in one :class:`FleetError`.
    """
    resolved: dict[str, dict[str, str]] = {}
    missing: dict[str, dict[str, list[str]]] = {}  # variable -> settings key -> environments
    for entry in fleet.entries:
        values = dict(entry.settings)
        for key, variable in entry.secret_variables.items():
            if environ.get(env_var_name(entry.name, key)):
                continue
            secret = environ.get(variable, "")
            if secret:
                values[key] = secret
            else:
                missing.setdefault(variable, {}).setdefault(key, []).append(entry.name)
        resolved[entry.name] = values
    if missing:
        listed = [
            f"${variable} ("
            + "; ".join(
                f"{key} of environment{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))}"
                for key, names in uses.items()
            )
            + ")"
            for variable, uses in missing.items()
        ]
        raise FleetError(f"{fleet.path}: variables named in the fleet file are not set: " + ", ".join(listed))
    return resolved


def _check_table(where: str, table: Mapping[str, Any], *, entry: bool) -> list[str]:
    problems: list[str] = []
    allowed = {*SETTING_KEYS, *SECRET_VAR_KEYS} | (ENTRY_ONLY_KEYS if entry else set())
    for key, value in table.items():
        if key in LITERAL_SECRET_KEYS:
            hint = (
                f"{key}_var" if f"{key}_var" in SECRET_VAR_KEYS else "sender_password_var/user_password_var"
            )
            problems.append(
                f"{where}: key {key!r}: secrets never go in the fleet file; "
                f'name the variable that holds it ({hint} = "VARIABLE")'
            )
        elif key not in allowed:
            problems.append(f"{where}: key {key!r}: unknown key (known: {', '.join(sorted(allowed))})")
        elif key == "production":
            if not isinstance(value, bool):
                problems.append(f"{where}: key 'production': must be true or false")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: key {key!r}: must be a non-empty string")
        elif key in SECRET_VAR_KEYS and not _VARIABLE.fullmatch(value):
            problems.append(
                f"{where}: key {key!r}: must be an environment variable name (letters, digits, _)"
            )
        elif key == "group" and not is_plain_name(value):
            # A group names the key of its cross-environment results (``*GROUP``, see results/homes.py).
            problems.append(f"{where}: key 'group': {value[:80]!r} must be {NAME_RULE}")
        elif key == "name" and (not is_plain_name(value) or _RESERVED.fullmatch(value)):
            problems.append(
                f"{where}: key 'name': {value[:80]!r} must be {NAME_RULE}, "
                "and not 'demo' (the embedded simulator's name)"
            )
    if entry and "name" not in table:
        problems.append(f"{where}: key 'name': missing")
    return problems


def _with_defaults(name: str, defaults: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """The entry over the defaults, except that a shared ``production`` never makes an entry named like
    production (``acme-prod``) a test company: only the entry's own key can (rule: no default unlocks writes).
    """
    merged = {**defaults, **raw}
    if "production" not in raw and looks_like_production(name):
        merged.pop("production", None)
    return merged


def _implicit_groups_taken(
    file: Path, entries: list[FleetEntry], raw_entries: list[dict[str, Any]]
) -> list[str]:
    """An entry without ``group`` is a group of its own: another entry naming that group is ambiguous."""
    grouped = {str(raw.get("name")) for raw in raw_entries if "group" in raw}
    named = {entry.group: entry.name for entry in entries if entry.name in grouped}
    return [
        f"{file}: environment {entry.name!r}: key 'group': missing, and {named[entry.group]!r} names "
        f"group {entry.group!r}; an entry without group is a group of its own: give {entry.name!r} one"
        for entry in entries
        if entry.name not in grouped and entry.group in named
    ]


def _entry(name: str, table: Mapping[str, Any], folder: Path) -> FleetEntry:
    settings: dict[str, str] = {}
    for key, target in SETTING_KEYS.items():
        if key in table:
            value = table[key]
            settings[target] = ("true" if value else "false") if isinstance(value, bool) else value.strip()
    profile = settings.get("INTACCT_PROFILE", "")
    if profile.endswith(".toml") and not Path(profile).is_absolute():
        # A profile file named in a fleet file is found beside it, wherever pytest is started.
        settings["INTACCT_PROFILE"] = str(folder / profile)
    return FleetEntry(
        name=name,
        group=str(table.get("group", name)).strip(),
        settings=settings,
        secret_variables={target: table[key] for key, target in SECRET_VAR_KEYS.items() if key in table},
    )
