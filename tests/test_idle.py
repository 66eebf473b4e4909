"""Without an Intacct run, the plugin costs a pytest start almost nothing: it imports no client code."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("requests", "urllib3", "lxml", "dotenv", "pytest_intacct.client", "pytest_intacct.simulator")


def test_the_entry_point_imports_no_client_code():
    probe = (
        "import sys, pytest; before = set(sys.modules); import pytest_intacct.plugin; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "pytest_intacct.plugin" in loaded
    assert [m for m in loaded if m.startswith(HEAVY)] == []


def test_a_plain_run_does_not_start_the_acceptance_run(pytester):
    pytester.makepyfile(
        "import sys\n\ndef test_plain():\n    assert 'pytest_intacct.client' not in sys.modules\n"
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
