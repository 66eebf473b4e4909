"""pytest-xdist: a group's companies (and their cross-environment requirements) on one worker.

The controller hands each worker whole units of work: every requirement test of the groups whose names
hash to one unit (:func:`~pytest_intacct.plugin.readahead.work_unit`). A worker reads a unit's
companies side by side when it starts the unit, so each company is read once, by the worker that tests
it. Other tests are shared out one by one, as ``--dist load`` does.

This is pytest-xdist's own scope scheduler with the scope taken from the test's parameter, not from
``xdist_group`` marks: with pytest 9.2 those no longer reach the scheduler
(pytest-dev/pytest-xdist#1386).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import parse_tx_spec_config


def workers(config: pytest.Config) -> int:
    """How many workers pytest-xdist starts."""
    return len(parse_tx_spec_config(config))


class WorkUnitScheduling(LoadScopeScheduling):
    """Scope scheduling whose scope is ``unit_of(nodeid)``, or the test itself when that is None."""

    def __init__(
        self, config: pytest.Config, log: Producer | None, unit_of: Callable[[str], str | None]
    ) -> None:
        super().__init__(config, log)
        self._unit_of = unit_of

    def _split_scope(self, nodeid: str) -> str:
        return self._unit_of(nodeid) or nodeid
