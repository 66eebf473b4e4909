"""pytest integration: ``--intacct-env`` selects environments, the shipped suites run one test per
requirement, and each test's outcome maps the verdict onto pytest's own outcomes:

pass -> passed, fail -> failed, error -> error (at setup: it could not be checked),
manual and n/a -> skipped with the reason, so pytest's summary stays truthful.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_intacct.checks import validate_profile
from pytest_intacct.client import IntacctClient, RetryPolicy
from pytest_intacct.collection import DEFAULT_CONCURRENCY, parse_concurrency
from pytest_intacct.prefetch import ProgressLine, environments_of
from pytest_intacct.profiles import AREAS, SEVERITIES, Profile, ProfileError, load_profile
from pytest_intacct.redaction import redact
from pytest_intacct.reporting.collector import (
    Outputs,
    ResultCollector,
    load_outputs,
    row_drift_property,
    to_report,
)
from pytest_intacct.reporting.model import EnvironmentInfo
from pytest_intacct.results import Outcome, RequirementResult, Verdict, describe
from pytest_intacct.run import AcceptanceRun, ClientOptions, demo_environments, is_demo
from pytest_intacct.settings import (
    EnvironmentSettings,
    SettingsError,
    SettingsWarning,
    load_environments,
    parse_environment_names,
)
from pytest_intacct.snapshot import Snapshot
from pytest_intacct.validation import output_path, retry_count, timeout_seconds
from pytest_intacct.waivers import apply_waiver

if TYPE_CHECKING:
    from pytest_intacct.simulator import Simulator

RUN_KEY = pytest.StashKey[AcceptanceRun]()
# The key of the snapshots pytest-xdist's controller hands to each worker in ``workerinput``.
SNAPSHOTS_INPUT = "intacct_snapshots"
RESULT_KEY = pytest.StashKey[RequirementResult]()
_STACK_KEY = pytest.StashKey[contextlib.ExitStack]()
OUTPUTS_KEY = pytest.StashKey[Outputs]()
DEFAULT_SCENARIO = "trelica-ready"
DEFAULT_DEMO_PROFILE = "trelica"


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
        type=parse_concurrency,
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
        config.addinivalue_line("markers", f"{_marker(area)}: Intacct requirements of the {area} area")
    for severity in SEVERITIES:
        config.addinivalue_line("markers", f"{severity}: Intacct requirements of {severity} severity")

    try:
        names = parse_environment_names(config.getoption("intacct_env"))
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    if not names:
        return
    stack = contextlib.ExitStack()
    config.stash[_STACK_KEY] = stack
    try:
        json_path = _output(config, "--intacct-json", "intacct_json")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SettingsWarning)
            environments = _environments(config, names, stack)
        for warning in caught:
            config.issue_config_time_warning(warning.message, stacklevel=2)
        profile = _profile(config, environments)
        outputs = config.stash[OUTPUTS_KEY] = load_outputs(
            json_path=json_path,
            markdown_path=_output(config, "--intacct-markdown", "intacct_markdown"),
            baseline_path=config.getoption("intacct_baseline"),
            waivers_path=config.getoption("intacct_waivers"),
            fail_on=config.getoption("intacct_fail_on"),
            profiles={e.name: profile.name for e in environments},
        )
    except (SettingsError, ProfileError, ValueError) as exc:
        stack.close()
        raise pytest.UsageError(str(exc)) from None
    options = ClientOptions(
        timeout=config.getoption("intacct_timeout"),
        retry=RetryPolicy(retries=config.getoption("intacct_retries")),
    )
    handed_over = getattr(config, "workerinput", {}).get(SNAPSHOTS_INPUT, [])
    snapshots = [Snapshot.from_dict(data) for data in handed_over]
    config.stash[RUN_KEY] = AcceptanceRun(environments, profile, options, snapshots=snapshots)
    if not hasattr(config, "workerinput"):  # reporting happens once, in the controlling process
        infos = [_environment_info(e, profile) for e in environments]
        collector = ResultCollector(profile, infos, outputs)
        config.pluginmanager.register(collector, "intacct-results")
        if config.pluginmanager.hasplugin("html"):
            from pytest_intacct.reporting.html import HtmlReport, environment_metadata

            config.pluginmanager.register(HtmlReport(collector), "intacct-html")
            environment_metadata(config, profile, names)
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        # No paths on the command line: run the shipped suites, from a checkout or an installed wheel.
        config.args = [str(suites_dir())]


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Read every environment the selected tests judge, side by side, before the first test."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is not None and session.items:
        run.prefetch(
            environments_of(session.items, run.environments),
            concurrency=session.config.getoption("intacct_concurrency"),
            progress=ProgressLine(session.config),
        )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: read every environment once, here, and hand the snapshots to each worker."""
    run = node.config.stash.get(RUN_KEY, None)
    if run is not None:
        run.prefetch(
            concurrency=node.config.getoption("intacct_concurrency"), progress=ProgressLine(node.config)
        )
        node.workerinput[SNAPSHOTS_INPUT] = [snapshot.to_dict() for snapshot in run.snapshots()]


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return []
    lines = [f"intacct: profile {run.profile.name} ({run.profile.path})"]
    for env in run.environments.values():
        kind = "production" if env.production else "test"
        c = env.credentials
        lines.append(f"intacct: {env.name}: company {c.company_id} at {c.endpoint} ({kind})")
    if config.args == [str(suites_dir())]:
        lines.append(f"intacct: suites {suites_dir()}")
    return lines


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_STACK_KEY, None)
    if stack is not None:
        stack.close()


def suites_dir() -> Path:
    """The acceptance suites: inside the package when installed, beside it in a checkout."""
    package = Path(__file__).parent
    installed = package / "suites"
    return installed if installed.is_dir() else package.parent / "suites"


def _output(config: pytest.Config, option: str, dest: str) -> Path | None:
    value = config.getoption(dest)
    return output_path(option, value, config.invocation_params.dir) if value else None


def _environment_info(env: EnvironmentSettings, profile: Profile) -> EnvironmentInfo:
    c = env.credentials
    return EnvironmentInfo(
        env.name, profile, c.company_id, c.endpoint, env.production, c.user_id, c.sender_id
    )


def _marker(area: str) -> str:
    return area.replace("-", "_")


def _environments(
    config: pytest.Config, names: list[str], stack: contextlib.ExitStack
) -> list[EnvironmentSettings]:
    real = [n for n in names if not is_demo(n)]
    demo = [n for n in names if is_demo(n)]
    settings = {env.name: env for env in load_environments(real, config.invocation_params.dir)}
    if demo:
        from pytest_intacct.simulator import ScenarioError

        scenario = config.getoption("intacct_scenario")
        journal = config.getoption("intacct_journal")
        journal_path = (
            output_path("--intacct-journal", journal, config.invocation_params.dir) if journal else None
        )
        try:
            environments = stack.enter_context(demo_environments(demo, scenario, journal_path))
        except ScenarioError as exc:
            raise SettingsError(f"--intacct-scenario={scenario}: {exc}") from None
        settings |= {env.name: env for env in environments}
    return [settings[n] for n in names]


def _profile(config: pytest.Config, environments: list[EnvironmentSettings]) -> Profile:
    chosen = config.getoption("intacct_profile")
    if not chosen:
        # A demo environment's profile is its scenario's, else the Trelica runbook's.
        refs = {env.profile or (DEFAULT_DEMO_PROFILE if is_demo(env.name) else None) for env in environments}
        missing = [env.name for env in environments if not env.profile and not is_demo(env.name)]
        if missing:
            raise SettingsError(
                f"no runbook profile for environment(s) {', '.join(missing)}: "
                "pass --intacct-profile NAME|PATH or set INTACCT_PROFILE (built-in: trelica, calance)"
            )
        if len(refs) > 1:
            raise SettingsError(f"one profile per run, but the environments name {', '.join(sorted(refs))}")
        chosen = refs.pop()
    return validate_profile(load_profile(chosen))


# -- parametrization -----------------------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    run = metafunc.config.stash.get(RUN_KEY, None)
    if "intacct_requirement" in metafunc.fixturenames:
        area = _area(metafunc.definition)
        if area is not None and area not in AREAS:
            pytest.fail(f"intacct_area({area!r}): unknown area; areas: {', '.join(AREAS)}", pytrace=False)
        params = _requirement_params(run, area) if run else [NO_ENVIRONMENT]
        metafunc.parametrize("intacct_requirement", params, indirect=True)
    elif "intacct_env" in metafunc.fixturenames:
        names = list(run.environments) if run else []
        metafunc.parametrize("intacct_env", names, indirect=True, ids=names, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A suite area the profile has no requirements for is deselected, not reported as skipped."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    empty = [item for item in items if (area := _area(item)) in AREAS and not run.profile.by_area(area)]
    if empty:
        items[:] = [item for item in items if item not in empty]
        config.hook.pytest_deselected(items=empty)


def _area(node: pytest.Item | pytest.Function) -> str | None:
    marker = node.get_closest_marker("intacct_area")
    return marker.args[0] if marker else None


NO_ENVIRONMENT = pytest.param(
    None,
    id="no-environment",
    marks=pytest.mark.skip(
        reason="no --intacct-env given: the acceptance suites need one (try --intacct-env=demo)"
    ),
)


def _requirement_params(run: AcceptanceRun, area: str | None) -> list:
    params = []
    for requirement in run.profile.requirements:
        if area is not None and requirement.area != area:
            continue
        marks = [getattr(pytest.mark, _marker(requirement.area)), getattr(pytest.mark, requirement.severity)]
        if requirement.across_environments:
            params.append(pytest.param(("*", requirement), id=requirement.id, marks=marks))
            continue
        for env in run.environments:
            params.append(pytest.param((env, requirement), id=f"{env}-{requirement.id}", marks=marks))
    return params


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def intacct_requirement(request: pytest.FixtureRequest) -> RequirementResult:
    """The verdict on one runbook requirement in one environment (parametrized by the plugin).

    Requirements that could not be checked end here as errors, manual and n/a ones as skips.
    """
    run = request.config.stash[RUN_KEY]
    environment, requirement = request.param
    outputs = request.config.stash[OUTPUTS_KEY]
    try:
        result = run.verdict(environment, requirement)
    except Exception as exc:  # a bug must cost one "could not check", never the requirement
        result = RequirementResult(
            environment,
            requirement,
            Verdict.error(requirement.title, f"not checked: {type(exc).__name__}: {redact(str(exc))}"),
        )
    result, waiver = apply_waiver(result, outputs.waivers)
    request.node.stash[RESULT_KEY] = result
    verdict = result.verdict
    # JUnit XML carries these as <properties> of the test case.
    request.node.user_properties.extend(
        [
            ("intacct_requirement", requirement.id),
            ("intacct_environment", result.environment),
            ("intacct_severity", requirement.severity),
            ("intacct_outcome", verdict.outcome.value),
            ("intacct_waived", str(waiver is not None).lower()),
            *row_drift_property(result, outputs.baseline),
        ]
    )
    if waiver is not None:
        pytest.xfail(f"waived: {requirement.id}: {waiver.justification}")
    if verdict.outcome is Outcome.ERROR:
        pytest.fail(failure_message(result), pytrace=False)
    if verdict.outcome in (Outcome.MANUAL, Outcome.NOT_APPLICABLE):
        pytest.skip(f"{verdict.outcome.value}: {requirement.id}: {verdict.observed}")
    return result


def assert_requirement_met(result: RequirementResult) -> None:
    """Fail the calling test with the expected/observed/remediation message unless the verdict passed."""
    __tracebackhide__ = True
    if result.verdict.outcome is not Outcome.PASS:
        pytest.fail(failure_message(result), pytrace=False)


def failure_message(result: RequirementResult) -> str:
    return "\n".join(describe(result))


@pytest.fixture(scope="session")
def intacct_env(request: pytest.FixtureRequest) -> EnvironmentSettings:
    """Settings of one selected Intacct environment (tests using it run once per ``--intacct-env``)."""
    return request.config.stash[RUN_KEY].environments[request.param]


@pytest.fixture(scope="session")
def intacct_client(intacct_env: EnvironmentSettings, pytestconfig: pytest.Config) -> Iterator[IntacctClient]:
    """A signed-in, read-only client for the environment (writes raise before anything is sent)."""
    with pytestconfig.stash[RUN_KEY].client(intacct_env.name) as client:
        client.sign_in()
        yield client


@pytest.fixture(scope="session")
def intacct_snapshot(intacct_env: EnvironmentSettings, pytestconfig: pytest.Config) -> Snapshot:
    """Everything the profile's requirements are judged on, read once per environment."""
    return pytestconfig.stash[RUN_KEY].snapshot(intacct_env.name)


@pytest.fixture
def intacct_simulator() -> Iterator[Callable[..., Simulator]]:
    """Start the Intacct gateway simulator in-process on a free port: ``intacct_simulator("ip-blocked")``.

    Takes a shipped scenario name or a path (and ``Simulator`` options); every simulator started is
    stopped after the test.
    """
    from pytest_intacct.simulator import Simulator, load_scenario

    started: list[Simulator] = []

    def start(scenario: str | Path = DEFAULT_SCENARIO, **options) -> Simulator:
        simulator = Simulator(load_scenario(scenario), **options).start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


# -- reporting -----------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    result = item.stash.get(RESULT_KEY, None)
    if result is not None:
        report.intacct = to_report(result)
        final = report.when == "call" or (report.when == "setup" and not report.passed)
        if final and item.config.pluginmanager.hasplugin("html"):
            from pytest_intacct.reporting.html import row_extras

            waivers = item.config.stash[OUTPUTS_KEY].waivers
            report.extras = [*getattr(report, "extras", []), *row_extras(result, waivers)]
    return report
