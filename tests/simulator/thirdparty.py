"""Third-party Intacct clients for the conformance tests: where they are installed, and how they reach the
simulator under a public ``*.intacct.com`` name, over TLS, with name resolution confined to the client's own
process (``clients/js/loopback.js``, ``clients/loopback.py``; never /etc/hosts).

Installs are pinned, bounded in time, cached in git-ignored folders under ``clients/`` and serialised with a
file lock, so parallel pytest-xdist workers install once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_intacct.simulator import Simulator

CLIENTS = Path(__file__).parent / "clients"
JS_DIR = CLIENTS / "js"
PYINTACCT_DIR = CLIENTS / "pyintacct"
RESTSDK_DIR = CLIENTS / "restsdk"
# Advertised only to these tests' clients; their own process resolves it to 127.0.0.1 and nothing else.
PUBLIC_NAME = "pytest-intacct-simulator.intacct.com"
INSTALL_TIMEOUT = 300  # seconds for one npm or pip install
CLIENT_TIMEOUT = 120  # seconds for one client process to run all its calls
SCENARIO = Path(__file__).parent / "data" / "clients.toml"
JS_SDK = "@intacct/intacct-sdk"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (one xdist worker installs, the others wait and reuse)."""
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"{what} failed ({' '.join(command)}):\n{error.stdout}\n{error.stderr}")
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took longer than {INSTALL_TIMEOUT} s ({' '.join(command)})")


def js_sdk() -> Path:
    """The folder holding Sage's JS SDK at the version ``clients/js/package.json`` pins, installed with
    ``npm ci`` if missing. Skips without node or npm, except under CI, where .ci/run installs both."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if in_ci():
            pytest.fail("node and npm are missing; .ci/run installs them (Debian: nodejs npm)")
        pytest.skip("Sage's JS SDK needs node and npm (Debian: apt-get install nodejs npm)")
    pinned = json.loads((JS_DIR / "package.json").read_text())["dependencies"][JS_SDK]
    installed = JS_DIR / "node_modules" / JS_SDK / "package.json"
    with exclusive(JS_DIR / ".install.lock"):
        if not installed.is_file() or json.loads(installed.read_text())["version"] != pinned:
            _run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], JS_DIR, "installing the JS SDK"
            )
    return JS_DIR


def isolated_python(folder: Path) -> Path:
    """The interpreter of a virtual environment of its own in ``folder/.venv`` holding
    ``folder/requirements.txt`` (rebuilt when that file changes); the project's environment is untouched."""
    venv, requirements = folder / ".venv", (folder / "requirements.txt").read_text()
    stamp, python = venv / ".requirements.txt", venv / "bin" / "python"
    with exclusive(folder / ".install.lock"):
        if not python.is_file() or not stamp.is_file() or stamp.read_text() != requirements:
            _run(
                [sys.executable, "-m", "venv", "--clear", str(venv)], folder, "creating a virtual environment"
            )
            pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            _run([*pip, "-r", "requirements.txt"], folder, f"installing {folder.name}")
            stamp.write_text(requirements)
    return python


def target(simulator: Simulator, **overrides: str) -> dict[str, str]:
    """What a client needs to sign in: the simulator's login URL and its primary login."""
    login = simulator.primary_login
    return {
        "endpoint": simulator.endpoint,
        "sender_id": login.sender_id,
        "sender_password": login.sender_password,
        "company_id": login.company_id,
        "user_id": login.user_id,
        "user_password": login.user_password,
        **overrides,
    }


def public_simulators(stack: ExitStack) -> dict[str, Simulator]:
    """One TLS simulator per role, each advertising :data:`PUBLIC_NAME`: ``main`` (a compliant company),
    ``denied`` (a role lacking AP Adjustments), ``throttled`` (every request 429), ``unavailable`` (every
    request 503) and ``flaky`` (the first request 503)."""
    scenarios = {
        "main": SCENARIO,
        "denied": "missing-permissions",
        "throttled": "trelica-ready",
        "unavailable": "trelica-ready",
        "flaky": "trelica-ready",
    }
    simulators = {
        role: stack.enter_context(Simulator(scenario, advertise_host=PUBLIC_NAME, tls=True))
        for role, scenario in scenarios.items()
    }
    simulators["throttled"].faults.throttle_next(100)
    simulators["unavailable"].faults.fail_every(1, 503)
    simulators["flaky"].faults.fail_next(1, 503)
    return simulators


def rest_target(simulator: Simulator, **overrides: str) -> dict[str, str]:
    """What a REST client needs: the simulator's REST base URL and its primary login's client credentials."""
    login = simulator.primary_login
    return {
        "base_url": simulator.rest_endpoint,
        "client_id": str(login.rest_client_id),
        "client_secret": str(login.rest_client_secret),
        "username": f"{login.user_id}@{login.company_id}",
        **overrides,
    }


def public_rest_simulators(stack: ExitStack) -> dict[str, Simulator]:
    """One TLS simulator per role for the REST conformance test, each advertising :data:`PUBLIC_NAME`:
    ``main`` (a multi-entity compliant company), ``denied`` (the REST user may not read users),
    ``throttled`` (every request 429) and ``unavailable`` (every request 503)."""
    scenarios = {
        "main": Path(__file__).parent / "data" / "rest.toml",
        "denied": "runbook-exact",
        "throttled": "trelica-ready",
        "unavailable": "trelica-ready",
    }
    simulators = {
        role: stack.enter_context(Simulator(scenario, advertise_host=PUBLIC_NAME, tls=True))
        for role, scenario in scenarios.items()
    }
    simulators["throttled"].faults.throttle_next(100)
    simulators["unavailable"].faults.fail_every(1, 503)
    return simulators


def ca_bundle(simulators: dict[str, Simulator], path: Path) -> Path:
    """One PEM file trusting the throwaway certificates of ``simulators``."""
    path.write_text("".join(Path(str(sim.ca_file)).read_text() for sim in simulators.values()))
    return path


@dataclass
class ClientRun:
    """What a client's driver said of each call it made, and the simulators it made them to."""

    results: dict[str, Any]
    simulators: dict[str, Simulator]

    def value(self, call: str) -> Any:
        outcome = self.results[call]
        assert outcome["ok"], outcome.get("error")
        return outcome["value"]

    def error(self, call: str) -> dict[str, Any]:
        outcome = self.results[call]
        assert not outcome["ok"], outcome.get("value")
        return outcome["error"]


def run_calls(
    folder: Path, python: Path, plan: dict[str, Any], bundle: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``folder``'s Python driver (``calls.py``) on ``plan`` (JSON on its stdin), trusting ``bundle``."""
    return subprocess.run(
        [str(python), "calls.py"],
        cwd=folder,
        input=json.dumps(plan),
        env=client_env(REQUESTS_CA_BUNDLE=str(bundle), **env),
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
    )


def client_env(**extra: str) -> dict[str, str]:
    """A clean environment for a client process: PATH only (no INTACCT_* settings leak in), plus ``extra``."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(CLIENTS),  # the Python drivers' shared loopback.py
        "INTACCT_LOOPBACK_NAME": PUBLIC_NAME,
        **extra,
    }
