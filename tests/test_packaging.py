"""The built wheel, installed plainly, finds its suites, scenarios and page templates from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_installed_wheel_runs_the_shipped_suites_without_a_path(tmp_path):
    dist, site, empty = tmp_path / "dist", tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(dist),
        str(ROOT),
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("pytest_intacct-*.whl")
    installed = run(
        sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel), cwd=tmp_path
    )
    assert installed.returncode == 0, installed.stderr

    # The wheel's copy comes first on sys.path; the checkout's editable install is only a fallback.
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = run(
        sys.executable,
        "-m",
        "pytest",
        "--intacct-env=demo",
        "-p",
        "no:cacheprovider",
        "-v",
        "--intacct-fleet-report=fleet-report",
        cwd=empty,
        env=env,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"intacct: suites {site}/pytest_intacct/suites" in result.stdout
    assert "test_permission[demo-permission-employees-edit] PASSED" in result.stdout
    assert "19 passed, 1 skipped" in result.stdout
    assert f"{ROOT}/suites" not in result.stdout, (
        "the suites must come from the installed wheel, not the checkout"
    )
    # The pages' templates, styles and script ship in the wheel.
    assert "<script>" in (empty / "fleet-report" / "index.html").read_text()
    assert "Passed and not applicable" in (empty / "fleet-report" / "groups" / "default.html").read_text()
