"""Reading while testing: the order tests run in, which environments each test needs, when an
environment's evidence can be forgotten, and what the terminal shows while a test waits.

Requirement tests run company by company (a group's companies, then the group's cross-environment
requirements), and the environments are read in that order in the background, so a company's tests run
as soon as its readings arrive. Under pytest-xdist each worker reads the environments of the units of
work it is handed (:mod:`pytest_intacct.plugin.scheduling`: every group of companies falls in one of
them), so each environment is still read once, by the worker that tests it.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import pytest

from pytest_intacct.client import Retrying
from pytest_intacct.evidence.lanes import Progress
from pytest_intacct.identity import group_slot

# A wait shorter than this shows no progress line at all.
PROGRESS_AFTER_SECONDS = 1.0
# Units of work per pytest-xdist worker: enough to share the work out, few enough that each worker
# reads many companies side by side.
UNITS_PER_WORKER = 4


def work_unit(group: str, units: int) -> str:
    """The unit of work (of ``units``) a group's tests run in under pytest-xdist."""
    return f"intacct-{group_slot(group, units)}"


def needs(item: pytest.Item, members: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The environments a test judges: its requirement's environment, all of a home's ``members``, or
    the environment of a test using ``intacct_env``; none for any other test."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    requirement = params.get("intacct_requirement")
    if isinstance(requirement, tuple):
        name = requirement[0]
        return tuple(members.get(name, (name,)))
    environment = params.get("intacct_env")
    return (environment,) if isinstance(environment, str) else ()


class ReadPlan:
    """The environments the selected tests judge, in run order, by unit of work (everything, or under
    pytest-xdist one of :func:`work_unit`), and how many tests each environment has left."""

    def __init__(
        self,
        items: Iterable[pytest.Item],
        members: Mapping[str, Sequence[str]],
        unit_of: Callable[[str], str] = lambda name: "",
    ) -> None:
        self._members = members
        self._left: Counter[str] = Counter()
        for item in items:
            self._left.update(needs(item, members))
        self._units: dict[str, list[str]] = {}
        self._started: set[str] = set()
        self._unit_of = {name: unit_of(name) for name in self._left}
        for name, unit in self._unit_of.items():
            self._units.setdefault(unit, []).append(name)

    def needs(self, item: pytest.Item) -> tuple[str, ...]:
        """The environments ``item`` judges."""
        return needs(item, self._members)

    def start(self, names: Iterable[str]) -> list[str]:
        """Every environment of the units of work ``names`` are in that no earlier call started, in run
        order: what to read now."""
        units = dict.fromkeys(self._unit_of[name] for name in names if name in self._unit_of)
        return [name for unit in units if unit not in self._started for name in self._start(unit)]

    def _start(self, unit: str) -> list[str]:
        self._started.add(unit)
        return self._units[unit]

    def done(self, item: pytest.Item) -> list[str]:
        """Count a test as done; the environments no test left to run needs."""
        finished = []
        for name in needs(item, self._members):
            self._left[name] -= 1
            if self._left[name] == 0:
                finished.append(name)
        return finished


def run_order(items: list[pytest.Item], rank: Mapping[str, tuple[int, int]]) -> list[pytest.Item]:
    """Requirement tests by ``rank`` of their environment or home (group, then place in the group), other
    tests where they were; stable, so within a company the suites' order stays."""
    judged = [_judged(item) for item in items]
    slots = [i for i, name in enumerate(judged) if name in rank]
    moved = sorted(slots, key=lambda i: rank[judged[i] or ""])
    ordered = list(items)
    for slot, moved_from in zip(slots, moved, strict=True):
        ordered[slot] = items[moved_from]
    return ordered


def _judged(item: pytest.Item) -> str | None:
    requirement = getattr(getattr(item, "callspec", None), "params", {}).get("intacct_requirement")
    return requirement[0] if isinstance(requirement, tuple) else None


@contextlib.contextmanager
def _terminal(config: pytest.Config) -> Iterator[pytest.TerminalReporter | None]:
    """The terminal reporter, with pytest's capturing of a test's output suspended meanwhile (so what is
    written reaches the screen); None when the run is quiet (``-q``) or not on a terminal."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        if reporter is None or config.get_verbosity() < 0 or not reporter.isatty():
            yield None
        else:
            yield reporter


class ProgressLine:
    """``intacct: read 12/200 environments, 1 could not be read`` rewritten in place on a terminal while
    a test waits for its environment; the line ends when the wait does.

    Silent under ``-q``, when the output is not a terminal, and for waits shorter than a second.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._started = time.monotonic()
        self._shown = False

    def __call__(self, progress: Progress) -> None:
        if not self._shown and time.monotonic() - self._started < PROGRESS_AFTER_SECONDS:
            return
        with _terminal(self._config) as reporter:
            if reporter is None:
                return
            self._shown = True
            failed = f", {progress.failures} could not be read" if progress.failures else ""
            reporter.rewrite(
                f"intacct: read {progress.done}/{progress.total} environments{failed}", erase=True
            )

    def end(self) -> None:
        """End the line, if one was shown, so the tests' own output starts on a fresh one."""
        if self._shown:
            with _terminal(self._config) as reporter:
                if reporter is not None:
                    reporter.write_line("")


class RetryNotice:
    """``intacct: prod: HTTP 503 from api.intacct.com; attempt 1 of 5 failed, trying again in 2s (at
    05:31:07)`` on a line of its own, so a wait never looks like a hang.

    Told from the threads that read environments, shown by the run's own thread (:meth:`show`: while a
    test waits, and between tests), so a notice never lands inside pytest's own line of results. Silent
    under ``-q`` and when the output is not a terminal, like :class:`ProgressLine`.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._pending: deque[str] = deque()

    def __call__(self, environment: str, retrying: Retrying) -> None:
        self._pending.append(f"intacct: {environment}: {retrying}")

    def show(self) -> None:
        """Write the notices told so far, each on a line of its own."""
        if not self._pending:
            return
        with _terminal(self._config) as reporter:
            while self._pending:
                notice = self._pending.popleft()
                if reporter is not None:
                    reporter.write_line(notice)
