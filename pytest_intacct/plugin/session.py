"""The acceptance run inside pytest: one :class:`AcceptanceRun`, its tests, its reading ahead.

Registered by :mod:`pytest_intacct.plugin` only when a run asks for Intacct environments
(``--intacct-env``, ``--intacct-fleet`` or ``--intacct-replay``), so a plain pytest start never
imports the client, lxml or requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Generator
from typing import Any

import pytest

from pytest_intacct.client import RetryPolicy
from pytest_intacct.evidence import packs
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.plugin.collector import ResultCollector, to_report
from pytest_intacct.plugin.inputs import RunInputs, load_inputs
from pytest_intacct.plugin.junit import testcase_properties
from pytest_intacct.plugin.options import suites_dir
from pytest_intacct.plugin.outcomes import RESULT_KEY, end_setup
from pytest_intacct.plugin.params import area_of, requirement_params
from pytest_intacct.plugin.readahead import ProgressLine, RetryNotice, environments_of
from pytest_intacct.profiles import AREAS
from pytest_intacct.reporting.model import EnvironmentInfo
from pytest_intacct.results.finding import Finding, RequirementResult
from pytest_intacct.run import AcceptanceRun, ClientOptions
from pytest_intacct.safety.redaction import redact

# What pytest-xdist's controller hands each worker in ``workerinput``: the snapshots it read, and the
# one date the run judges waivers on.
SNAPSHOTS_INPUT = "intacct_snapshots"
TODAY_INPUT = "intacct_today"


class AcceptancePlugin:
    """The run's pytest hooks, around one :class:`AcceptanceRun`."""

    def __init__(self, run: AcceptanceRun, inputs: RunInputs, stack: contextlib.ExitStack) -> None:
        self.run = run
        self.inputs = inputs
        self._stack = stack

    @classmethod
    def start(cls, config: pytest.Config) -> AcceptancePlugin:
        """Read every input and start demo simulators (each bad input is one usage error), then register
        the collector (and the pytest-html hooks) in the controlling process."""
        stack = contextlib.ExitStack()
        inputs = load_inputs(config, stack)
        handed = getattr(config, "workerinput", {})
        today = dt.date.fromisoformat(handed[TODAY_INPUT]) if TODAY_INPUT in handed else inputs.today
        snapshots = [Snapshot.from_dict(data) for data in handed.get(SNAPSHOTS_INPUT, [])]
        run = AcceptanceRun(
            inputs.environments,
            inputs.profiles[inputs.environments[0].name],
            ClientOptions(
                timeout=config.getoption("intacct_timeout"),
                retry=RetryPolicy(retries=config.getoption("intacct_retries")),
                on_retry=RetryNotice(config),
            ),
            snapshots=[*inputs.replayed, *snapshots],
            offline=inputs.offline,
            profiles=inputs.profiles,
            waivers=inputs.waivers,
            today=today,
        )
        if not hasattr(config, "workerinput"):  # reporting happens once, in the controlling process
            infos = [EnvironmentInfo(env.identity, inputs.profiles[env.name]) for env in inputs.environments]
            collector = ResultCollector(infos, inputs)
            config.pluginmanager.register(collector, "intacct-results")
            if config.pluginmanager.hasplugin("html"):
                from pytest_intacct.plugin.html import HtmlReport, environment_metadata

                config.pluginmanager.register(HtmlReport(collector), "intacct-html")
                environment_metadata(config, run.profiles, list(run.environments))
        return cls(run, inputs, stack)

    def close(self) -> None:
        self._stack.close()

    # -- collection ----------------------------------------------------------------------

    def parametrize(self, metafunc: pytest.Metafunc) -> None:
        """One test per requirement and environment, or per environment for the user's own tests."""
        if "intacct_requirement" in metafunc.fixturenames:
            pairs = [
                (name, requirement)
                for name in [*self.run.environments, *self.run.homes]
                for requirement in self.run.profile_of(name).requirements
                if requirement.across_environments == (name in self.run.homes)
            ]
            params = requirement_params(pairs, area_of(metafunc.definition))
            metafunc.parametrize("intacct_requirement", params, indirect=True)
        elif "intacct_env" in metafunc.fixturenames:
            names = list(self.run.environments)
            metafunc.parametrize("intacct_env", names, indirect=True, ids=names, scope="session")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """A suite area the profile has no requirements for is deselected, not reported as skipped."""
        profiles = self.run.profiles
        empty = [
            item
            for item in items
            if (area := area_of(item)) and area in AREAS and not any(p.by_area(area) for p in profiles)
        ]
        if empty:
            items[:] = [item for item in items if item not in empty]
            config.hook.pytest_deselected(items=empty)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        lines = [f"intacct: profile {p.name} ({p.path})" for p in self.run.profiles]
        fleet = config.getoption("intacct_fleet")
        if fleet:
            lines.append(f"intacct: fleet {fleet}: {len(self.run.environments)} environments")
        for env in self.run.environments.values():
            i = EnvironmentInfo(env.identity, self.run.profile_of(env.name)).identity  # as reports show it
            extra = f", profile {self.run.profile_of(env.name).name}" if len(self.run.profiles) > 1 else ""
            group = f", group {i.group}" if fleet else ""
            lines.append(
                f"intacct: {i.name}: company {i.company_id} at {i.endpoint} ({i.kind}{group}{extra})"
            )
        if self.run.offline:
            lines.append(f"intacct: replaying {config.getoption('intacct_replay')} (no gateway is contacted)")
        if config.args == [str(suites_dir())]:
            lines.append(f"intacct: suites {suites_dir()}")
        return lines + [f"intacct: warning: {notice}" for notice in self.inputs.notices]

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
        node.workerinput[TODAY_INPUT] = self.run.today.isoformat()
        if node.config.option.collectonly:
            return
        concurrency = node.config.getoption("intacct_concurrency")
        self.run.prefetch(concurrency=concurrency, progress=ProgressLine(node.config))
        node.workerinput[SNAPSHOTS_INPUT] = [snapshot.to_dict() for snapshot in self.run.snapshots()]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        record = self.inputs.files.get("--intacct-record")
        if record is not None and not hasattr(session.config, "workerinput"):
            packs.record(record, self.run.profile, self.run.snapshots())

    # -- one requirement -----------------------------------------------------------------

    def requirement(self, request: pytest.FixtureRequest) -> RequirementResult:
        """The ``intacct_requirement`` fixture: the result, mapped onto pytest's outcomes."""
        environment, requirement = request.param
        try:
            result = self.run.result(environment, requirement)
        except Exception as exc:  # a bug must cost one "could not check", never the requirement
            observed = f"not checked: {type(exc).__name__}: {redact(str(exc))}"
            result = RequirementResult(environment, requirement, Finding.error(requirement.title, observed))
        waiver = self.run.waiver_of(result)
        request.node.stash[RESULT_KEY] = result
        # JUnit XML carries these as <properties> of the test case.
        request.node.user_properties.extend(
            testcase_properties(result, waived=waiver is not None, baseline=self.inputs.baseline)
        )
        end_setup(result, waiver)
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
                from pytest_intacct.plugin.html import row_extras

                extras = row_extras(result, self.run.waiver_of(result))
                report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
        return report
