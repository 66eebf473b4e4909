"""``python -m pytest_intacct.simulator``: one JSON line once listening, a clean exit on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from pytest_intacct.simulator import ScenarioLogin

from .gateway_client import function, login_request, post

COMMAND = [sys.executable, "-m", "pytest_intacct.simulator"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_prints_one_json_line_serves_and_exits_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    journal = tmp_path / "journal.jsonl"
    process = subprocess.Popen(
        [*COMMAND, "--scenario", "trelica-ready", "--journal", str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {
            "endpoint",
            "sender_id",
            "sender_password",
            "company_id",
            "user_id",
            "user_password",
        }
        assert line["endpoint"].startswith("http://127.0.0.1:")
        assert line["endpoint"].endswith("/ia/xml/xmlgw.phtml")
        login = ScenarioLogin("primary", **{key: value for key, value in line.items() if key != "endpoint"})
        response = post(line["endpoint"], login_request(login, [function("<getAPISession/>")]))
        root = etree.fromstring(response.content)
        assert root.findtext("operation/authentication/status") == "success"
    finally:
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert stdout == ""  # nothing but the one line
    assert line["user_password"] not in stderr
    assert len(journal.read_text().splitlines()) == 1


def test_bad_scenario_is_one_line_on_stderr_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('extends = "trelica-ready"\n[gateway]\nsign_in_failure = "teapot"\n')
    result = subprocess.run([*COMMAND, "--scenario", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"error: {path}:3: key gateway.sign_in_failure:")
