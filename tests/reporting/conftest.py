"""One demo run of the missing-permissions scenario whose artifacts several report tests read: with IP
address filters enforced (this machine allowed), so the IP allowlist is a manual attestation with the
filter mode the REST API read."""

from __future__ import annotations

import pytest

from tests.helpers.runs import run_with_artifacts


@pytest.fixture
def missing_permissions_run(pytester):
    scenario = pytester.path / "missing-permissions-filtered.toml"
    scenario.write_text('extends = ["missing-permissions", "ip-filtered"]\n', encoding="utf-8")
    return run_with_artifacts(pytester, str(scenario))
