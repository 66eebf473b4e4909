"""pytest integration: ``--intacct-env`` (or a ``--intacct-fleet`` file) selects environments, the
shipped suites run one test per requirement, and each test's outcome maps the verdict onto pytest's
own outcomes:

pass -> passed, fail -> failed, error -> error (at setup: it could not be checked),
manual and n/a -> skipped with the reason, so pytest's summary stays truthful.

This module is the entry point every pytest run imports, so it stays light: options, markers and the
fixtures. The acceptance run itself (settings, client, checks, reports) lives in
:mod:`pytest_intacct.acceptance_plugin` and is imported only when a run asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_intacct.profiles.names import AREAS, SEVERITIES, marker_name
from pytest_intacct.validation import (
    DEFAULT_CONCURRENCY,
    concurrency,
    retry_count,
    timeout_seconds,
)

if TYPE_CHECKING:
    from pytest_intacct.acceptance_plugin import AcceptancePlugin
    from pytest_intacct.client import IntacctClient
    from pytest_intacct.results import RequirementResult
    from pytest_intacct.settings import EnvironmentSettings
    from pytest_intacct.simulator import Simulator
    from pytest_intacct.snapshot import Snapshot

ACTIVE_KEY: pytest.StashKey[AcceptancePlugin] = pytest.StashKey()
DEFAULT_SCENARIO = "trelica-ready"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("intacct", "Sage Intacct acceptance checks")
    group.addoption(
        "--intacct-env",
        action="append",
        default=[],
        metavar="NAME",
        help="Intacct environment(s) to check, repeatable or comma-separated; "
        "'demo' uses the embedded simulator.",
    )
    group.addoption(
        "--intacct-fleet",
        metavar="PATH",
        help="TOML file of [[environment]] entries to check (all, or the --intacct-env subset); "
        "see docs/fleet.md.",
    )
    group.addoption(
        "--intacct-profile",
        metavar="NAME|PATH",
        help="Runbook profile (built-in: trelica, calance); default: the environment's INTACCT_PROFILE.",
    )
    group.addoption(
        "--intacct-scenario",
        default=DEFAULT_SCENARIO,
        metavar="NAME|PATH",
        help=f"Simulator scenario for demo environments (default: {DEFAULT_SCENARIO}).",
    )
    group.addoption(
        "--intacct-json", metavar="PATH", help="Write the run's results as a versioned acceptance file."
    )
    group.addoption(
        "--intacct-markdown", metavar="PATH", help="Write the verdict, counts and failures as Markdown."
    )
    group.addoption(
        "--intacct-baseline",
        metavar="PATH",
        help="An earlier acceptance JSON: report drift (new-fail, new-error, new-pass, added, removed).",
    )
    group.addoption(
        "--intacct-fail-on",
        choices=("any", "new"),
        default="any",
        help="Exit 1/10 on any failure/error (default), or only on new ones since the baseline.",
    )
    group.addoption(
        "--intacct-waivers", metavar="PATH", help="TOML file of [[waiver]] tables accepting known failures."
    )
    group.addoption(
        "--intacct-record",
        metavar="PATH",
        help="Write what every environment was judged on as an evidence pack (redacted).",
    )
    group.addoption(
        "--intacct-replay",
        metavar="PATH",
        help="Judge the profile on an evidence pack instead of the gateway: no network, no credentials.",
    )
    group.addoption(
        "--intacct-journal",
        metavar="PATH",
        help="For demo environments: append every request the run makes to PATH as JSON lines.",
    )
    group.addoption(
        "--intacct-timeout",
        type=timeout_seconds,
        default=60.0,
        metavar="SECONDS",
        help="Timeout per gateway request.",
    )
    group.addoption(
        "--intacct-concurrency",
        type=concurrency,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"Environments read side by side (default {DEFAULT_CONCURRENCY}); a company gets one at a time.",
    )
    group.addoption(
        "--intacct-retries",
        type=retry_count,
        default=4,
        metavar="N",
        help="Re-sends after a transport failure (connection error, timeout, 5xx except 524).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "intacct_area(area): the requirement area a suite file checks")
    for area in AREAS:
        config.addinivalue_line("markers", f"{marker_name(area)}: Intacct requirements of the {area} area")
    for severity in SEVERITIES:
        config.addinivalue_line("markers", f"{severity}: Intacct requirements of {severity} severity")
    if any(config.getoption(name) for name in ("intacct_env", "intacct_fleet", "intacct_replay")):
        from pytest_intacct.acceptance_plugin import AcceptancePlugin

        active = AcceptancePlugin.start(config)
        config.stash[ACTIVE_KEY] = active
        config.pluginmanager.register(active, "intacct-acceptance")
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            # No paths on the command line: run the shipped suites, from a checkout or an installed wheel.
            config.args = [str(suites_dir())]


def pytest_unconfigure(config: pytest.Config) -> None:
    active = config.stash.get(ACTIVE_KEY, None)
    if active is not None:
        active.close()


def suites_dir() -> Path:
    """The acceptance suites: inside the package when installed, beside it in a checkout."""
    package = Path(__file__).parent
    installed = package / "suites"
    return installed if installed.is_dir() else package.parent / "suites"


NO_ENVIRONMENT = pytest.param(
    None,
    id="no-environment",
    marks=pytest.mark.skip(
        reason="no --intacct-env given: the acceptance suites need one (try --intacct-env=demo)"
    ),
)


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


def assert_requirement_met(result: RequirementResult) -> None:
    """Fail the calling test with the expected/observed/remediation message unless the verdict passed."""
    __tracebackhide__ = True
    from pytest_intacct.results import Outcome

    if result.verdict.outcome is not Outcome.PASS:
        pytest.fail(failure_message(result), pytrace=False)


def failure_message(result: RequirementResult) -> str:
    """The one wording of a result: expected, observed and the fix (or its root cause)."""
    from pytest_intacct.results import describe

    return "\n".join(describe(result))


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
