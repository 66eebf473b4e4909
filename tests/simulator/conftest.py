"""Fixtures for the simulator's tests: start simulators, and find test data and the replay fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_intacct.simulator import Scenario, Simulator, load_scenario

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gateway"

StartSimulator = Callable[..., Simulator]


@pytest.fixture
def start_simulator() -> Iterator[StartSimulator]:
    """``start_simulator("trelica-ready")`` starts a simulator that is stopped after the test."""
    started: list[Simulator] = []

    def start(scenario: str | Path | Scenario, **kwargs: object) -> Simulator:
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        simulator = Simulator(loaded, **kwargs).start()  # type: ignore[arg-type]
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def trelica(start_simulator: StartSimulator) -> Simulator:
    return start_simulator("trelica-ready")


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str, str], Path]:
    """``write_scenario("extends = 'trelica-ready' ...")`` writes a scenario file and returns its path."""

    def write(text: str, name: str = "scenario") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
