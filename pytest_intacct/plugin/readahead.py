"""Reading every environment a run needs before its tests start: side by side, with progress and
retries shown.

The tests then judge snapshots already in memory. Under pytest-xdist the controlling process reads each
environment once and hands the snapshots to the workers, so no environment is read twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping

import pytest

from pytest_intacct.client import Retrying
from pytest_intacct.evidence.lanes import Progress
from pytest_intacct.results.homes import is_home

# A run quicker than this shows no progress line at all.
PROGRESS_AFTER_SECONDS = 1.0
# Retries are told from the threads that read environments, the progress line from the run's own.
_TERMINAL = threading.Lock()


def environments_of(
    items: Iterable[pytest.Item],
    names: Iterable[str],
    members: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """The environments the selected items judge, in run order; a cross-environment one needs its home's
    ``members`` (every environment when the home is not listed)."""
    names = list(names)
    members = members or {}
    needed: set[str] = set()
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        requirement = params.get("intacct_requirement")
        if isinstance(requirement, tuple):
            environment = requirement[0]
            if is_home(environment):
                needed |= set(members.get(environment, names))
            else:
                needed.add(environment)
        elif params.get("intacct_env") in names:
            needed.add(params["intacct_env"])
    return [name for name in names if name in needed]


def _terminal(config: pytest.Config) -> pytest.TerminalReporter | None:
    """The terminal reporter, unless the run is quiet (``-q``) or not on a terminal."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or config.get_verbosity() < 0 or not reporter.isatty():
        return None
    return reporter


class ProgressLine:
    """``intacct: read 12/200 environments, 1 could not be read`` rewritten in place on a terminal.

    Silent under ``-q``, when the output is not a terminal, and for runs quicker than a second.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._reporter = _terminal(config)
        self._started = time.monotonic()
        self._shown = False

    def __call__(self, progress: Progress) -> None:
        if self._reporter is None:
            return
        if not self._shown and time.monotonic() - self._started < PROGRESS_AFTER_SECONDS:
            return
        self._shown = True
        failed = f", {progress.failures} could not be read" if progress.failures else ""
        with _TERMINAL:
            self._reporter.rewrite(
                f"intacct: read {progress.done}/{progress.total} environments{failed}", erase=True
            )
            if progress.done == progress.total:
                self._reporter.write_line("")


class RetryNotice:
    """``intacct: prod: HTTP 503 from api.intacct.com; attempt 1 of 5 failed, trying again in 2s (at
    05:31:07)`` on a line of its own, so a wait never looks like a hang.

    Silent under ``-q`` and when the output is not a terminal, like :class:`ProgressLine`.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config  # made before the terminal reporter is: it is looked up when there is news

    def __call__(self, environment: str, retrying: Retrying) -> None:
        reporter = _terminal(self._config)
        if reporter is None:
            return
        with _TERMINAL:
            reporter.rewrite(f"intacct: {environment}: {retrying}", erase=True)
            reporter.write_line("")
