"""Demo environments: the embedded simulator's logins as settings (``--intacct-env=demo``, ``demo:LOGIN``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_intacct.identity import Identity, looks_like_production
from pytest_intacct.safety.redaction import Secret
from pytest_intacct.settings.environments import EnvironmentSettings, SettingsError

if TYPE_CHECKING:
    from pytest_intacct.simulator import ScenarioLogin

DEMO = "demo"
DEFAULT_DEMO_PROFILE = "trelica"  # the profile of a demo whose scenario names none


def is_demo(name: str) -> bool:
    """``demo`` (the scenario's primary login) or ``demo:LOGIN`` (one of its named logins)."""
    return name == DEMO or name.startswith(DEMO + ":")


@contextlib.contextmanager
def demo_environments(
    names: Sequence[str], scenario: str | Path, journal: Path | None = None
) -> Iterator[list[EnvironmentSettings]]:
    """Start the embedded simulator for ``scenario`` and yield settings for the demo environments.

    ``journal`` receives one JSON line per request the run makes (functions, objects, outcome).
    """
    from pytest_intacct.simulator import Simulator, load_scenario

    with Simulator(load_scenario(scenario), journal_path=journal) as simulator:
        settings = []
        for name in names:
            login_name = name.partition(":")[2]
            if login_name and login_name not in simulator.logins:
                known = ", ".join(f"demo:{n}" for n in simulator.logins)
                raise SettingsError(f"scenario {scenario!s} has no login {login_name!r}; use one of: {known}")
            login = simulator.logins[login_name] if login_name else simulator.primary_login
            settings.append(
                login_settings(
                    name,
                    login,
                    simulator.endpoint,
                    production=looks_like_production(login.name),
                    profile=simulator.scenario.profile or None,
                )
            )
        yield settings


def login_settings(
    name: str, login: ScenarioLogin, endpoint: str, *, production: bool, profile: str | None = None
) -> EnvironmentSettings:
    """Settings that sign in as one of a simulator scenario's logins."""
    return EnvironmentSettings(
        identity=Identity(
            name=name,
            company_id=login.company_id,
            user_id=login.user_id,
            sender_id=login.sender_id,
            endpoint=endpoint,
            production=production,
        ),
        sender_password=Secret(login.sender_password),
        user_password=Secret(login.user_password),
        entity_id=login.entity_id or None,
        profile=profile,
        developer_user_id=login.developer_user_id,
        auditor_user_id=login.auditor_user_id,
        auditor_password=Secret(login.auditor_user_password) if login.auditor_user_password else None,
        rest_client_id=login.rest_client_id,
        rest_client_secret=Secret(login.rest_client_secret) if login.rest_client_secret else None,
        rest_username=login.rest_username,
    )
