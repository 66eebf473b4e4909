"""Settings for attacks run through pytest: the values, a ``.env.NAME`` file holding them, a fleet file."""

from __future__ import annotations

from pathlib import Path

import pytest

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
