"""Fixtures for the simulator's tests; simulators are started with the plugin's ``intacct_simulator``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_intacct.simulator import Simulator

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gateway"

StartSimulator = Callable[..., Simulator]


@pytest.fixture
def trelica(intacct_simulator: StartSimulator) -> Simulator:
    return intacct_simulator("trelica-ready")


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write_scenario("extends = 'trelica-ready' ...")`` writes a scenario file and returns its path."""

    def write(text: str, name: str = "scenario") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
