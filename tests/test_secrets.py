"""Canary secrets: a full run with every artifact and DEBUG logging never shows a password or session id."""

from __future__ import annotations

import re

import pytest

SENDER_CANARY = "SenderCanary-8e1f2a"
USER_CANARY = "UserCanary-4b7c9d"
# Session ids end in ".." (intacct-xml-api.md §6); nothing else in a report looks like one.
SESSION_ID = re.compile(r"[A-Za-z0-9_\-~]{12,}\.\.")

CANARY_SCENARIO = f"""
extends = "{{base}}"

[[logins]]
name = "primary"
sender_id = "TrelicaMPP"
sender_password = "{SENDER_CANARY}"
company_id = "TRELICA-DEMO"
user_id = "trelica_ws"
user_password = "{USER_CANARY}"

[senders.TrelicaMPP]
password = "{SENDER_CANARY}"

[companies.TRELICA-DEMO.users.trelica_ws]
password = "{USER_CANARY}"
"""


@pytest.mark.parametrize("base", ["missing-permissions", "sender-not-authorized"])
def test_no_artifact_of_a_run_contains_a_secret(pytester, base):
    scenario = pytester.path / "canary.toml"
    scenario.write_text(CANARY_SCENARIO.replace("{base}", base))
    artifacts = {
        "html": pytester.path / "report.html",
        "junit": pytester.path / "junit.xml",
        "json": pytester.path / "acceptance.json",
        "journal": pytester.path / "journal.jsonl",
        "markdown": pytester.path / "acceptance.md",
    }
    result = pytester.runpytest(
        "--intacct-env=demo",
        f"--intacct-scenario={scenario}",
        f"--html={artifacts['html']}",
        "--self-contained-html",
        f"--junitxml={artifacts['junit']}",
        f"--intacct-json={artifacts['json']}",
        f"--intacct-journal={artifacts['journal']}",
        f"--intacct-markdown={artifacts['markdown']}",
        "--log-level=DEBUG",
        "-o",
        "log_cli=true",
        "-o",
        "log_cli_level=DEBUG",
        "-rA",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # both scenarios have findings
    texts = {name: path.read_text() for name, path in artifacts.items()}
    texts["terminal"] = result.stdout.str() + result.stderr.str()
    assert "NOT READY" in texts["markdown"]

    assert "<password>***</password>" in texts["terminal"], "the DEBUG request log ran, redacted"
    for name, text in texts.items():
        assert SENDER_CANARY not in text, name
        assert USER_CANARY not in text, name
        assert not SESSION_ID.search(text), name
