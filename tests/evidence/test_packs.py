"""Evidence packs: a run recorded once is judged again offline, with no gateway and no credentials."""

from __future__ import annotations

import json

import pytest

from tests.helpers.runs import outcomes, run_acceptance


def recorded_run(pytester, scenario: str, env: str = "demo"):
    pack = pytester.path / "evidence.json"
    _, document, by_env = run_acceptance(
        pytester, f"--intacct-env={env}", f"--intacct-scenario={scenario}", f"--intacct-record={pack}"
    )
    return pack, document, by_env


@pytest.mark.parametrize(
    ("scenario", "env"),
    [
        ("missing-permissions", "demo"),
        ("sender-not-authorized", "demo"),
        ("calance-ready", "demo:test,demo:production"),
        ("ip-filtered", "demo"),  # the REST API's readings: the filter mode
        ("rest-token-refused", "demo"),  # the REST token's refusal, and its root cause
    ],
)
def test_a_replay_gives_the_recorded_outcomes_without_a_gateway(pytester, scenario, env):
    pack, recorded, recorded_by_env = recorded_run(pytester, scenario, env)
    journal = pytester.path / "replay-journal.jsonl"
    result, replayed, replayed_by_env = run_acceptance(
        pytester, f"--intacct-replay={pack}", f"--intacct-journal={journal}"
    )
    assert {name: outcomes(entries) for name, entries in replayed_by_env.items()} == {
        name: outcomes(entries) for name, entries in recorded_by_env.items()
    }
    assert replayed["verdict"] == recorded["verdict"]
    assert replayed["root_causes"] == recorded["root_causes"]
    assert not journal.exists(), "no simulator was started, so no request was made"
    result.stdout.fnmatch_lines([f"intacct: replaying {pack} (no gateway is contacted)"])


def test_a_pack_is_versioned_and_names_its_profile(pytester):
    pack, _, _ = recorded_run(pytester, "trelica-ready")
    document = json.loads(pack.read_text())
    assert document["format"] == "pytest-intacct-evidence"
    assert document["version"] == 3  # 3: snapshots with the REST API's token and readings
    assert document["profile"]["name"] == "trelica"
    assert [s["environment"] for s in document["snapshots"]] == ["demo"]


def test_a_replay_can_select_one_recorded_environment(pytester):
    pack, _, _ = recorded_run(pytester, "calance-ready", "demo:test,demo:production")
    _, _, by_env = run_acceptance(pytester, f"--intacct-replay={pack}", "--intacct-env=demo:production")
    assert set(by_env) == {"demo:production", "*"}  # "*": cross-environment, n/a with one environment


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "*not JSON*"),
        ('{"format": "something-else"}', "*not an evidence pack written by --intacct-record"),
        ('{"format": "pytest-intacct-evidence", "version": 99}', "*evidence pack version 99*"),
        ('{"format": "pytest-intacct-evidence", "version": 1, "profile": {}}', "*malformed evidence pack*"),
    ],
)
def test_a_bad_pack_is_a_usage_error(pytester, content, message):
    pack = pytester.path / "pack.json"
    pack.write_text(content)
    result = pytester.runpytest(f"--intacct-replay={pack}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --intacct-replay={pack}: {message}"])


def test_replaying_an_environment_the_pack_lacks_names_the_ones_it_has(pytester):
    pack, _, _ = recorded_run(pytester, "trelica-ready")
    result = pytester.runpytest(f"--intacct-replay={pack}", "--intacct-env=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: the evidence pack holds no environment 'prod'; it holds 'demo'"])
