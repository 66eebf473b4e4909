"""The acceptance run inside pytest: one :class:`AcceptanceRun`, its tests, its reading while testing.

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
from pytest_intacct.evidence.lanes import Progress
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.plugin.collector import ResultCollector, to_report
from pytest_intacct.plugin.inputs import RunInputs, load_inputs
from pytest_intacct.plugin.junit import testcase_properties
from pytest_intacct.plugin.options import replay_path, suites_dir
from pytest_intacct.plugin.outcomes import RESULT_KEY, end_setup
from pytest_intacct.plugin.params import PARAM_ID, area_of, param_id, requirement_params
from pytest_intacct.plugin.readahead import (
    UNITS_PER_WORKER,
    ProgressLine,
    ReadPlan,
    RetryNotice,
    run_order,
    work_unit,
)
from pytest_intacct.profiles import AREAS, Requirement
from pytest_intacct.reporting.model import EnvironmentInfo
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult
from pytest_intacct.run import AcceptanceRun, ClientOptions
from pytest_intacct.safety.redaction import redact

# What pytest-xdist's controller hands each worker in ``workerinput``: the one date the run judges
# waivers on, and how many units of work it schedules (none: tests are shared out as the user chose);
# and what a recording worker hands back in ``workeroutput``: the snapshots it read.
TODAY_INPUT = "intacct_today"
UNITS_INPUT = "intacct_units"
SNAPSHOTS_OUTPUT = "intacct_snapshots"
# pytest-xdist schedules that would split a company's tests across workers (each would read it).
_SPLITTING = ("load", "loadscope", "loadfile", "worksteal")
# Environments the report header lists one by one; a fleet's others are counted.
HEADER_ENVIRONMENTS = 10


class AcceptancePlugin:
    """The run's pytest hooks, around one :class:`AcceptanceRun`."""

    def __init__(
        self,
        run: AcceptanceRun,
        inputs: RunInputs,
        stack: contextlib.ExitStack,
        *,
        notices: RetryNotice | None = None,
        html: bool = False,
    ) -> None:
        self.run = run
        self.inputs = inputs
        self._stack = stack
        self._plan: ReadPlan | None = None
        self._html = html  # details for pytest-html's rows are built only when its page is written
        self._notices = notices

    @classmethod
    def start(cls, config: pytest.Config) -> AcceptancePlugin:
        """Read every input and start demo simulators (each bad input is one usage error), then register
        the collector (and the pytest-html hooks) in the controlling process."""
        stack = contextlib.ExitStack()
        inputs = load_inputs(config, stack)
        handed = getattr(config, "workerinput", {})
        today = dt.date.fromisoformat(handed[TODAY_INPUT]) if TODAY_INPUT in handed else inputs.today
        notices = RetryNotice(config)
        run = AcceptanceRun(
            inputs.environments,
            inputs.profile,
            ClientOptions(
                timeout=config.getoption("intacct_timeout"),
                retry=RetryPolicy(retries=config.getoption("intacct_retries")),
                on_retry=notices,
            ),
            snapshots=inputs.replayed,
            offline=inputs.offline,
            profiles=inputs.profiles,
            waivers=inputs.waivers,
            today=today,
            keep_evidence="--intacct-record" in inputs.files,
        )
        if not hasattr(config, "workerinput"):  # reporting happens once, in the controlling process
            infos = [EnvironmentInfo(env.identity, inputs.profiles[env.name]) for env in inputs.environments]
            collector = ResultCollector(infos, inputs)
            config.pluginmanager.register(collector, "intacct-results")
            if config.pluginmanager.hasplugin("html"):
                from pytest_intacct.plugin.html import HtmlReport, environment_metadata

                config.pluginmanager.register(HtmlReport(collector), "intacct-html")
                environment_metadata(config, run.profiles, list(run.environments))
        html = bool(getattr(config.option, "htmlpath", None)) and config.pluginmanager.hasplugin("html")
        return cls(run, inputs, stack, notices=notices, html=html)

    def close(self) -> None:
        self.run.stop_reading()
        self._stack.close()

    # -- collection ----------------------------------------------------------------------

    def parametrize(self, metafunc: pytest.Metafunc) -> None:
        """One test per requirement and environment, or per environment for the user's own tests."""
        if "intacct_requirement" in metafunc.fixturenames:
            params = requirement_params(self._pairs(), area_of(metafunc.definition))
            metafunc.parametrize("intacct_requirement", params, indirect=True)
        elif "intacct_env" in metafunc.fixturenames:
            names = list(self.run.environments)
            metafunc.parametrize("intacct_env", names, indirect=True, ids=names, scope="session")

    def _pairs(self) -> list[tuple[str, Requirement]]:
        """Every (environment or home, requirement) the run judges, in run order."""
        return [
            (name, requirement)
            for name in [*self.run.environments, *self.run.homes]
            for requirement in self.run.profile_of(name).requirements
            if requirement.across_environments == (name in self.run.homes)
        ]

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """A suite area the profile has no requirements for is deselected, not reported as skipped, and so
        is every Intacct test of a run with no environments (an empty shard); the rest run company by
        company, in the order the companies are read."""
        profiles = self.run.profiles
        empty = [
            item
            for item in items
            if ((area := area_of(item)) and area in AREAS and not any(p.by_area(area) for p in profiles))
            or (not self.run.environments and _intacct_test(item))
        ]
        if empty:
            items[:] = [item for item in items if item not in empty]
            config.hook.pytest_deselected(items=empty)
        items[:] = run_order(items, self._rank())

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """What the selected tests (``-k``, ``-m`` and the like applied) will read, and in what order."""
        members = {home.name: home.members for home in self.run.homes.values()}
        units = getattr(session.config, "workerinput", {}).get(UNITS_INPUT)
        unit_of = (lambda name: work_unit(self.run.group_of(name), units)) if units else (lambda name: "")
        self._plan = ReadPlan(session.items, members, unit_of)

    def _rank(self) -> dict[str, tuple[int, int]]:
        """Where an environment's (or a home's) tests run: by group as groups first appear, within a group
        in the run's order, a group's homes after its environments."""
        groups: dict[str, int] = {}
        rank = {}
        for place, (name, env) in enumerate(self.run.environments.items()):
            rank[name] = (groups.setdefault(env.identity.group, len(groups)), place)
        for home in self.run.homes.values():
            rank[home.name] = (groups[home.group], len(rank))
        return rank

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        lines = [f"intacct: profile {p.name} ({p.path})" for p in self.run.profiles]
        fleet = config.getoption("intacct_fleet")
        if fleet:
            lines.append(f"intacct: fleet {fleet}: {len(self.run.environments)} environments")
        shown = list(self.run.environments.values())
        for env in shown[:HEADER_ENVIRONMENTS]:
            i = EnvironmentInfo(env.identity, self.run.profile_of(env.name)).identity  # as reports show it
            extra = f", profile {self.run.profile_of(env.name).name}" if len(self.run.profiles) > 1 else ""
            group = f", group {i.group}" if fleet else ""
            lines.append(
                f"intacct: {i.name}: company {i.company_id} at {i.endpoint} ({i.kind}{group}{extra})"
            )
        if len(shown) > HEADER_ENVIRONMENTS:
            lines.append(f"intacct: and {len(shown) - HEADER_ENVIRONMENTS} more environments")
        if self.run.offline:
            lines.append(f"intacct: replaying {replay_path(config)} (no gateway is contacted)")
        if config.args == [str(suites_dir())]:
            lines.append(f"intacct: suites {suites_dir()}")
        if self._scheduling(config):
            lines.append("intacct: pytest-xdist runs each group's environments on one worker")
        return lines + [f"intacct: warning: {notice}" for notice in self.inputs.notices]

    # -- reading while testing -----------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Start reading the test's unit of work (everything, or its xdist group) if that has not begun,
        and wait for the environments the test judges, showing progress while the wait is long."""
        if self._plan is None:
            return
        needed = self._plan.needs(item)
        if not needed:
            return
        unread = self._plan.start(needed)
        if unread:
            self.run.read_ahead(unread, concurrency=item.config.getoption("intacct_concurrency"))
        line = ProgressLine(item.config)

        def waiting(progress: Progress) -> None:
            self._show_notices()
            line(progress)

        self.run.wait(needed, on_wait=waiting)
        line.end()
        self._show_notices()

    def pytest_runtest_logfinish(self) -> None:
        self._show_notices()

    def _show_notices(self) -> None:
        if self._notices is not None:
            self._notices.show()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        """Once an environment's last test is done, the run forgets its evidence (memory stays flat)."""
        try:
            return (yield)
        finally:
            if self._plan is not None:
                for name in self._plan.done(item):
                    self.run.release(name)

    # -- pytest-xdist --------------------------------------------------------------------

    @staticmethod
    def _scheduling(config: pytest.Config) -> bool:
        """Whether pytest-xdist shares tests out in a way that would split a company across workers (so
        the run schedules them by unit of work instead)."""
        return bool(config.getoption("numprocesses", None)) and config.getoption("dist", "no") in _SPLITTING

    def _units(self, config: pytest.Config) -> int:
        """Units of work the tests are scheduled in (0: pytest-xdist shares them out as the user chose)."""
        if not self._scheduling(config):
            return 0
        from pytest_intacct.plugin.scheduling import workers

        return workers(config) * UNITS_PER_WORKER

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist: every worker judges waivers on the controller's date, and knows the units of work."""
        node.workerinput[TODAY_INPUT] = self.run.today.isoformat()
        node.workerinput[UNITS_INPUT] = self._units(node.config)

    @pytest.hookimpl(optionalhook=True, tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        """pytest-xdist: each group's tests go to one worker, as units of work (plugin.scheduling)."""
        if not self._scheduling(config):
            return None
        from pytest_intacct.plugin.scheduling import WorkUnitScheduling

        units = self._units(config)
        by_id = {
            param_id(name, requirement.id): work_unit(self.run.group_of(name), units)
            for name, requirement in self._pairs()
        }
        by_id.update((name, work_unit(self.run.group_of(name), units)) for name in self.run.environments)

        def unit_of(nodeid: str) -> str | None:
            match = PARAM_ID.search(nodeid)
            return by_id.get(match.group(1)) if match else None

        return WorkUnitScheduling(config, log, unit_of)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """pytest-xdist: a recording run keeps the snapshots each worker read."""
        output = getattr(node, "workeroutput", {})
        self.run.keep([Snapshot.from_dict(data) for data in output.get(SNAPSHOTS_OUTPUT, [])])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.run.stop_reading()
        record = self.inputs.files.get("--intacct-record")
        if record is None:
            return
        if hasattr(session.config, "workerinput"):
            output = session.config.workeroutput  # type: ignore[attr-defined]
            output[SNAPSHOTS_OUTPUT] = [snapshot.to_dict() for snapshot in self.run.snapshots()]
        else:
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
        """The report that ends a requirement's test (its call, or a setup that did not pass) carries the
        result; a row's details are built for pytest-html only where they help: not for a pass."""
        report = yield
        result = item.stash.get(RESULT_KEY, None)
        final = report.when == "call" or (report.when == "setup" and not report.passed)
        if result is None or not final:
            return report
        report.intacct = to_report(result)  # type: ignore[attr-defined]
        if self._html and result.outcome is not Outcome.PASS:
            from pytest_intacct.plugin.html import row_extras

            extras = row_extras(result, self.run.waiver_of(result))
            report.extras = [*getattr(report, "extras", []), *extras]  # type: ignore[attr-defined]
        return report


def _intacct_test(item: pytest.Item) -> bool:
    """Whether a test is parametrized by the run's environments (a requirement's, or one using
    ``intacct_env``)."""
    names = getattr(item, "fixturenames", ())
    return "intacct_requirement" in names or "intacct_env" in names
