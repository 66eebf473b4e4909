"""The acceptance run inside pytest: environments, profiles, reading ahead, verdicts on test reports.

Registered by :mod:`pytest_intacct.plugin` only when a run asks for Intacct environments
(``--intacct-env``, ``--intacct-fleet`` or ``--intacct-replay``), so a plain pytest start never
imports the client, lxml or requests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import warnings
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct.checks import validate_profile
from pytest_intacct.client import RetryPolicy
from pytest_intacct.evidence import packs as evidence
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.plugin.collector import (
    Outputs,
    ResultCollector,
    load_outputs,
    row_drift_property,
    to_report,
)
from pytest_intacct.plugin.readahead import ProgressLine, environments_of
from pytest_intacct.profiles import AREAS, Profile, ProfileError, load_profile
from pytest_intacct.profiles.names import marker_name
from pytest_intacct.reporting.model import EnvironmentInfo
from pytest_intacct.results.finding import Outcome, RequirementResult, Verdict
from pytest_intacct.results.homes import param_id
from pytest_intacct.results.waivers import apply_waiver
from pytest_intacct.run import AcceptanceRun, ClientOptions
from pytest_intacct.safety.files import output_path
from pytest_intacct.safety.redaction import redact
from pytest_intacct.settings.demo import demo_environments, is_demo
from pytest_intacct.settings.environments import (
    EnvironmentSettings,
    SettingsError,
    SettingsWarning,
    load_environments,
    parse_environment_names,
)
from pytest_intacct.settings.fleet import fleet_values, load_fleet

# The key of the snapshots pytest-xdist's controller hands to each worker in ``workerinput``.
SNAPSHOTS_INPUT = "intacct_snapshots"
RESULT_KEY = pytest.StashKey[RequirementResult]()
DEFAULT_DEMO_PROFILE = "trelica"


class AcceptancePlugin:
    """The run's pytest hooks, around one :class:`AcceptanceRun`."""

    def __init__(
        self,
        run: AcceptanceRun,
        outputs: Outputs,
        stack: contextlib.ExitStack,
        record_path: Path | None,
    ) -> None:
        self.run = run
        self.outputs = outputs
        self._stack = stack
        self._record_path = record_path

    @classmethod
    def start(cls, config: pytest.Config) -> AcceptancePlugin:
        """Load settings and profile, start demo simulators; every bad input is one usage error."""
        stack = contextlib.ExitStack()
        try:
            _distinct_outputs(config)
            record_path = _output(config, "--intacct-record", "intacct_record")
            json_path = _output(config, "--intacct-json", "intacct_json")
            markdown_path = _output(config, "--intacct-markdown", "intacct_markdown")
            names = parse_environment_names(config.getoption("intacct_env"))
            replay = config.getoption("intacct_replay")
            if not (names or replay or config.getoption("intacct_fleet")):
                raise SettingsError(
                    "--intacct-env needs at least one environment name, e.g. --intacct-env=prod"
                )
            if replay and config.getoption("intacct_fleet"):
                raise SettingsError("--intacct-replay judges recorded evidence: it takes no --intacct-fleet")
            pack = evidence.load_pack(replay) if replay else None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", SettingsWarning)
                environments = pack.environments(names) if pack else _environments(config, names, stack)
            for warning in caught:
                config.issue_config_time_warning(SettingsWarning(str(warning.message)), stacklevel=2)
            profiles = _profiles(config, environments, pack)
            if record_path is not None and len({p.name for p in profiles.values()}) > 1:
                raise SettingsError(
                    "--intacct-record writes one profile's evidence: select one profile's environments"
                )
            outputs = load_outputs(
                json_path=json_path,
                markdown_path=markdown_path,
                baseline_path=config.getoption("intacct_baseline"),
                waivers_path=config.getoption("intacct_waivers"),
                fail_on=config.getoption("intacct_fail_on"),
                profiles={name: profile.name for name, profile in profiles.items()},
            )
            if pack is not None:
                outputs = dataclasses.replace(outputs, replay=pack.describe(replay))
        except (SettingsError, ProfileError, ValueError) as exc:
            stack.close()
            raise pytest.UsageError(str(exc)) from None
        options = ClientOptions(
            timeout=config.getoption("intacct_timeout"),
            retry=RetryPolicy(retries=config.getoption("intacct_retries")),
        )
        handed_over = [Snapshot.from_dict(data) for data in _workerinput(config).get(SNAPSHOTS_INPUT, [])]
        snapshots = list(pack.snapshots) if pack else handed_over
        run = AcceptanceRun(
            environments,
            profiles[environments[0].name],
            options,
            snapshots=snapshots,
            offline=pack is not None,
            profiles=profiles,
        )
        if not hasattr(config, "workerinput"):  # reporting happens once, in the controlling process
            infos = [_environment_info(e, profiles[e.name]) for e in environments]
            collector = ResultCollector(run.profile, infos, outputs)
            config.pluginmanager.register(collector, "intacct-results")
            if config.pluginmanager.hasplugin("html"):
                from pytest_intacct.reporting.html import HtmlReport, environment_metadata

                config.pluginmanager.register(HtmlReport(collector), "intacct-html")
                environment_metadata(config, run.profiles, list(run.environments))
        return cls(run, outputs, stack, record_path)

    def close(self) -> None:
        self._stack.close()

    # -- collection ----------------------------------------------------------------------

    def parametrize(self, metafunc: pytest.Metafunc) -> None:
        """One test per requirement and environment, or per environment for the user's own tests."""
        if "intacct_requirement" in metafunc.fixturenames:
            area = _area(metafunc.definition)
            if area is not None and area not in AREAS:
                pytest.fail(f"intacct_area({area!r}): unknown area; areas: {', '.join(AREAS)}", pytrace=False)
            metafunc.parametrize("intacct_requirement", self._requirement_params(area), indirect=True)
        elif "intacct_env" in metafunc.fixturenames:
            names = list(self.run.environments)
            metafunc.parametrize("intacct_env", names, indirect=True, ids=names, scope="session")

    def _requirement_params(self, area: str | None) -> list[Any]:
        """Each environment's requirements by its own profile, then each home's cross-environment ones."""
        params = []
        for name in [*self.run.environments, *self.run.homes]:
            across = name in self.run.homes
            for requirement in self.run.profile_of(name).requirements:
                if requirement.across_environments != across or area not in (None, requirement.area):
                    continue
                marks = [
                    getattr(pytest.mark, marker_name(requirement.area)),
                    getattr(pytest.mark, requirement.severity),
                ]
                params.append(
                    pytest.param((name, requirement), id=param_id(name, requirement.id), marks=marks)
                )
        return params

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """A suite area the profile has no requirements for is deselected, not reported as skipped."""
        profiles = self.run.profiles
        empty = [
            item
            for item in items
            if (area := _area(item)) and area in AREAS and not any(p.by_area(area) for p in profiles)
        ]
        if empty:
            items[:] = [item for item in items if item not in empty]
            config.hook.pytest_deselected(items=empty)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        from pytest_intacct.plugin import suites_dir

        lines = [f"intacct: profile {p.name} ({p.path})" for p in self.run.profiles]
        fleet = config.getoption("intacct_fleet")
        if fleet:
            lines.append(f"intacct: fleet {fleet}: {len(self.run.environments)} environments")
        for env in self.run.environments.values():
            kind = "production" if env.production else "test"
            c = env.credentials
            extra = f", profile {self.run.profile_of(env.name).name}" if len(self.run.profiles) > 1 else ""
            group = f", group {env.group}" if fleet else ""
            lines.append(
                f"intacct: {env.name}: company {c.company_id} at {c.endpoint} ({kind}{group}{extra})"
            )
        if self.run.offline:
            lines.append(f"intacct: replaying {config.getoption('intacct_replay')} (no gateway is contacted)")
        if config.args == [str(suites_dir())]:
            lines.append(f"intacct: suites {suites_dir()}")
        return lines

    # -- reading ahead -------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """Read every environment the selected tests judge, side by side, before the first test."""
        if session.items and not session.config.option.collectonly:
            self.run.prefetch(
                environments_of(
                    session.items,
                    self.run.environments,
                    {home.name: home.members for home in self.run.homes.values()},
                ),
                concurrency=session.config.getoption("intacct_concurrency"),
                progress=ProgressLine(session.config),
            )

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist: read every environment once, here, and hand the snapshots to each worker."""
        if node.config.option.collectonly:
            return
        concurrency = node.config.getoption("intacct_concurrency")
        self.run.prefetch(concurrency=concurrency, progress=ProgressLine(node.config))
        node.workerinput[SNAPSHOTS_INPUT] = [snapshot.to_dict() for snapshot in self.run.snapshots()]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._record_path is not None and not hasattr(session.config, "workerinput"):
            evidence.record(self._record_path, self.run.profile, self.run.snapshots())

    # -- one requirement -----------------------------------------------------------------

    def requirement(self, request: pytest.FixtureRequest) -> RequirementResult:
        """The ``intacct_requirement`` fixture: the verdict, mapped onto pytest's outcomes."""
        environment, requirement = request.param
        try:
            result = self.run.verdict(environment, requirement)
        except Exception as exc:  # a bug must cost one "could not check", never the requirement
            observed = f"not checked: {type(exc).__name__}: {redact(str(exc))}"
            result = RequirementResult(environment, requirement, Verdict.error(requirement.title, observed))
        result, waiver = apply_waiver(result, self.outputs.waivers, self.outputs.today)
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
                *row_drift_property(result, self.outputs.baseline),
            ]
        )
        from pytest_intacct.plugin import failure_message

        if waiver is not None:
            pytest.xfail(f"waived: {requirement.id}: {waiver.justification}")
        if verdict.outcome is Outcome.ERROR:
            pytest.fail(failure_message(result), pytrace=False)
        if verdict.outcome in (Outcome.MANUAL, Outcome.NOT_APPLICABLE):
            pytest.skip(f"{verdict.outcome.value}: {requirement.id}: {verdict.observed}")
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        result = item.stash.get(RESULT_KEY, None)
        if result is not None:
            report.intacct = to_report(result)  # type: ignore[attr-defined]
            final = report.when == "call" or (report.when == "setup" and not report.passed)
            if final and item.config.pluginmanager.hasplugin("html"):
                from pytest_intacct.reporting.html import row_extras

                extras = row_extras(result, self.outputs.waivers)
                report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
        return report


def _workerinput(config: pytest.Config) -> dict[str, Any]:
    return getattr(config, "workerinput", {})


def _area(node: pytest.Item) -> str | None:
    marker = node.get_closest_marker("intacct_area")
    return marker.args[0] if marker else None


# Every file a run writes, by option and its pytest name (pytest-html's and JUnit's included).
_OUTPUTS = {
    "--intacct-json": "intacct_json",
    "--intacct-markdown": "intacct_markdown",
    "--intacct-record": "intacct_record",
    "--intacct-journal": "intacct_journal",
    "--html": "htmlpath",
    "--junitxml": "xmlpath",
}


def _distinct_outputs(config: pytest.Config) -> None:
    """Two options naming one file would silently overwrite each other: a usage error instead."""
    seen: dict[Path, str] = {}
    for option, dest in _OUTPUTS.items():
        value = getattr(config.option, dest, None)
        if not value:
            continue
        path = Path(config.invocation_params.dir, value).resolve()
        if path in seen:
            raise SettingsError(f"{seen[path]} and {option} both write {path}; give each its own file")
        seen[path] = option


def _output(config: pytest.Config, option: str, dest: str) -> Path | None:
    value = config.getoption(dest)
    return output_path(option, value, config.invocation_params.dir) if value else None


def _environment_info(env: EnvironmentSettings, profile: Profile) -> EnvironmentInfo:
    c = env.credentials
    return EnvironmentInfo(
        env.name, profile, c.company_id, c.endpoint, env.production, c.user_id, c.sender_id, env.group
    )


def _environments(
    config: pytest.Config, names: list[str], stack: contextlib.ExitStack
) -> list[EnvironmentSettings]:
    fleet_path = config.getoption("intacct_fleet")
    fleet_settings: dict[str, dict[str, str]] = {}
    groups: dict[str, str] = {}
    if fleet_path:
        fleet = load_fleet(Path(config.invocation_params.dir, fleet_path))
        fleet = fleet.select(names) if names else fleet
        names = fleet.names
        fleet_settings = fleet_values(fleet, os.environ)
        groups = {entry.name: entry.group for entry in fleet.entries}
    real = [n for n in names if not is_demo(n)]
    demo = [n for n in names if is_demo(n)]
    loaded = load_environments(real, config.invocation_params.dir, fleet=fleet_settings, groups=groups)
    settings = {env.name: env for env in loaded}
    if demo:
        from pytest_intacct.simulator import ScenarioError

        scenario = config.getoption("intacct_scenario")
        journal_path = _output(config, "--intacct-journal", "intacct_journal")
        try:
            environments = stack.enter_context(demo_environments(demo, scenario, journal_path))
        except ScenarioError as exc:
            raise SettingsError(f"--intacct-scenario={scenario}: {exc}") from None
        settings |= {env.name: env for env in environments}
    return [settings[n] for n in names]


def _profiles(
    config: pytest.Config, environments: list[EnvironmentSettings], pack: evidence.EvidencePack | None
) -> dict[str, Profile]:
    """Each environment's profile: ``--intacct-profile`` for all, else the replayed one, else its own."""
    chosen = config.getoption("intacct_profile")
    if not chosen and pack is not None:
        # A replay judges by the recorded profile: its file if it is here, else the shipped one of its name.
        chosen = pack.profile_path if Path(pack.profile_path).is_file() else pack.profile_name
    if chosen:
        profile = validate_profile(load_profile(chosen))
        return {env.name: profile for env in environments}
    # A demo environment's profile is its scenario's, else the Trelica runbook's.
    missing = [env.name for env in environments if not env.profile and not is_demo(env.name)]
    if missing:
        raise SettingsError(
            f"no runbook profile for environment(s) {', '.join(missing)}: "
            "pass --intacct-profile NAME|PATH or set INTACCT_PROFILE (built-in: trelica, calance)"
        )
    loaded: dict[str, Profile] = {}  # each profile read once, however many environments name it
    for env in environments:
        ref = env.profile or DEFAULT_DEMO_PROFILE
        if ref not in loaded:
            loaded[ref] = validate_profile(load_profile(ref))
    return {env.name: loaded[env.profile or DEFAULT_DEMO_PROFILE] for env in environments}
