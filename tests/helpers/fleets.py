"""Fleet files over started simulators: one ``[[environment]]`` per (name, group, login)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pytest_intacct.simulator import Simulator


def write_fleet(path: Path, members: Iterable[tuple[str, str, Simulator, str]]) -> dict[str, str]:
    """Write a Trelica fleet of ``(name, group, simulator, login)``; return the variables holding its
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
