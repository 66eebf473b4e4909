"""docs/security.md section 8: every selected requirement ends in exactly one outcome: an unexpected exception
costs "could not check" for what it touched, never a requirement or a secret.
"""

from __future__ import annotations

import json

from tests.helpers.runs import TRELICA_IDS

CANARY = 'Boom-Canary-<"&\\-é'


RAISING_PLUGIN = f"""
from pytest_intacct.client import IntacctClient
from pytest_intacct.safety.redaction import Secret

CANARY = Secret({CANARY!r})
ORIGINAL = IntacctClient.sign_in


def sign_in(self):
    secret = CANARY.reveal()
    raise RuntimeError(f"unforeseen failure holding {{secret}}")


def pytest_configure(config):
    IntacctClient.sign_in = sign_in


def pytest_unconfigure(config):
    IntacctClient.sign_in = ORIGINAL
"""


def test_an_exception_during_collection_errors_every_requirement_without_its_secret(pytester):
    """An exception nobody foresaw in sign-in errors all 18 requirements, each listed, none leaking."""
    pytester.makepyfile(broken_sign_in=RAISING_PLUGIN)
    pytester.syspathinsert()
    out = pytester.path / "acceptance.json"
    result = pytester.runpytest(
        "-p",
        "broken_sign_in",
        "--intacct-env=demo",
        f"--intacct-json={out}",
        "-vv",
        "--tb=long",
        "--showlocals",
        "-rA",
        "--log-level=DEBUG",
    )
    result.assert_outcomes(errors=len(TRELICA_IDS))
    entries = json.loads(out.read_text())["environments"][0]["requirements"]
    assert [e["id"] for e in entries] == TRELICA_IDS
    errors = [e for e in entries if e["outcome"] == "error"]
    assert all("RuntimeError" in e["observed"] for e in errors), errors[0]["observed"]
    text = result.stdout.str() + result.stderr.str() + out.read_text()
    assert "Traceback" not in text
    assert CANARY not in text
    assert "unforeseen failure holding ***" in text
