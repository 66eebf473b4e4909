"""The pytest glue, and the plugin's entry point: ``--intacct-env`` (or a ``--intacct-fleet`` file)
selects environments, the shipped suites run one test per requirement, and each test's outcome maps the
requirement's onto pytest's own (:mod:`~pytest_intacct.plugin.outcomes`).

This package is the only part of pytest-intacct that imports pytest. This module is imported by every
pytest run, so it stays light: options, markers and the fixtures. The acceptance run itself (settings,
client, checks, reports) is started by :mod:`pytest_intacct.plugin.session`, imported only when a run
asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_intacct.plugin import checklist
from pytest_intacct.plugin.options import (
    DEFAULT_SCENARIO,
    add_options,
    given_options,
    selects_environments,
    suites_dir,
)
from pytest_intacct.plugin.outcomes import assert_requirement_met, failure_message
from pytest_intacct.plugin.params import NO_ENVIRONMENT
from pytest_intacct.profiles.names import AREAS, SEVERITIES, marker_name
from pytest_intacct.reporting.outputs import profile_outputs

if TYPE_CHECKING:
    from pytest_intacct.client import IntacctClient
    from pytest_intacct.evidence.snapshot import Snapshot
    from pytest_intacct.plugin.session import AcceptancePlugin
    from pytest_intacct.results.finding import RequirementResult
    from pytest_intacct.settings.environments import EnvironmentSettings
    from pytest_intacct.simulator import Simulator

__all__ = ["ACTIVE_KEY", "assert_requirement_met", "failure_message", "suites_dir"]

ACTIVE_KEY: pytest.StashKey[AcceptancePlugin] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "intacct_area(area): the requirement area a suite file checks")
    for area in AREAS:
        config.addinivalue_line("markers", f"{marker_name(area)}: Intacct requirements of the {area} area")
    for severity in SEVERITIES:
        config.addinivalue_line("markers", f"{severity}: Intacct requirements of {severity} severity")
    if not selects_environments(config):
        stray = given_options(config)
        if checklist.requested(config):
            # A checklist needs only a profile: it is written, and nothing runs.
            kept = (checklist.PROFILE_OPTION, *(d.option for d in profile_outputs()))
            checklist.start_without_environments(config, [option for option in stray if option not in kept])
        elif stray:
            raise pytest.UsageError(
                f"{', '.join(stray)}: nothing to check; name an environment with --intacct-env=NAME "
                "(--intacct-env=demo for the simulator), --intacct-fleet=PATH or --intacct-replay=PATH"
            )
    else:
        from pytest_intacct.plugin.session import AcceptancePlugin

        active = AcceptancePlugin.start(config)
        config.stash[ACTIVE_KEY] = active
        config.pluginmanager.register(active, "intacct-acceptance")
        if checklist.requested(config) and not hasattr(config, "workerinput"):
            written = checklist.write(active.inputs.files, active.run.profiles)
            config.pluginmanager.register(checklist.Written(written), "intacct-checklist")
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            # No paths on the command line: run the shipped suites, from a checkout or an installed wheel.
            config.args = [str(suites_dir())]


def pytest_unconfigure(config: pytest.Config) -> None:
    active = config.stash.get(ACTIVE_KEY, None)
    if active is not None:
        active.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    active = metafunc.config.stash.get(ACTIVE_KEY, None)
    if active is not None:
        active.parametrize(metafunc)
    elif "intacct_requirement" in metafunc.fixturenames:
        metafunc.parametrize("intacct_requirement", [NO_ENVIRONMENT], indirect=True)
    elif "intacct_env" in metafunc.fixturenames:
        metafunc.parametrize("intacct_env", [], indirect=True, scope="session")


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def intacct_requirement(request: pytest.FixtureRequest) -> RequirementResult:
    """The verdict on one runbook requirement in one environment (parametrized by the plugin).

    Requirements that could not be checked end here as errors, manual and n/a ones as skips.
    """
    return request.config.stash[ACTIVE_KEY].requirement(request)


@pytest.fixture(scope="session")
def intacct_env(request: pytest.FixtureRequest) -> EnvironmentSettings:
    """Settings of one selected Intacct environment (tests using it run once per ``--intacct-env``)."""
    return request.config.stash[ACTIVE_KEY].run.environments[request.param]


@pytest.fixture(scope="session")
def intacct_client(intacct_env: EnvironmentSettings, pytestconfig: pytest.Config) -> Iterator[IntacctClient]:
    """A signed-in, read-only client for the environment (writes raise before anything is sent)."""
    with pytestconfig.stash[ACTIVE_KEY].run.client(intacct_env.name) as client:
        client.sign_in()
        yield client


@pytest.fixture(scope="session")
def intacct_snapshot(intacct_env: EnvironmentSettings, pytestconfig: pytest.Config) -> Snapshot:
    """Everything the profile's requirements are judged on, read once per environment."""
    return pytestconfig.stash[ACTIVE_KEY].run.snapshot(intacct_env.name)


@pytest.fixture
def intacct_simulator() -> Iterator[Callable[..., Simulator]]:
    """Start the Intacct gateway simulator in-process on a free port: ``intacct_simulator("ip-blocked")``.

    Takes a shipped scenario name or a path (and ``Simulator`` options); every simulator started is
    stopped after the test.
    """
    from pytest_intacct.simulator import Simulator, load_scenario

    started: list[Simulator] = []

    def start(scenario: str | Path = DEFAULT_SCENARIO, **options: object) -> Simulator:
        simulator = Simulator(load_scenario(scenario), **options).start()  # type: ignore[arg-type]
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()
