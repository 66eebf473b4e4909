"""End to end through pytest: exit codes, partial runs, lost results, drift, waivers and xdist."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from lxml import etree

USER_SUITE = """
import pytest
from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("user")

def test_user(intacct_requirement):
    assert_requirement_met(intacct_requirement)

def test_my_own_check(intacct_env):
    assert intacct_env.name == "{expected}"
"""


def plugin(pytester, source: str) -> None:
    """A plugin module ``lab`` (a conftest here would not reach the shipped suites' directory)."""
    pytester.makepyfile(lab=source)
    pytester.syspathinsert()


def run(pytester, scenario: str, *args: str, **options):
    path = pytester.path / "acceptance.json"
    result = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-scenario={scenario}", f"--intacct-json={path}", *args, **options
    )
    return result, (json.loads(path.read_text()) if path.exists() else None)


@pytest.mark.parametrize(
    ("scenario", "code", "verdict"),
    [
        ("trelica-ready", 0, "READY"),
        ("missing-permissions", 1, "NOT READY"),
        ("no-permission-visibility", 10, "INCOMPLETE"),
    ],
)
def test_exit_code_follows_the_verdict(pytester, scenario, code, verdict):
    result, document = run(pytester, scenario)
    assert result.ret == code
    assert document["verdict"] == verdict
    assert [env["verdict"] for env in document["environments"]] == [verdict]
    assert document["partial"] is False
    result.stdout.fnmatch_lines([f"verdict: {verdict}"])


def test_a_failing_test_of_the_users_own_still_fails_a_ready_run(pytester):
    pytester.makepyfile(test_mine=USER_SUITE.replace("{expected}", "not-demo"))
    result, document = run(pytester, "trelica-ready", "test_mine.py")
    assert document["verdict"] == "READY"  # the verdict covers requirements only
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=7, failed=1)  # the user area has the password's expiry too


def test_the_users_own_passing_test_leaves_the_verdict_to_decide(pytester):
    pytester.makepyfile(test_mine=USER_SUITE.replace("{expected}", "demo"))
    result, _ = run(pytester, "missing-permissions", "test_mine.py")
    assert result.ret == 0  # the user area is met in that scenario


def test_an_interrupted_run_keeps_pytests_code_and_reports_the_lost_results(pytester):
    plugin(
        pytester,
        """
def pytest_runtest_call(item):
    if "permission-departments-view" in item.nodeid:
        raise KeyboardInterrupt
""",
    )
    result, document = run(pytester, "trelica-ready", "-p", "lab", no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    outcomes = {r["id"]: r for r in document["environments"][0]["requirements"]}
    assert outcomes["web-services-subscription"]["outcome"] == "pass"
    lost = outcomes["permission-locations-view"]
    assert lost["outcome"] == "error"
    assert lost["observed"].startswith("no result recorded")
    assert document["verdict"] == "INCOMPLETE"


def test_a_selected_requirement_whose_test_never_reported_is_an_error(pytester):
    plugin(
        pytester,
        """
def pytest_runtest_protocol(item, nextitem):
    if "user-active" in item.nodeid:
        return True  # as if its worker died: no report at all
""",
    )
    result, document = run(pytester, "trelica-ready", "-p", "lab")
    [lost] = [r for r in document["environments"][0]["requirements"] if r["id"] == "user-active"]
    assert (lost["outcome"], lost["observed"][:18]) == ("error", "no result recorded")
    assert document["verdict"] == "INCOMPLETE"
    assert result.ret == 10
    result.stdout.fnmatch_lines(["  ERROR  user-active: no result recorded*"])


def test_a_partial_run_says_so_and_lists_what_did_not_run(pytester):
    markdown = pytester.path / "a.md"
    report = pytester.path / "report.html"
    result, document = run(
        pytester,
        "missing-permissions",
        "-k",
        "user-login or employees-edit",
        f"--intacct-markdown={markdown}",
        f"--html={report}",
    )
    assert result.ret == 1
    assert document["partial"] is True
    assert (document["requirements_run"], document["requirements_selectable"]) == (2, 20)
    [env] = document["environments"]
    assert [r["id"] for r in env["requirements"]] == ["user-login", "permission-employees-edit"]
    assert len(env["not_run"]) == 18
    assert "ip-allowlist" in env["not_run"]
    note = "partial run: 2 of the profile's 20 requirements ran; 18 not run (not counted as met)"
    result.stdout.fnmatch_lines([note])
    assert note in markdown.read_text()
    page = report.read_text()
    assert html.escape(note) in page
    assert '<ul id="intacct-not-run">' in page


def test_a_partial_run_of_met_requirements_stays_ready_with_the_note(pytester):
    result, document = run(pytester, "missing-permissions", "-k", "user-login")
    assert (result.ret, document["verdict"], document["partial"]) == (0, "READY", True)


def test_drift_against_the_last_night_and_fail_on_new(pytester):
    good, _ = run(pytester, "trelica-ready")
    assert good.ret == 0
    baseline = pytester.path / "baseline.json"
    (pytester.path / "acceptance.json").rename(baseline)
    junit = pytester.path / "junit.xml"
    result, document = run(
        pytester, "missing-permissions", f"--intacct-baseline={baseline}", f"--junitxml={junit}"
    )
    assert result.ret == 1
    [env] = document["environments"]
    assert env["drift"] == {"new-fail": 2, "new-error": 0, "new-pass": 0, "unchanged": 18, "added": 0}
    assert env["removed"] == []
    drifted = {r["id"]: r["drift"] for r in env["requirements"] if r["drift"] != "unchanged"}
    assert drifted == {"permission-employees-edit": "new-fail", "permission-ap-adjustments-view": "new-fail"}
    result.stdout.fnmatch_lines(
        ["drift against *: 2 new-fail, 18 unchanged", "  FAIL   permission-employees-edit: * ?new-fail?"]
    )
    tree = etree.parse(str(junit))
    case = next(
        c for c in tree.iter("testcase") if c.get("name").endswith("[demo-permission-employees-edit]")
    )
    assert {p.get("name"): p.get("value") for p in case.iter("property")}["intacct_drift"] == "new-fail"
    suite = {p.get("name"): p.get("value") for p in tree.find(".//testsuite/properties")}
    assert suite["intacct_drift[new-fail]"] == "2"

    new, _ = run(pytester, "missing-permissions", f"--intacct-baseline={baseline}", "--intacct-fail-on=new")
    assert new.ret == 1  # the failures are new since the good night
    (pytester.path / "acceptance.json").rename(baseline)  # tonight's run becomes the baseline
    known, document = run(
        pytester, "missing-permissions", f"--intacct-baseline={baseline}", "--intacct-fail-on=new"
    )
    assert document["verdict"] == "NOT READY"
    assert known.ret == 0  # nothing changed: a nightly job stays quiet


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--intacct-fail-on=new"], "--intacct-fail-on=new compares with a baseline"),
        (["--intacct-baseline=nope.json"], "baseline nope.json: cannot be read"),
        (["--intacct-waivers=nope.toml"], "waiver file nope.toml: cannot be read"),
        (["--intacct-markdown=no/such/folder/a.md"], "--intacct-markdown=no/such/folder/a.md: the folder"),
    ],
)
def test_unusable_options_are_usage_errors(pytester, args, message):
    result, document = run(pytester, "trelica-ready", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert document is None


def test_a_baseline_of_another_profile_is_a_usage_error(pytester):
    calance = pytester.path / "calance.json"
    calance.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "environments": [{"name": "demo", "profile": "calance", "requirements": []}],
            }
        )
    )
    result, _ = run(pytester, "trelica-ready", f"--intacct-baseline={calance}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*environment 'demo' was checked against profile 'calance'*"])


def test_an_invalid_waiver_file_is_a_usage_error_naming_entry_and_key(pytester):
    waivers = pytester.path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrequirement = "user-login"\njustification = "x"\nowner = 7\n')
    result, _ = run(pytester, "trelica-ready", f"--intacct-waivers={waivers}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*waiver file {waivers}: entry 1: key 'owner': must be a non-empty string*"]
    )


WAIVERS = """
[[waiver]]
requirement = "permission-employees-edit"
environment = "demo"
justification = "Deprovisioning goes live in Q1"
owner = "jane@example.com"
ticket = "OPS-123"
expires = 2026-12-31

[[waiver]]
requirement = "permission-ap-adjustments-view"
justification = "AP sync is out of scope"

[[waiver]]
requirement = "user-login"
justification = "was broken last month"

[[waiver]]
requirement = "permission-employees-edit"
environment = "staging"
justification = "no such environment here"
"""


@pytest.mark.parametrize(
    ("today", "code", "verdict", "first_state"),
    [
        (dt.date(2026, 12, 31), 0, "READY", "applied"),
        (dt.date(2027, 1, 1), 1, "NOT READY", "expired"),
    ],
)
def test_waivers_around_their_expiry(pytester, monkeypatch, today, code, verdict, first_state):
    monkeypatch.setattr("pytest_intacct.results.waivers.utc_today", lambda: today)
    waivers = pytester.path / "waivers.toml"
    waivers.write_text(WAIVERS)
    markdown, page = pytester.path / "a.md", pytester.path / "report.html"
    result, document = run(
        pytester,
        "missing-permissions",
        f"--html={page}",
        f"--intacct-waivers={waivers}",
        f"--intacct-markdown={markdown}",
        "-rx",
    )
    assert result.ret == code
    assert document["verdict"] == verdict
    assert [w["state"] for w in document["waivers"]] == [
        first_state,
        "applied",
        "no longer needed",
        "unmatched",
    ]
    requirements = {r["id"]: r for r in document["environments"][0]["requirements"]}
    ap = requirements["permission-ap-adjustments-view"]
    assert ap["outcome"] == "waived"
    assert ap["waiver"]["justification"] == "AP sync is out of scope"
    assert ap["observed"].startswith("getUserPermissions lists Adjustments: nothing")  # stays visible
    assert document["summary"]["outcomes"]["waived"] == (2 if first_state == "applied" else 1)
    result.stdout.fnmatch_lines(["XFAIL *permission-ap-adjustments-view* waived: *AP sync is out of scope"])
    edit = requirements["permission-employees-edit"]
    if first_state == "expired":
        assert (edit["outcome"], edit["waiver"]) == ("fail", None)
        result.stdout.fnmatch_lines(["waiver 1 (permission-employees-edit in demo): expired"])
    else:
        assert edit["waiver"]["ticket"] == "OPS-123"
    result.stdout.fnmatch_lines(["waiver 3 (user-login): no longer needed", "waiver 4 (*): unmatched"])
    assert "### Waivers to review" in markdown.read_text()
    assert "AP sync is out of scope (no owner, no ticket)" in markdown.read_text()
    source = page.read_text()
    assert "Waived</dt><dd>AP sync is out of scope (owner -, ticket -, expires never)" in source  # static
    assert "Waived&lt;/dt&gt;&lt;dd&gt;AP sync is out of scope" in source  # the row's details in the blob


def test_xdist_workers_report_every_selected_requirement_once(pytester):
    result, document = run(
        pytester, "missing-permissions", "-n", "2", "-p", "xdist", "-k", "permission or user-login"
    )
    assert result.ret == 1
    assert (document["requirements_run"], document["partial"]) == (10, True)
    assert document["summary"]["outcomes"] == {
        "pass": 8,
        "fail": 2,
        "error": 0,
        "manual": 0,
        "n/a": 0,
        "waived": 0,
    }
    assert len(document["environments"][0]["not_run"]) == 10
