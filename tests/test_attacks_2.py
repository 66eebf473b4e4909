"""A second security review's attacks: fleets, waivers, evidence packs, pytest's run options, the HTML.

Each xfail (strict) is a confirmed break, failing for the bug's reason until the plugin is fixed; the
other tests are attacks that held. The first round is tests/test_attacks.py; nothing here repeats it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from pytest_intacct.results.homes import homes
from pytest_intacct.settings.environments import SettingsWarning, load_environment, load_environments
from pytest_intacct.settings.fleet import FleetError, fleet_values, load_fleet

SETTINGS = {
    "INTACCT_SENDER_ID": "TrelicaMPP",
    "INTACCT_SENDER_PASSWORD": "sender-attack2-1234",
    "INTACCT_COMPANY_ID": "acme",
    "INTACCT_USER_ID": "trelica_ws",
    "INTACCT_USER_PASSWORD": "user-attack2-5678",
}


pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def write_fleet(path: Path, body: str) -> Path:
    fleet = path / "fleet.toml"
    fleet.write_text(body, encoding="utf-8")
    return fleet


# -- read-only: a production company is never made writable by a setting it did not name ----------------


def test_a_shared_dotenv_cannot_make_a_production_named_environment_writable(tmp_path):
    lines = {**SETTINGS, "INTACCT_PRODUCTION": "false"}  # written for the developer's sandbox
    tmp_path.joinpath(".env").write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
    with pytest.warns(SettingsWarning, match="INTACCT_PRODUCTION is ignored for 'prod'"):
        prod = load_environment("prod", tmp_path, environ={})
    assert (prod.production, prod.writes_allowed) == (True, False)


def test_fleet_defaults_cannot_make_a_production_named_entry_writable(tmp_path, monkeypatch):
    monkeypatch.setenv("WS_PW", "user-attack2-5678")
    monkeypatch.setenv("SENDER_PW", "sender-attack2-1234")
    fleet = load_fleet(
        write_fleet(
            tmp_path,
            '[defaults]\nsender = "TrelicaMPP"\nsender_password_var = "SENDER_PW"\ncompany = "acme"\n'
            'user = "trelica_ws"\nuser_password_var = "WS_PW"\nproduction = false\n\n'
            '[[environment]]\nname = "acme-sandbox"\n\n[[environment]]\nname = "acme-prod"\n',
        )
    )
    [_, prod] = load_environments(fleet.names, tmp_path, {}, fleet=fleet_values(fleet, os.environ))
    assert (prod.production, prod.writes_allowed) == (True, False)


# -- fleet groups: cross-environment requirements stay within one customer ------------------------------


def test_an_entry_without_group_is_not_merged_into_a_group_of_the_same_name(tmp_path):
    # An entry without group is a group of its own; another entry naming that group is ambiguous.
    path = write_fleet(
        tmp_path,
        '[[environment]]\nname = "acme"\ncompany = "acme"\n\n'
        '[[environment]]\nname = "initech-prod"\ngroup = "acme"\ncompany = "initech"\n',
    )
    with pytest.raises(
        FleetError, match="'acme': key 'group': missing, and 'initech-prod' names group 'acme'"
    ):
        load_fleet(path)


def test_an_ungrouped_entry_named_like_the_default_group_stays_out_of_plain_runs_home(tmp_path):
    # Held: "default" is the plain run's group (home "*"); as a fleet name it is still its own group.
    fleet = load_fleet(write_fleet(tmp_path, '[[environment]]\nname = "default"\ncompany = "acme"\n'))
    [home] = homes((e.name, e.group, "calance") for e in fleet.entries)
    assert home.members == ("default",)


# -- fleet secrets: values never leave the variables ----------------------------------------------------


def test_a_fleet_naming_path_or_home_as_a_secret_never_prints_their_values(pytester, monkeypatch):
    # Held: PATH and HOME are read as secrets and sent only where the entry points (here: nowhere
    # listening); no error, summary or file repeats their values.
    monkeypatch.setenv("HOME", "/home/canary-home-7f3a")
    monkeypatch.setenv("PATH", os.environ["PATH"] + ":/opt/canary-path-91be")
    write_fleet(
        pytester.path,
        '[[environment]]\nname = "acme"\nprofile = "trelica"\nsender = "S"\ncompany = "acme"\nuser = "u"\n'
        "production = false\n"
        'endpoint = "http://127.0.0.1:9/ia/xml/xmlgw.phtml"\n'
        'sender_password_var = "PATH"\nuser_password_var = "HOME"\n',
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-fleet=fleet.toml", "--intacct-retries=0",
        "--intacct-timeout=2", "--intacct-json=out.json", "--junitxml=out.xml",
    )  # fmt: skip
    assert result.ret == 10  # nothing listens on port 9: could not check
    written = "".join(p.read_text() for p in (pytester.path / "out.json", pytester.path / "out.xml"))
    for text in (str(result.stdout), str(result.stderr), written):
        assert "canary-home-7f3a" not in text
        assert "canary-path-91be" not in text


# -- evidence packs: a replay says it is one ------------------------------------------------------------


@pytest.fixture
def forged_replay(pytester: pytest.Pytester) -> pytest.RunResult:
    """A pack recorded from a company missing two permissions, hand-edited to grant them, then replayed."""
    pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=missing-permissions",
        "--intacct-record=pack.json",
    )  # fmt: skip
    pack = json.loads(pytester.path.joinpath("pack.json").read_text())
    readings = pack["snapshots"][0]["readings"]
    granted = readings["getUserPermissions/trelica_ws"]["value"]
    granted["Company"]["Employees"] = ["View", "Edit"]
    granted["Accounts Payable"]["Adjustments"] = ["View"]
    readings["readByQuery/APADJUSTMENT"] = {"value": 1, "problem": None}
    pytester.path.joinpath("pack.json").write_text(json.dumps(pack))
    return pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-replay=pack.json", "--html=r.html", "--self-contained-html",
        "--intacct-json=r.json", "--intacct-markdown=r.md", "--junitxml=r.xml",
    )  # fmt: skip


def test_every_artifact_of_a_replay_says_it_is_a_replay(forged_replay, pytester):
    assert forged_replay.ret == pytest.ExitCode.OK  # the forged grants pass, silently
    suite = etree.parse(str(pytester.path / "r.xml")).getroot()
    document = json.loads(pytester.path.joinpath("r.json").read_text())
    artifacts = {
        "terminal": str(forged_replay.stdout),
        "html": pytester.path.joinpath("r.html").read_text(),
        "json": json.dumps({k: v for k, v in document.items() if k != "environments"}),
        "markdown": pytester.path.joinpath("r.md").read_text(),
        "junit": " ".join(f"{p.get('name')}={p.get('value')}" for p in suite.iter("property")),
    }
    # The scratch directory is named after this test: its path is no mark.
    here = str(pytester.path)
    unmarked = [
        name for name, text in artifacts.items() if not re.search("replay", text.replace(here, ""), re.I)
    ]
    assert unmarked == []


# -- waivers: one date for the whole run ----------------------------------------------------------------


class MidnightUTC:
    """A clock for ``pytest_intacct.results.waivers.utc_today`` that turns to the next day once the tests
    ran."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def today(self) -> dt.date:
        return self.day

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Iterator[None]:
        result = yield
        self.day += dt.timedelta(days=1)
        return result


def test_a_run_crossing_the_expiry_midnight_judges_its_waivers_on_one_date(pytester, monkeypatch):
    clock = MidnightUTC(dt.date(2026, 12, 31))
    monkeypatch.setattr("pytest_intacct.results.waivers.utc_today", clock.today)
    pytester.path.joinpath("waivers.toml").write_text(
        '[[waiver]]\nrequirement = "permission-employees-edit"\njustification = "Q1 deprovisioning"\n'
        "expires = 2026-12-31\n"
    )
    pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=missing-permissions",
        "--intacct-waivers=waivers.toml", "--intacct-json=r.json", plugins=[clock],
    )  # fmt: skip
    document = json.loads(pytester.path.joinpath("r.json").read_text())
    [row] = [
        r
        for e in document["environments"]
        for r in e["requirements"]
        if r["id"] == "permission-employees-edit"
    ]
    [waiver] = document["waivers"]
    assert (row["outcome"], waiver["state"]) in {("waived", "applied"), ("fail", "expired")}


# -- drift: what the baseline checked and this run does not ---------------------------------------------


def test_an_environment_the_baseline_checked_and_this_run_dropped_is_reported(pytester):
    calance = ("--intacct-scenario=calance-ready", "-p", "no:cacheprovider")
    pytester.runpytest("--intacct-env=demo:test,demo:production", "--intacct-json=base.json", *calance)
    result = pytester.runpytest(
        "--intacct-env=demo:test", "--intacct-baseline=base.json", "--intacct-markdown=r.md", *calance
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["drift against base.json: * unchanged"])
    assert "demo:production" in pytester.path.joinpath("r.md").read_text() + str(result.stdout)
