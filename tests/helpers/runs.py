"""Acceptance runs through pytester, read back from the acceptance file, and what to compare in them."""

from __future__ import annotations

import json
import re

from pytest_intacct.profiles import load_profile

# The ids themselves are pinned by tests/profiles/test_profiles.py; here they give the order of outcomes.
TRELICA_IDS = [requirement.id for requirement in load_profile("trelica").requirements]

# The gateway gives every error a fresh Support ID; nothing else may differ between two runs.
SUPPORT_ID = re.compile(r"\[Support ID: [^\]]+\]")


def run_acceptance(pytester, *args: str):
    """Run the suites; return the pytest result and {environment: {requirement id: entry}}."""
    out = pytester.path / "acceptance.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--intacct-json={out}", *args)
    document = json.loads(out.read_text())
    by_env = {env["name"]: {r["id"]: r for r in env["requirements"]} for env in document["environments"]}
    return result, document, by_env


def outcomes(entries: dict) -> dict[str, str]:
    return {rid: entry["outcome"] for rid, entry in entries.items()}


def trelica(default: str, **overrides: str) -> dict[str, str]:
    expected = dict.fromkeys(TRELICA_IDS, default)
    expected.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return expected


def verdicts(by_env: dict) -> dict:
    return {
        (env, rid): (
            entry["outcome"],
            SUPPORT_ID.sub("[Support ID]", entry["observed"]),
            entry.get("root_cause"),
        )
        for env, entries in by_env.items()
        for rid, entry in entries.items()
    }


def run_with_artifacts(pytester, scenario: str, *args: str):
    """A demo run writing the go-live page, JUnit and Markdown; returns the result and their paths."""
    paths = {name: pytester.path / name for name in ("report.html", "junit.xml", "a.md")}
    result = pytester.runpytest(
        "--intacct-env=demo",
        f"--intacct-scenario={scenario}",
        f"--html={paths['report.html']}",
        "--self-contained-html",
        f"--junitxml={paths['junit.xml']}",
        f"--intacct-markdown={paths['a.md']}",
        "-rs",
        *args,
    )
    return result, paths
