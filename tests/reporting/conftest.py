"""One demo run of the missing-permissions scenario whose artifacts several report tests read."""

from __future__ import annotations

import pytest

from tests.helpers.runs import run_with_artifacts


@pytest.fixture
def missing_permissions_run(pytester):
    return run_with_artifacts(pytester, "missing-permissions")
