"""``python -m pytest_intacct.simulator``: one JSON line once listening, a clean exit on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from pytest_intacct.simulator import ScenarioLogin

from .gateway_client import function, login_request, post

COMMAND = [sys.executable, "-m", "pytest_intacct.simulator"]
CREDENTIALS = ("sender_id", "sender_password", "company_id", "user_id", "user_password")


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
            "entity",
            "ca_file",
        }
        assert line["endpoint"].startswith("http://127.0.0.1:")
        assert line["endpoint"].endswith("/ia/xml/xmlgw.phtml")
        assert (line["entity"], line["ca_file"]) == (None, None)  # a top-level login, plain HTTP
        login = ScenarioLogin("primary", **{key: line[key] for key in CREDENTIALS})
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


@contextmanager
def serving(*arguments: str) -> Iterator[dict[str, Any]]:
    """Run the CLI, yield its JSON line, and stop it with SIGTERM (it must exit 0)."""
    process = subprocess.Popen(
        [*COMMAND, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_bad_scenario_is_one_line_on_stderr_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('extends = "trelica-ready"\n[gateway]\nsign_in_failure = "teapot"\n')
    result = subprocess.run([*COMMAND, "--scenario", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"error: {path}:3: key gateway.sign_in_failure:")


def test_the_json_line_names_the_entity_a_login_signs_in_at(write_scenario: Callable[..., Path]) -> None:
    path = write_scenario(
        """
        extends = "trelica-ready"
        [companies.TRELICA-DEMO]
        entities = ["UK"]
        [[logins]]
        name = "uk"
        sender_id = "TrelicaMPP"
        sender_password = "Trelica-sender-pass-1"
        company_id = "TRELICA-DEMO"
        user_id = "trelica_ws"
        user_password = "Trelica-ws-pass-1"
        entity = "UK"
        """
    )
    with serving("--scenario", str(path)) as line:
        assert line["entity"] == "UK"


def test_advertise_host_and_tls_serve_a_public_name_over_https() -> None:
    with serving("--scenario", "trelica-ready", "--advertise-host", "Sim.Intacct.COM", "--tls") as line:
        port = int(line["endpoint"].rsplit(":", 1)[1].split("/")[0])
        assert line["endpoint"] == f"https://sim.intacct.com:{port}/ia/xml/xmlgw.phtml"
        ca_file = Path(line["ca_file"])
        login = ScenarioLogin("primary", **{key: line[key] for key in CREDENTIALS})
        body = login_request(login, [function("<getAPISession/>")])
        # By address, the session endpoint names the address; by the advertised name, the name.
        for host, expected in [
            (f"127.0.0.1:{port}", "127.0.0.1"),
            (f"sim.intacct.com:{port}", "sim.intacct.com"),
        ]:
            response = requests.post(
                f"https://127.0.0.1:{port}/ia/xml/xmlgw.phtml",
                data=body,
                headers={"Host": host, "Content-Type": "application/xml"},
                verify=str(ca_file),
                timeout=10,
            )
            endpoint = etree.fromstring(response.content).findtext("operation/result/data/api/endpoint")
            assert endpoint == f"https://{expected}:{port}/na1/ia/xml/xmlgw.phtml"
    assert not ca_file.exists()  # the throwaway certificate goes with the process


@pytest.mark.parametrize("name", ["evil\r\nX-Injected: 1", "intacct.com/ia", "", "x" * 300])
def test_a_bad_advertise_host_is_one_line_on_stderr_and_exit_2(name: str) -> None:
    result = subprocess.run(
        [*COMMAND, "--scenario", "trelica-ready", "--advertise-host", name],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (2, "")
    (message,) = result.stderr.splitlines()
    assert message.startswith("error: --advertise-host ")
    assert message.endswith(" is not a host name or IP address")
