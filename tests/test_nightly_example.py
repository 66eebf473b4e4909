"""examples/nightly/nightly.sh against the simulator: alerts only on change, and an INCOMPLETE night
never becomes the baseline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "examples" / "nightly" / "nightly.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_three_nights(tmp_path):
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ENV_NAME": "demo",
        "STATE_DIR": str(tmp_path),
    }

    def night(scenario: str) -> int:
        run_env = {**env, "PYTEST_ADDOPTS": f"--intacct-scenario={scenario} -p no:cacheprovider"}
        return subprocess.run([str(SCRIPT)], env=run_env, capture_output=True, timeout=120).returncode

    def baseline_verdict() -> str:
        return json.loads((tmp_path / "baseline.json").read_text())["verdict"]

    assert night("trelica-ready") == 0
    assert baseline_verdict() == "READY"
    assert night("no-permission-visibility") == 10  # new errors alert ...
    assert baseline_verdict() == "READY"  # ... and the INCOMPLETE night is not the next baseline
    assert night("missing-permissions") == 1
    assert baseline_verdict() == "NOT READY"
    assert len(list((tmp_path / "reports").glob("*.html"))) >= 1
