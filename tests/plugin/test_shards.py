"""``--intacct-shard=K/N`` and ``python -m pytest_intacct.merge``: a fleet split across machines gives the
verdicts, outcomes and exit code of one run; a shard answers for its own groups only; a merge refuses
shards that do not make one run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_intacct import merge
from pytest_intacct.identity import Shard
from pytest_intacct.simulator import Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate
from tests.helpers.environments import simulated_fleet
from tests.helpers.runs import SUPPORT_ID

SHARDS = 4


@pytest.fixture
def fleet(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Nine companies in six groups: four READY, two NOT READY (missing permissions), one INCOMPLETE
    (locked out, diagnosed), across three simulators."""
    ready = Simulator(replicate(load_scenario("trelica-ready"), 4)).start()
    missing = Simulator(replicate(load_scenario("missing-permissions"), 3)).start()
    locked = Simulator(load_scenario("user-locked-out")).start()
    members = [
        ("acme-prod", "acme", ready, "primary-0001"),
        ("acme-sbx", "acme", ready, "primary-0002"),
        ("globex", "globex", ready, "primary-0003"),
        ("initech", "initech", ready, "primary-0004"),
        ("umbrella-1", "umbrella", missing, "primary-0001"),
        ("umbrella-2", "umbrella", missing, "primary-0002"),
        ("hooli", "hooli", missing, "primary-0003"),
        ("stark", "stark", locked, "primary"),
        ("wayne", "initech", ready, "primary-0001"),
    ]
    path = pytester.path / "fleet.toml"
    for variable, value in simulated_fleet(path, members).items():
        monkeypatch.setenv(variable, value)
    yield path
    for simulator in (ready, missing, locked):
        simulator.stop()


def run(pytester: pytest.Pytester, out: str, *args: str) -> tuple[int, dict]:
    result = pytester.runpytest("-p", "no:cacheprovider", f"--intacct-json={out}", *args)
    return int(result.ret), json.loads((pytester.path / out).read_text(encoding="utf-8"))


def outcomes(document: dict) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (env["name"], r["id"]): (r["outcome"], SUPPORT_ID.sub("[Support ID]", r["observed"]))
        for env in document["environments"]
        for r in env["requirements"]
    }


def shards(pytester: pytest.Pytester, fleet: Path, *args: str) -> list[tuple[int, dict]]:
    return [
        run(pytester, f"shard-{k}.json", f"--intacct-fleet={fleet}", f"--intacct-shard={k}/{SHARDS}", *args)
        for k in range(1, SHARDS + 1)
    ]


def merged(pytester: pytest.Pytester, *args: str) -> tuple[int, dict]:
    out = pytester.path / "merged.json"
    code = merge.main([*args, f"--json={out}"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_four_shards_merged_give_the_verdicts_outcomes_and_exit_code_of_one_run(pytester, fleet):
    whole_code, whole = run(pytester, "whole.json", f"--intacct-fleet={fleet}")
    parts = shards(pytester, fleet)
    code, document = merged(pytester, *(str(pytester.path / f"shard-{k}.json") for k in range(1, 5)))
    assert whole["verdict"] == "NOT READY"  # the fleet is mixed, so the comparison means something
    assert (code, document["verdict"]) == (whole_code, whole["verdict"]) == (1, "NOT READY")
    assert outcomes(document) == outcomes(whole)
    by_env = {env["name"]: env["verdict"] for env in whole["environments"]}
    assert {env["name"]: env["verdict"] for env in document["environments"]} == by_env
    # Every company was checked by exactly one shard, with all of its group.
    held = [
        {env["name"] for env in part["environments"] if not env["name"].startswith("*")} for _, part in parts
    ]
    assert sorted(name for names in held for name in names) == sorted(
        n for n in by_env if not n.startswith("*")
    )
    for names in held:
        assert ("acme-prod" in names) == ("acme-sbx" in names)
        assert ("initech" in names) == ("wayne" in names)


def test_the_split_is_a_hash_of_the_group_name_the_same_on_every_machine_and_night():
    # Pinned: sha256 of the name, never Python's per-process hash(), so every CI machine and every night
    # agree on which shard checks which customer.
    assert {
        g: k for g in ("acme", "globex", "stark", "default") for k in range(1, 5) if Shard(k, 4).holds(g)
    } == {
        "acme": 1,
        "globex": 4,
        "stark": 3,
        "default": 2,
    }


def test_an_empty_shard_exits_0_and_still_writes_its_files(pytester):
    # A plain --intacct-env list is one group ("default"): it falls in one shard, and the others are empty.
    empty = next(k for k in range(1, 4) if not Shard(k, 3).holds("default"))
    markdown = pytester.path / "shard.md"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", f"--intacct-shard={empty}/3",
        "--intacct-json=shard.json", f"--intacct-markdown={markdown}",
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [f"shard {empty}/3 holds 0 of the selection's 1 environments: nothing to check here"]
    )
    document = json.loads((pytester.path / "shard.json").read_text(encoding="utf-8"))
    assert document["environments"] == []
    assert document["shard"]["index"] == empty
    assert (document["shard"]["count"], document["shard"]["environments"]) == (3, 1)
    assert markdown.is_file()


def test_a_merge_refuses_a_missing_a_doubled_and_a_foreign_shard(pytester, fleet, capsys):
    shards(pytester, fleet)
    paths = [str(pytester.path / f"shard-{k}.json") for k in range(1, 5)]
    assert merge.main(paths[:3]) == merge.EXIT_USAGE
    assert "shard 4 of 4 missing" in capsys.readouterr().err
    assert merge.main([*paths, paths[1]]) == merge.EXIT_USAGE
    assert "shard 2/4 is given twice" in capsys.readouterr().err
    # A shard of another selection (the fleet without one group) does not belong with these.
    pytester.runpytest(
        "-p", "no:cacheprovider", f"--intacct-fleet={fleet}", "--intacct-env=acme-prod,acme-sbx,globex",
        "--intacct-shard=1/4", "--intacct-json=other-1.json",
    )  # fmt: skip
    assert merge.main([str(pytester.path / "other-1.json"), *paths[1:]]) == merge.EXIT_USAGE
    assert "not of one run" in capsys.readouterr().err
    # A run that was not sharded is not a shard.
    run(pytester, "whole.json", f"--intacct-fleet={fleet}")
    assert merge.main([str(pytester.path / "whole.json")]) == merge.EXIT_USAGE
    assert "written without --intacct-shard" in capsys.readouterr().err


def test_a_merge_refuses_shards_judged_by_different_versions_of_the_runbook(pytester, fleet, capsys):
    shards(pytester, fleet)
    edited = json.loads(
        (pytester.path / "shard-4.json").read_text(encoding="utf-8")
    )  # globex, initech, hooli
    edited["profiles"][0]["fingerprint"] = "sha256:" + "0" * 64
    (pytester.path / "shard-4.json").write_text(json.dumps(edited), encoding="utf-8")
    assert merge.main([str(pytester.path / f"shard-{k}.json") for k in range(1, 5)]) == merge.EXIT_USAGE
    assert "differs between" in capsys.readouterr().err


def test_drift_is_judged_at_the_merge_and_a_shard_never_reports_others_as_removed(pytester, fleet):
    _, whole = run(pytester, "baseline.json", f"--intacct-fleet={fleet}")
    baseline = pytester.path / "baseline.json"
    # The baseline also knew a company nobody checks any more.
    gone = {**whole["environments"][0], "name": "retired", "group": "retired"}
    whole["environments"].append(gone)
    baseline.write_text(json.dumps(whole), encoding="utf-8")
    parts = shards(pytester, fleet, f"--intacct-baseline={baseline}")
    retired_shard = next(k for k in range(1, 5) if Shard(k, SHARDS).holds("retired"))
    for k, (_, part) in enumerate(parts, start=1):
        removed = part["removed_environments"]
        assert set(removed) == ({"retired"} if k == retired_shard else set()), k
    code, document = merged(
        pytester, *(str(pytester.path / f"shard-{k}.json") for k in range(1, 5)), f"--baseline={baseline}",
        "--fail-on=new",
    )  # fmt: skip
    assert set(document["removed_environments"]) == {"retired"}
    assert document["summary"]["drift"]["unchanged"] == sum(
        len(env["requirements"]) for env in document["environments"]
    )
    assert code == 0  # nothing new since the baseline


def test_waivers_are_judged_once_over_the_whole_fleet(pytester, fleet):
    waivers = pytester.path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nrequirement = "permission-employees-edit"\nenvironment = "hooli"\n'
        'justification = "Edit comes with the Q3 role change"\n',
        encoding="utf-8",
    )
    parts = shards(pytester, fleet, f"--intacct-waivers={waivers}")
    states = {part["waivers"][0]["state"] for _, part in parts}
    assert "applied" in states
    assert len(states) > 1  # the shards without hooli cannot tell
    _, document = merged(pytester, *(str(pytester.path / f"shard-{k}.json") for k in range(1, 5)))
    assert [w["state"] for w in document["waivers"]] == ["applied"]


def test_replaying_two_packs_is_a_usage_error(pytester):
    result = pytester.runpytest("--intacct-replay=a.json", "--intacct-replay=b.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--intacct-replay is given 2 times (a.json, b.json)*merge*"])
