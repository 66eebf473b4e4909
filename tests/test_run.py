"""The acceptance run as a library, without pytest: what a script or notebook would do."""

from __future__ import annotations

import json

import pytest

from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.identity import ACROSS_ENVIRONMENTS, Identity
from pytest_intacct.profiles import ProfileError, load_profile
from pytest_intacct.results.finding import Outcome
from pytest_intacct.run import AcceptanceRun
from pytest_intacct.safety.redaction import Secret
from pytest_intacct.settings.demo import demo_environments
from pytest_intacct.settings.environments import EnvironmentSettings


def test_a_script_gets_every_result_of_every_environment_reading_each_once():
    profile = load_profile("calance")
    with demo_environments(["demo:test", "demo:production"], "calance-ready") as environments:
        run = AcceptanceRun(environments, profile)
        results = run.results()
        snapshots = [run.snapshot(name) for name in ("demo:test", "demo:production")]

    per_environment = [r for r in profile.requirements if r.area != "across-environments"]
    assert len(results) == 2 * len(per_environment) + 2
    assert [r.environment for r in results[-2:]] == [ACROSS_ENVIRONMENTS, ACROSS_ENVIRONMENTS]
    assert {r.outcome for r in results} == {Outcome.PASS, Outcome.MANUAL, Outcome.NOT_APPLICABLE}
    assert [s.round_trips for s in snapshots] == [2, 2]


def test_a_snapshot_of_the_simulator_round_trips_through_json():
    profile = load_profile("calance")
    with demo_environments(["demo:test"], "calance-ready") as environments:
        snapshot = AcceptanceRun(environments, profile).snapshot("demo:test")
    assert snapshot.readings, "the calance profile declares reads"
    assert Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict()))) == snapshot


def test_a_collection_that_raises_makes_every_requirement_an_error_and_nothing_raises(monkeypatch):
    def broken(*args: object, **kwargs: object) -> Snapshot:
        raise ZeroDivisionError("paging arithmetic")

    monkeypatch.setattr("pytest_intacct.run.collect", broken)
    profile = load_profile("trelica")
    with demo_environments(["demo"], "trelica-ready") as environments:
        results = AcceptanceRun(environments, profile).results()
    assert len(results) == len(profile.requirements)
    assert {r.outcome for r in results} == {Outcome.ERROR}
    assert all("ZeroDivisionError: paging arithmetic" in r.finding.observed for r in results)


def test_a_profile_that_contradicts_the_registry_is_refused_by_the_library_too(tmp_path):
    text = load_profile("calance").path.read_text(encoding="utf-8")
    path = tmp_path / "broken.toml"
    path.write_text(text.replace('area = "across-environments"', 'area = "access"', 1), encoding="utf-8")
    with pytest.raises(ProfileError, match="compares environments"):
        AcceptanceRun([], load_profile(path))


@pytest.mark.parametrize(
    ("scenario", "settings", "failing"),
    [
        ("sender-bad-password", ["INTACCT_DEMO_SENDER_ID", "INTACCT_DEMO_SENDER_PASSWORD"], None),
        (
            "user-inactive",
            ["INTACCT_DEMO_USER_ID", "INTACCT_DEMO_USER_PASSWORD", "INTACCT_DEMO_COMPANY_ID"],
            "user-login",
        ),
    ],
)
def test_a_refused_sign_in_points_at_the_settings_and_blocks_the_rest(scenario, settings, failing):
    profile = load_profile("trelica")
    with demo_environments(["demo"], scenario) as environments:
        results = {r.requirement.id: r for r in AcceptanceRun(environments, profile).results()}
    explained = results[failing] if failing else results["user-login"]
    for name in settings:
        assert name in explained.finding.observed
    for rid, result in results.items():
        if rid == failing:
            assert result.outcome is Outcome.FAIL
            assert not result.finding.blocked
        else:
            assert result.outcome is Outcome.ERROR
            assert result.finding.blocked, rid
            assert result.finding.root_cause == failing


def test_cross_environment_requirements_are_judged_within_each_group_of_one_profile():
    def env(name: str, group: str) -> EnvironmentSettings:
        identity = Identity(name, name.upper(), "u", "S", "http://127.0.0.1:9", production=False, group=group)
        return EnvironmentSettings(identity, Secret("s"), Secret("p"))

    calance, trelica = load_profile("calance"), load_profile("trelica")
    envs = [env("a1", "acme"), env("a2", "acme"), env("g1", "globex"), env("a3", "acme")]
    run = AcceptanceRun(envs, calance, profiles={"a3": trelica}, offline=True)  # no gateway needed
    homes = {home.name: (home.group, home.profile, home.members) for home in run.homes.values()}
    assert homes == {
        "*acme@calance": ("acme", "calance", ("a1", "a2")),
        "*globex": ("globex", "calance", ("g1",)),
        "*acme@trelica": ("acme", "trelica", ("a3",)),
    }
    assert run.profile_of("a3") is not run.profile_of("a1")
    assert run.home_of("a2").name == "*acme@calance"
    across = [r for r in calance.requirements if r.across_environments]
    assert {
        (r.environment, r.requirement.id) for r in run.results() if r.requirement.across_environments
    } == {(home, r.id) for home in ("*acme@calance", "*globex") for r in across}


def test_only_an_explicit_production_false_lets_the_run_hand_out_a_writing_client(tmp_path):
    from pytest_intacct.client import WritePermit, WriteRefused
    from pytest_intacct.settings.environments import load_environments

    base = {
        "SENDER_ID": "TrelicaMPP",
        "SENDER_PASSWORD": "sender-pw-1234",
        "COMPANY_ID": "acme",
        "USER_ID": "trelica_ws",
        "USER_PASSWORD": "user-pw-5678",
    }
    environ = {f"INTACCT_{env}_{key}": value for env in ("SANDBOX", "QA") for key, value in base.items()}
    environ["INTACCT_QA_PRODUCTION"] = "false"
    sandbox, qa = load_environments(["sandbox", "qa"], tmp_path, environ)
    assert not sandbox.production  # a test company by default ...
    assert not sandbox.writes_allowed  # ... but never writable by default
    assert not qa.production
    assert qa.writes_allowed
    run = AcceptanceRun([sandbox, qa], load_profile("trelica"))
    permit = WritePermit("rehearse a deprovisioning in the sandbox")
    with pytest.raises(WriteRefused, match="INTACCT_SANDBOX_PRODUCTION=false set explicitly"):
        run.client("sandbox", write_permit=permit)
    with run.client("qa", write_permit=permit) as client:
        assert client.production is False


def test_reading_ahead_stays_a_window_ahead_of_what_the_tests_wait_for():
    """A fleet of thousands is not read into memory at once: background reading keeps at most two
    environments a request stream ahead of the furthest one waited for, and goes on as the tests do."""
    import time

    from pytest_intacct.settings.demo import login_settings
    from pytest_intacct.simulator import Simulator, load_scenario
    from pytest_intacct.simulator.replicate import replicate

    def read_when_settled(run: AcceptanceRun, at_least: int) -> int:
        deadline = time.monotonic() + 10
        while run.progress.done < at_least and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # time enough to read past the window, were it not there
        return run.progress.done

    with Simulator(replicate(load_scenario("trelica-ready"), 12)) as simulator:
        environments = [
            login_settings(login.name, login, simulator.endpoint, production=False)
            for login in simulator.logins.values()
        ]
        names = [env.name for env in environments]
        run = AcceptanceRun(environments, load_profile("trelica"))
        run.read_ahead(names, concurrency=1)
        try:
            run.wait(names[:1])
            assert read_when_settled(run, 3) == 3  # the first, and the two after it
            run.wait(names[7:8])
            assert read_when_settled(run, 10) == 10
            run.wait(names[-1:])
            assert run.progress.done == 12
        finally:
            run.stop_reading()
    sign_ins = [entry for entry in simulator.journal.entries if entry.functions == ("getAPISession",)]
    assert len(sign_ins) == 12  # each environment read once
