"""Per-environment settings: ``.env``, then ``.env.NAME``, then a fleet entry (``--intacct-fleet``), then
``INTACCT_<NAME>_<KEY>`` variables; later sources win.

Files are read with python-dotenv from the directory pytest is started in, without touching
``os.environ`` and without expanding ``${VAR}``, so one environment's values never leak into another's.
Secrets are wrapped in :class:`~pytest_intacct.safety.redaction.Secret` at once. A line python-dotenv
cannot parse is a :class:`SettingsWarning` naming the file and line; a key set twice in one file, or an
``INTACCT_`` key (in a file) or ``INTACCT_<NAME>_<KEY>`` variable (of a selected environment) that is no
setting, is one naming the file, line and key or the variable, and the nearest setting -- never the value.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from pytest_intacct.client import DEFAULT_ENDPOINT, Credentials, validate_endpoint
from pytest_intacct.client.rest import RestCredentials, rest_endpoint
from pytest_intacct.identity import (
    DEFAULT_GROUP,
    NAME_RULE,
    Identity,
    env_var_name,
    is_environment_name,
    looks_like_production,
)
from pytest_intacct.safety.files import InputFileError, read_input
from pytest_intacct.safety.limits import MAX_CONFIG_FILE_BYTES
from pytest_intacct.safety.redaction import Secret
from pytest_intacct.settings.typos import nearest, unknown_variables

REQUIRED_KEYS = (
    "INTACCT_SENDER_ID",
    "INTACCT_SENDER_PASSWORD",
    "INTACCT_COMPANY_ID",
    "INTACCT_USER_ID",
    "INTACCT_USER_PASSWORD",
)
OPTIONAL_KEYS = (
    "INTACCT_ENDPOINT",
    "INTACCT_ENTITY",
    "INTACCT_PROFILE",
    "INTACCT_PRODUCTION",
    "INTACCT_DEVELOPER_USER_ID",
    # A second Web Services user of the same company, with rights to read users, roles and permissions:
    # the integration user's facts are read through it (docs/diagnosis.md).
    "INTACCT_AUDITOR_USER_ID",
    "INTACCT_AUDITOR_USER_PASSWORD",
    # An authorized client application of the company, for the REST API's facts the XML gateway hides
    # (docs/rest.md); the username defaults to the auditor login, else the Web Services user.
    "INTACCT_REST_CLIENT_ID",
    "INTACCT_REST_CLIENT_SECRET",
    "INTACCT_REST_USERNAME",
)
# Every key a setting may have, so that none is mistaken for a typo (the auditor login's keys included).
KNOWN_KEYS = frozenset((*REQUIRED_KEYS, *OPTIONAL_KEYS))
# Settings that name something (not secrets): they reach XML elements, HTTP headers and reports, where a
# control character could end a header line or forge a report's line.
_NAMES = tuple(sorted(key for key in KNOWN_KEYS if not key.endswith(("_PASSWORD", "_SECRET"))))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """Settings are missing or malformed; the message names keys and sources, never values."""


class SettingsWarning(UserWarning):
    """A settings file has a line that is ignored or overridden; names file, line and key, never a value."""


@dataclass(frozen=True)
class EnvironmentSettings:
    """Everything needed to check one Intacct environment: its identity and the secrets to sign in.

    ``identity.production`` says which requirements apply (a test or a production company);
    ``writes_allowed`` is true only when ``INTACCT_PRODUCTION=false`` was set explicitly: no default
    unlocks writes.
    """

    identity: Identity
    sender_password: Secret
    user_password: Secret
    entity_id: str | None = None
    profile: str | None = None
    developer_user_id: str | None = None
    writes_allowed: bool = False
    auditor_user_id: str | None = None
    auditor_password: Secret | None = None
    rest_client_id: str | None = None
    rest_client_secret: Secret | None = None
    rest_username: str | None = None  # as set; see rest_login for the one used

    @classmethod
    def recorded(cls, identity: Identity, developer_user_id: str | None = None) -> EnvironmentSettings:
        """Settings naming an environment judged from recorded evidence: no secret, no gateway."""
        return cls(identity, Secret(""), Secret(""), developer_user_id=developer_user_id)

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def production(self) -> bool:
        return bool(self.identity.production)

    @property
    def group(self) -> str:
        return self.identity.group

    @property
    def credentials(self) -> Credentials:
        """What the client signs in with."""
        i = self.identity
        return Credentials(
            sender_id=i.sender_id,
            sender_password=self.sender_password,
            company_id=i.company_id,
            user_id=i.user_id,
            user_password=self.user_password,
            endpoint=i.endpoint,
            entity_id=self.entity_id,
        )

    @property
    def auditor_credentials(self) -> Credentials | None:
        """What the auditor login signs in with: the same sender, company, entity and endpoint."""
        if not self.auditor_user_id or self.auditor_password is None:
            return None
        return dataclasses.replace(
            self.credentials, user_id=self.auditor_user_id, user_password=self.auditor_password
        )

    @property
    def rest_login(self) -> str | None:
        """The username a REST token is asked for: ``INTACCT_REST_USERNAME``, else the auditor login, else
        the Web Services user, as ``userId@companyId``; None without REST access."""
        if not self.rest_client_id:
            return None
        return self.rest_username or default_rest_username(
            self.auditor_user_id or self.identity.user_id, self.identity.company_id
        )

    @property
    def rest_credentials(self) -> RestCredentials | None:
        """What a REST token is asked with: the REST API on the gateway's host, the entity by header."""
        login = self.rest_login
        if login is None or not self.rest_client_id or self.rest_client_secret is None:
            return None
        return RestCredentials(
            client_id=self.rest_client_id,
            client_secret=self.rest_client_secret,
            username=login,
            endpoint=rest_endpoint(self.identity.endpoint),
            entity_id=self.entity_id,
        )


def default_rest_username(user_id: str, company_id: str) -> str:
    """``userId@companyId`` (docs/rest.md: the format is a third party's, unconfirmed by Sage)."""
    return f"{user_id}@{company_id}"


def rest_problems(name: str, values: Mapping[str, str]) -> list[str]:
    """What is wrong with an environment's REST settings: half a client, a username without one, or a
    username for another company (its token would read someone else's setup; one ``@`` only, so no
    reading of it names a second company)."""
    client, secret = (
        values.get(key, "").strip() for key in ("INTACCT_REST_CLIENT_ID", "INTACCT_REST_CLIENT_SECRET")
    )
    username = values.get("INTACCT_REST_USERNAME", "").strip()
    problems = []
    if bool(client) != bool(secret):
        given, lacking = (
            ("INTACCT_REST_CLIENT_ID", "INTACCT_REST_CLIENT_SECRET")
            if client
            else ("INTACCT_REST_CLIENT_SECRET", "INTACCT_REST_CLIENT_ID")
        )
        problems.append(
            f"environment {name!r}: {given} is set but {lacking} (or ${env_var_name(name, lacking)}) is not; "
            "REST access needs both"
        )
    if username and not client:
        problems.append(
            f"environment {name!r}: INTACCT_REST_USERNAME is set without INTACCT_REST_CLIENT_ID and "
            "INTACCT_REST_CLIENT_SECRET"
        )
    if username:
        user, at, rest = username.partition("@")
        company = rest.partition("|")[0]
        expected = values.get("INTACCT_COMPANY_ID", "").strip()
        if not at or not user or not company or "@" in rest or any(c.isspace() for c in username):
            problems.append(
                f"environment {name!r}: INTACCT_REST_USERNAME must be userId@companyId (or "
                "userId@companyId|entityId)"
            )
        elif expected and company.casefold() != expected.casefold():
            problems.append(
                f"environment {name!r}: INTACCT_REST_USERNAME names company {company[:80]!r}, not this "
                f"environment's {expected[:80]!r}"
            )
    return problems


def parse_environment_names(values: Iterable[str]) -> list[str]:
    """``--intacct-env`` values, repeatable and comma-separated, de-duplicated in order.

    Raises :class:`SettingsError` when two names share their ``INTACCT_<NAME>_`` variables (``prod-eu``
    and ``prod_eu``): each would silently read the other's credentials.
    """
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if name and not is_environment_name(name):
                raise SettingsError(
                    f"environment {name[:80]!r}: a name is {NAME_RULE} "
                    "(and 'demo:LOGIN' for the simulator's logins)"
                )
            if name and name not in names:
                names.append(name)
    generic = {f"INTACCT_{key.removeprefix('INTACCT_')}" for key in (*REQUIRED_KEYS, *OPTIONAL_KEYS)}
    prefixes: dict[str, str] = {}
    for name in names:
        shadowed = sorted(v for key in generic if (v := env_var_name(name, key)) in generic)
        if shadowed:
            raise SettingsError(
                f"environment {name!r}: its variable {shadowed[0]} is also the name of a setting; rename it"
            )
        prefix = env_var_name(name, "")
        if prefix in prefixes:
            raise SettingsError(
                f"environments {prefixes[prefix]!r} and {name!r} would both read {prefix}* variables; "
                "rename one of them"
            )
        prefixes[prefix] = name
    return names


def _files(name: str, directory: Path) -> tuple[Path, Path]:
    return directory / ".env", directory / f".env.{name}"


def _merged_values(
    name: str, directory: Path, environ: Mapping[str, str], fleet: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Raw values in precedence order: ``.env``, ``.env.NAME``, the fleet entry, the process environment."""
    values: dict[str, str] = {}
    common, specific = _files(name, directory)
    for path in (common, specific):
        if not os.path.lexists(path):
            continue  # a .env file is optional; anything at its path must be one
        try:
            text = read_input(path.name, path, MAX_CONFIG_FILE_BYTES)
        except InputFileError as exc:
            raise SettingsError(f"{path}: {exc.reason}") from None
        _warn_about_lines(path, text)
        # No ${VAR} expansion: a file must not pull another environment's password into a setting.
        values_in_file = dotenv_values(stream=io.StringIO(text), interpolate=False)
        found = {k: v for k, v in values_in_file.items() if v is not None}
        shared_false = found.get("INTACCT_PRODUCTION", "").strip().lower() in _FALSE
        if path == common and shared_false and looks_like_production(name):
            # A value shared by every environment never makes one named like production a test
            # company: only a setting that names it can (no default unlocks writes).
            del found["INTACCT_PRODUCTION"]
            warnings.warn(
                SettingsWarning(
                    f"{common}: INTACCT_PRODUCTION is ignored for {name!r}, which is named like "
                    f"production; set it in {specific} or ${env_var_name(name, 'INTACCT_PRODUCTION')}"
                ),
                stacklevel=2,
            )
        values.update(found)
    values.update(fleet or {})
    for key in (*REQUIRED_KEYS, *OPTIONAL_KEYS):
        override = environ.get(env_var_name(name, key))
        if override is not None:
            values[key] = override
    return values


def _warn_about_lines(path: Path, text: str) -> None:
    """Warn about lines python-dotenv skips and keys a later line overrides (the last one wins).

    A line that cannot be parsed is named by file and line only: it may be a pasted secret.
    """
    seen: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.error:
            warnings.warn(
                SettingsWarning(f"{path}:{line}: cannot parse this line; it is ignored"),
                stacklevel=2,
            )
        elif binding.key is not None:
            if binding.key in seen:
                warnings.warn(
                    SettingsWarning(
                        f"{path}:{line}: {binding.key} is set again (first on line {seen[binding.key]}); "
                        "the last value is used"
                    ),
                    stacklevel=2,
                )
            seen.setdefault(binding.key, line)
            _warn_if_unknown(path, line, binding.key)


def _warn_if_unknown(path: Path, line: int, key: str) -> None:
    """Warn about an ``INTACCT_`` key that is no setting: a typo would silently leave a default in place."""
    if key.startswith("INTACCT_") and key not in KNOWN_KEYS:
        warnings.warn(SettingsWarning(f"{path}:{line}: {key} {_no_setting(key, KNOWN_KEYS)}"), stacklevel=2)


def warn_about_unknown_variables(names: Iterable[str], environ: Mapping[str, str]) -> None:
    """Warn about ``INTACCT_<NAME>_<KEY>`` variables of the selected environments whose key is no setting.

    Variables of environments not selected are left alone (see :func:`~.typos.unknown_variables`).
    """
    for variable, (name, guess) in unknown_variables(list(names), environ, KNOWN_KEYS).items():
        meant = f"; did you mean ${guess}?" if guess else ""
        warnings.warn(
            SettingsWarning(f"${variable} is not a setting of environment {name!r} and is ignored{meant}"),
            stacklevel=2,
        )


def _no_setting(key: str, known: Iterable[str]) -> str:
    guess = nearest(key, known)
    hint = f"did you mean {guess}?" if guess else f"the settings are {', '.join(sorted(known))}"
    return f"is not a setting and is ignored; {hint}"


def declared_profiles(
    names: Iterable[str],
    directory: Path,
    environ: Mapping[str, str] | None = None,
    *,
    fleet: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str | None]:
    """Each environment's ``INTACCT_PROFILE`` as its sources set it, complete or not, so that one error can
    name a bad profile beside missing keys. An environment whose files cannot be read is left out."""
    environ = os.environ if environ is None else environ
    declared: dict[str, str | None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SettingsWarning)  # load_environments has warned already
        for name in names:
            try:
                values = _merged_values(name, directory, environ, (fleet or {}).get(name))
            except SettingsError:
                continue
            declared[name] = values.get("INTACCT_PROFILE", "").strip() or None
    return declared


def load_environment(
    name: str, directory: Path, environ: Mapping[str, str] | None = None
) -> EnvironmentSettings:
    """Settings of one environment, or :class:`SettingsError` naming every missing key."""
    return load_environments([name], directory, environ)[0]


def load_environments(
    names: Iterable[str],
    directory: Path,
    environ: Mapping[str, str] | None = None,
    *,
    fleet: Mapping[str, Mapping[str, str]] | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[EnvironmentSettings]:
    """Settings of several environments; all problems of all environments in one error.

    ``fleet`` holds fleet entries' values by environment (:func:`pytest_intacct.settings.fleet.fleet_values`),
    merged between ``.env.NAME`` and the process variables; ``groups`` names each environment's group.
    """
    environ = os.environ if environ is None else environ
    fleet = fleet or {}
    names = list(names)
    warn_about_unknown_variables(names, environ)
    problems: list[str] = []
    loaded: list[EnvironmentSettings] = []
    for name in names:
        values = _merged_values(name, directory, environ, fleet.get(name))
        common, specific = _files(name, directory)
        missing = [key for key in REQUIRED_KEYS if not values.get(key, "").strip()]
        production = _production(name, values.get("INTACCT_PRODUCTION", ""))
        writes_allowed = values.get("INTACCT_PRODUCTION", "").strip().lower() in _FALSE
        if missing:
            hints = ", ".join(f"{key} (or ${env_var_name(name, key)})" for key in missing)
            sources = f"{common}, {specific}" + (", the fleet file" if name in fleet else "")
            problems.append(
                f"environment {name!r} is missing {hints}; looked in {sources} and the process environment"
            )
        if production is None:
            problems.append(
                f"environment {name!r}: INTACCT_PRODUCTION must be true or false "
                f"(set in {specific} or ${env_var_name(name, 'INTACCT_PRODUCTION')})"
            )
        endpoint = values.get("INTACCT_ENDPOINT", "").strip() or DEFAULT_ENDPOINT
        try:
            validate_endpoint(endpoint)
        except ValueError as exc:
            problems.append(f"environment {name!r}: INTACCT_ENDPOINT: {exc}")
            endpoint = ""
        auditor = values.get("INTACCT_AUDITOR_USER_ID", "").strip()
        auditor_password = values.get("INTACCT_AUDITOR_USER_PASSWORD", "")
        if bool(auditor) != bool(auditor_password):
            given, lacking = (
                ("INTACCT_AUDITOR_USER_ID", "INTACCT_AUDITOR_USER_PASSWORD")
                if auditor
                else ("INTACCT_AUDITOR_USER_PASSWORD", "INTACCT_AUDITOR_USER_ID")
            )
            problems.append(
                f"environment {name!r}: {given} is set but {lacking} (or ${env_var_name(name, lacking)}) "
                "is not; an auditor login needs both"
            )
        rest = rest_problems(name, values)
        problems += rest
        controlled = [key for key in _NAMES if _CONTROL.search(values.get(key, "").strip())]
        problems += [
            f"environment {name!r}: {key} (or ${env_var_name(name, key)}) holds a control character"
            for key in controlled
        ]
        incomplete = missing or production is None or not endpoint or bool(auditor) != bool(auditor_password)
        if incomplete or rest or controlled:
            continue
        loaded.append(
            EnvironmentSettings(
                identity=Identity(
                    name=name,
                    company_id=values["INTACCT_COMPANY_ID"].strip(),
                    user_id=values["INTACCT_USER_ID"].strip(),
                    sender_id=values["INTACCT_SENDER_ID"].strip(),
                    endpoint=endpoint,
                    production=production,
                    group=(groups or {}).get(name, DEFAULT_GROUP),
                ),
                sender_password=Secret(values["INTACCT_SENDER_PASSWORD"]),
                user_password=Secret(values["INTACCT_USER_PASSWORD"]),
                entity_id=values.get("INTACCT_ENTITY", "").strip() or None,
                profile=values.get("INTACCT_PROFILE", "").strip() or None,
                developer_user_id=values.get("INTACCT_DEVELOPER_USER_ID", "").strip() or None,
                writes_allowed=writes_allowed,
                auditor_user_id=auditor or None,
                auditor_password=Secret(auditor_password) if auditor else None,
                rest_client_id=values.get("INTACCT_REST_CLIENT_ID", "").strip() or None,
                rest_client_secret=Secret(values["INTACCT_REST_CLIENT_SECRET"])
                if values.get("INTACCT_REST_CLIENT_SECRET", "").strip()
                else None,
                rest_username=values.get("INTACCT_REST_USERNAME", "").strip() or None,
            )
        )
    if problems:
        raise SettingsError("Intacct settings incomplete:\n  " + "\n  ".join(problems))
    return loaded


def _production(name: str, raw: str) -> bool | None:
    value = raw.strip().lower()
    if not value:
        return looks_like_production(name)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None
