"""Settings for runs through pytest: the values, a ``.env.NAME`` file holding them, a fleet file (written as
given, or of logins on started simulators)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from pytest_intacct.simulator import Simulator

SETTINGS = {
    "INTACCT_SENDER_ID": "TrelicaMPP",
    "INTACCT_SENDER_PASSWORD": "sender-attack-1234",
    "INTACCT_COMPANY_ID": "acme",
    "INTACCT_USER_ID": "trelica_ws",
    "INTACCT_USER_PASSWORD": "user-attack-5678",
}


def dotenv(pytester: pytest.Pytester, name: str, endpoint: str, **extra: str) -> None:
    values = {**SETTINGS, "INTACCT_PROFILE": "trelica", "INTACCT_ENDPOINT": endpoint, **extra}
    pytester.path.joinpath(f".env.{name}").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def write_fleet(path: Path, body: str) -> Path:
    fleet = path / "fleet.toml"
    fleet.write_text(body, encoding="utf-8")
    return fleet


def simulated_fleet(path: Path, members: Iterable[tuple[str, str, Simulator, str]]) -> dict[str, str]:
    """Write a Trelica fleet file of ``(name, group, simulator, login)``; return the variables holding its
    secrets (one pair per environment)."""
    entries, secrets = ['[defaults]\nprofile = "trelica"\nproduction = false\n'], {}
    for name, group, simulator, login_name in members:
        login = simulator.logins[login_name]
        variable = "FLEET_" + name.replace("-", "_").upper()
        secrets[f"{variable}_PW"] = login.user_password
        secrets[f"{variable}_SENDER"] = login.sender_password
        entries.append(
            f'[[environment]]\nname = "{name}"\ngroup = "{group}"\ncompany = "{login.company_id}"\n'
            f'user = "{login.user_id}"\nsender = "{login.sender_id}"\nendpoint = "{simulator.endpoint}"\n'
            f'user_password_var = "{variable}_PW"\nsender_password_var = "{variable}_SENDER"\n'
        )
    path.write_text("\n".join(entries), encoding="utf-8")
    return secrets
