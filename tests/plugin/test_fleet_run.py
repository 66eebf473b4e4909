"""``--intacct-fleet`` end to end: five environments in three groups with two profiles, against two
simulators on loopback (one Trelica scenario replicated three times, one Calance scenario)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_intacct.simulator import Simulator, load_scenario
from pytest_intacct.simulator.replicate import replicate
from tests.helpers.pages import static_page, text
from tests.helpers.runs import outcomes, run_acceptance, trelica, verdicts

CANARY = "Canary-Fleet-Secret-9c1e"


class Fleet:
    """Two started simulators and a fleet file pointing at them; secrets in process variables."""

    def __init__(self, path: Path, trelica_sim: Simulator, calance_sim: Simulator) -> None:
        self.path, self.trelica, self.calance = path, trelica_sim, calance_sim

    def requests(self) -> list[tuple[str, str]]:
        """(company, first function) of every request both simulators served."""
        return [
            (entry.company_id, entry.functions[0] if entry.functions else "")
            for sim in (self.trelica, self.calance)
            for entry in sim.journal.entries
        ]


@pytest.fixture
def fleet(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    trelica_sim = Simulator(replicate(load_scenario("trelica-ready"), 3)).start()
    calance_sim = Simulator(load_scenario("calance-ready")).start()
    t, c = trelica_sim.logins, calance_sim.logins
    monkeypatch.setenv("FLEET_TRELICA_SENDER", t["primary-0001"].sender_password)
    monkeypatch.setenv("FLEET_CALANCE_SENDER", c["test"].sender_password)
    entries = []
    for name, group, login in (
        ("globex-1", "globex", "primary-0001"),
        ("globex-2", "globex", "primary-0002"),
        ("initech", None, "primary-0003"),
    ):
        monkeypatch.setenv(f"FLEET_{name.replace('-', '_').upper()}_PW", t[login].user_password)
        entries.append(
            f'[[environment]]\nname = "{name}"\n'
            + (f'group = "{group}"\n' if group else "")
            + f'company = "{t[login].company_id}"\nuser = "{t[login].user_id}"\n'
            + f'endpoint = "{trelica_sim.endpoint}"\nproduction = false\n'
            + f'user_password_var = "FLEET_{name.replace("-", "_").upper()}_PW"\n'
        )
    for name, login, production in (("acme-impl", "test", "false"), ("acme-prod", "production", "true")):
        monkeypatch.setenv(f"FLEET_{name.replace('-', '_').upper()}_PW", c[login].user_password)
        entries.append(
            f'[[environment]]\nname = "{name}"\ngroup = "acme"\nprofile = "calance"\n'
            f'sender = "{c[login].sender_id}"\nsender_password_var = "FLEET_CALANCE_SENDER"\n'
            f'company = "{c[login].company_id}"\nuser = "{c[login].user_id}"\n'
            f'developer_user = "{c[login].developer_user_id}"\nendpoint = "{calance_sim.endpoint}"\n'
            f'production = {production}\nuser_password_var = "FLEET_{name.replace("-", "_").upper()}_PW"\n'
        )
    defaults = (
        '[defaults]\nprofile = "trelica"\nsender = "TrelicaMPP"\n'
        'sender_password_var = "FLEET_TRELICA_SENDER"\n\n'
    )
    path = pytester.path / "fleet.toml"
    path.write_text(defaults + "\n".join(entries), encoding="utf-8")
    yield Fleet(path, trelica_sim, calance_sim)
    trelica_sim.stop()
    calance_sim.stop()


def test_a_fleet_checks_every_entry_by_its_own_profile_and_groups_cross_environment_checks(pytester, fleet):
    _, _, demo = run_acceptance(
        pytester, "--intacct-env=demo:test,demo:production", "--intacct-scenario=calance-ready"
    )
    result, document, by_env = run_acceptance(pytester, f"--intacct-fleet={fleet.path}")
    described = [(e["name"], e["group"], e["profile"]) for e in document["environments"]]
    assert described == [
        ("globex-1", "globex", "trelica"),
        ("globex-2", "globex", "trelica"),
        ("initech", "initech", "trelica"),
        ("acme-impl", "acme", "calance"),
        ("acme-prod", "acme", "calance"),
        ("*acme", "acme", "calance"),  # Trelica's runbook has no cross-environment requirements
    ]
    for name in ("globex-1", "globex-2", "initech"):
        # The fleet gives no REST access: what only the REST API reads is manual, REST access n/a.
        assert outcomes(by_env[name]) == trelica(
            "pass", ip_allowlist="manual", user_password_never_expires="manual", rest_access="n/a"
        )
    # The Calance group is judged exactly as the same two companies are in a demo run of its own.
    assert outcomes(by_env["acme-impl"]) == outcomes(demo["demo:test"])
    assert outcomes(by_env["acme-prod"]) == outcomes(demo["demo:production"])
    assert outcomes(by_env["*acme"]) == outcomes(demo["*"])
    # Every company signs in once: five environments, five sessions.
    sessions = sorted(company for company, first in fleet.requests() if first == "getAPISession")
    assert sessions == ["ACME", "ACME-IMPL", "TRELICA-DEMO-0001", "TRELICA-DEMO-0002", "TRELICA-DEMO-0003"]
    # The summary ends with one verdict line per environment, by group, worst group first.
    lines = result.outlines[result.outlines.index("verdicts, worst first:") :]
    groups = [line.strip() for line in lines if line.startswith("  group ")]
    assert {g.split(":")[0] for g in groups} == {"group globex", "group initech", "group acme"}
    ranks = ["NOT READY", "INCOMPLETE", "READY"]
    order = [ranks.index(g.split(": ")[1]) for g in groups]
    assert order == sorted(order)
    assert any(line.strip().endswith("across environments of acme") for line in lines)


def test_one_stream_reading_two_ahead_gives_the_same_outcomes_and_reads_each_company_once(pytester, fleet):
    """With one request stream, reading keeps two environments ahead of the tests (the read-ahead window):
    a group's cross-environment requirements, which need every member, still get them; nothing is read
    twice or left unread."""
    _, _, everything = run_acceptance(pytester, f"--intacct-fleet={fleet.path}")
    fleet.trelica.journal.clear()
    fleet.calance.journal.clear()
    _, _, windowed = run_acceptance(pytester, f"--intacct-fleet={fleet.path}", "--intacct-concurrency=1")
    assert {name: outcomes(entries) for name, entries in windowed.items()} == {
        name: outcomes(entries) for name, entries in everything.items()
    }
    assert "*acme" in windowed
    sessions = sorted(company for company, first in fleet.requests() if first == "getAPISession")
    assert sessions == ["ACME", "ACME-IMPL", "TRELICA-DEMO-0001", "TRELICA-DEMO-0002", "TRELICA-DEMO-0003"]


def test_two_workers_give_the_same_outcomes_and_read_each_company_once(pytester, fleet):
    alone, _, in_one_process = run_acceptance(pytester, f"--intacct-fleet={fleet.path}")
    first = len(fleet.requests())
    # A relative path: the workers resolve it where pytest was started, as the controller does.
    shared, _, in_two_workers = run_acceptance(pytester, "--intacct-fleet=fleet.toml", "-n", "2")
    assert verdicts(in_two_workers) == verdicts(in_one_process)
    assert shared.ret == alone.ret
    # The second run made exactly as many requests as the first: the workers read nothing themselves.
    assert len(fleet.requests()) == 2 * first


def test_with_intacct_env_only_the_named_entries_are_checked_and_reports_show_groups(pytester, fleet):
    page, markdown = pytester.path / "report.html", pytester.path / "a.md"
    _, _, by_env = run_acceptance(
        pytester,
        f"--intacct-fleet={fleet.path}",
        "--intacct-env=acme-prod,globex-2",
        f"--html={page}",
        "--self-contained-html",
        f"--intacct-markdown={markdown}",
    )
    assert list(by_env) == ["acme-prod", "globex-2", "*acme"]
    counts = [[text(c) for c in row][:3] for row in static_page(page).get_element_by_id("intacct-counts")]
    assert counts == [
        ["environment", "group", "verdict"],
        ["acme-prod", "acme", "READY"],
        ["across environments of acme", "acme", "READY"],
        ["globex-2", "globex", "READY"],
    ]
    assert "| environment | group | verdict |" in markdown.read_text()
    assert "| across environments of acme | acme | READY |" in markdown.read_text()
    assert {company for company, _ in fleet.requests()} == {"ACME", "TRELICA-DEMO-0002"}
    # The cross-environment checks see only the selected member of the group: one environment, n/a.
    assert set(outcomes(by_env["*acme"]).values()) == {"n/a"}


def test_intacct_profile_applies_to_every_entry(pytester, fleet):
    _, document, _ = run_acceptance(
        pytester,
        f"--intacct-fleet={fleet.path}",
        "--intacct-env=acme-prod,initech",
        "--intacct-profile=trelica",
    )
    assert [(e["name"], e["profile"]) for e in document["environments"]] == [
        ("acme-prod", "trelica"),
        ("initech", "trelica"),
    ]


def test_every_missing_secret_variable_is_one_usage_error(pytester, fleet, monkeypatch):
    monkeypatch.delenv("FLEET_GLOBEX_2_PW")
    monkeypatch.delenv("FLEET_CALANCE_SENDER")
    monkeypatch.setenv("FLEET_ACME_PROD_PW", CANARY)
    result = pytester.runpytest("-p", "no:cacheprovider", f"--intacct-fleet={fleet.path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if "not set" in line]
    assert len(errors) == 1
    assert errors[0].endswith(
        "variables named in the fleet file are not set: "
        "$FLEET_GLOBEX_2_PW (INTACCT_USER_PASSWORD of environment 'globex-2'), "
        "$FLEET_CALANCE_SENDER (INTACCT_SENDER_PASSWORD of environments 'acme-impl', 'acme-prod')"
    )
    assert CANARY not in result.stdout.str() + result.stderr.str()
    assert fleet.requests() == []  # nothing was contacted


def test_a_process_variable_beats_the_fleet_entry_which_beats_env_files(pytester, fleet, monkeypatch):
    # .env.NAME names a company that does not exist; the fleet entry's company wins over it.
    (pytester.path / ".env.initech").write_text("INTACCT_COMPANY_ID=NO-SUCH-COMPANY\nINTACCT_ENTITY=E1\n")
    monkeypatch.setenv("INTACCT_INITECH_USER_PASSWORD", CANARY)  # beats $FLEET_INITECH_PW
    monkeypatch.delenv("FLEET_INITECH_PW")  # not needed: the process variable supplies the secret
    result, _, by_env = run_acceptance(pytester, f"--intacct-fleet={fleet.path}", "--intacct-env=initech")
    assert by_env["initech"]["user-login"]["outcome"] == "fail"  # the canary password was sent
    assert [c for c, _ in fleet.requests()] == ["TRELICA-DEMO-0003"]  # the fleet's company, not .env's
    assert CANARY not in result.stdout.str()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "--intacct-replay=pack.json",
            "--intacct-replay judges recorded evidence: it takes no --intacct-fleet",
        ),
        ("--intacct-record=pack.json", "--intacct-record writes one profile's evidence"),
    ],
)
def test_options_that_need_one_profile_or_no_fleet_are_usage_errors(pytester, fleet, option, message):
    result = pytester.runpytest("-p", "no:cacheprovider", f"--intacct-fleet={fleet.path}", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert fleet.requests() == []


def test_selecting_one_groups_cross_environment_checks_reads_only_that_group(pytester, fleet):
    _, _, by_env = run_acceptance(pytester, f"--intacct-fleet={fleet.path}", "-k", "across and acme")
    assert [name for name, entries in by_env.items() if entries] == ["*acme"]
    assert sorted({company for company, _ in fleet.requests()}) == ["ACME", "ACME-IMPL"]
    assert outcomes(by_env["*acme"]) == {"sender-id-consistent": "pass", "ws-user-per-environment": "pass"}


def test_a_fleet_endpoint_credentials_must_not_go_to_is_a_usage_error(pytester, monkeypatch):
    monkeypatch.setenv("FLEET_PW", CANARY)
    fleet = pytester.path / "fleet.toml"
    fleet.write_text(
        '[[environment]]\nname = "acme"\nprofile = "trelica"\nsender = "S"\ncompany = "C"\nuser = "U"\n'
        'endpoint = "http://intacct.example/ia/xml/xmlgw.phtml"\n'
        'sender_password_var = "FLEET_PW"\nuser_password_var = "FLEET_PW"\n'
    )
    result = pytester.runpytest("-p", "no:cacheprovider", f"--intacct-fleet={fleet}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*environment 'acme': INTACCT_ENDPOINT: *plain http:// to a remote host*"])
    assert CANARY not in result.stdout.str() + result.stderr.str()
