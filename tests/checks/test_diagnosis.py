"""Diagnose, don't blame (docs/diagnosis.md): a refused sign-in and a checker that cannot read users, end to
end through pytest on the shipped scenarios, with and without an auditor login."""

from __future__ import annotations

import json

import pytest

from pytest_intacct.profiles import load_profile
from tests.helpers.runs import outcomes, run_acceptance

pytestmark = pytest.mark.usefixtures("no_intacct_variables")

TRELICA = load_profile("trelica")
CREATE_USER = TRELICA.requirement("user-login").remediation  # the runbook's fix: create the user
UNLOCK = "only an admin can unlock a locked-out user"
SIGN_IN_KINDS = ("user-login", "user-active", "ip-allowlist")

# scenario -> (user-login, user-active, ip-allowlist) outcome, user-login's root cause, verdict
TABLE = {
    # The gateway gives one answer for all of these: no auditor, no single guess.
    "user-inactive": (("fail", "error", "error"), None, "NOT READY"),
    "user-locked-out": (("fail", "error", "error"), None, "NOT READY"),
    "ip-blocked": (("fail", "error", "error"), None, "NOT READY"),
    "user-missing": (("fail", "error", "error"), None, "NOT READY"),
    "wrong-user-password": (("fail", "error", "error"), None, "NOT READY"),
    # The auditor reads the user: inactive or locked out is user-active's failure.
    "user-inactive-audited": (("error", "fail", "error"), "user-active", "NOT READY"),
    "user-locked-out-audited": (("error", "fail", "error"), "user-active", "NOT READY"),
    # No such user: the only case that earns the create-user fix.
    "user-missing-audited": (("fail", "error", "error"), None, "NOT READY"),
    # Present and active: the password in the settings, or a user-level IP filter.
    "wrong-user-password-audited": (("fail", "pass", "error"), None, "NOT READY"),
    # The auditor is refused too: the company's IP filter (or the sender or company).
    "ip-blocked-audited": (("fail", "error", "error"), None, "NOT READY"),
}


def run(pytester, scenario: str, *args: str):
    return run_acceptance(pytester, "--intacct-env=demo", f"--intacct-scenario={scenario}", *args)


@pytest.mark.parametrize("scenario", list(TABLE))
def test_a_refused_sign_in_is_judged_by_its_cause(pytester, scenario):
    (login, active, ip), root, verdict = TABLE[scenario]
    result, document, by_env = run(pytester, scenario)
    found = outcomes(by_env["demo"])
    assert (found["user-login"], found["user-active"], found["ip-allowlist"]) == (login, active, ip)
    assert by_env["demo"]["user-login"].get("root_cause") == root
    assert document["verdict"] == verdict
    assert result.ret == 1
    fixes = [
        entry["remediation"] for entry in by_env["demo"].values() if entry["outcome"] in ("fail", "error")
    ]
    # No fix anywhere tells the admin to create a user unless the run saw that the user does not exist.
    assert (CREATE_USER in fixes) == (scenario == "user-missing-audited")
    # Every other requirement of the company is could not check under the root cause, with no fix of its own.
    for rid, entry in by_env["demo"].items():
        if entry["outcome"] == "error" and rid not in SIGN_IN_KINDS and not scenario.endswith("-audited"):
            assert entry["root_cause"] == "user-login", rid
            assert entry["remediation"] is None, rid


def test_without_an_auditor_the_fix_lists_the_candidates_and_never_says_add(pytester):
    _, _, by_env = run(pytester, "user-inactive")
    fix = by_env["demo"]["user-login"]["remediation"]
    positions = [
        fix.index(part)
        for part in (
            "INTACCT_DEMO_USER_PASSWORD",
            "Status: Active",
            "IP address filters",
            "Subscriptions > Web Services",
            "Company > Admin > Web Services users",
            "INTACCT_DEMO_AUDITOR_USER_ID",
        )
    ]
    assert positions == sorted(positions), "candidates in order of likelihood, the auditor last"
    assert "users > Add" not in fix  # whether the user is listed, never "create it"


def test_a_locked_out_user_is_told_apart_with_who_can_unlock_it(pytester):
    _, _, by_env = run(pytester, "user-locked-out-audited")
    active = by_env["demo"]["user-active"]
    assert "USERINFO.STATUS is 'lockedout' (read by the auditor login 'setup_auditor')" in active["observed"]
    assert UNLOCK in active["remediation"]
    _, _, inactive = run(pytester, "user-inactive-audited")
    assert inactive["demo"]["user-active"]["remediation"] == TRELICA.requirement("user-active").remediation


def test_a_present_and_active_user_points_at_the_password_or_a_user_level_filter(pytester):
    _, _, by_env = run(pytester, "wrong-user-password-audited")
    login = by_env["demo"]["user-login"]
    assert "the user exists and is active" in login["remediation"]
    assert "INTACCT_DEMO_USER_PASSWORD" in login["remediation"]
    assert "user-level IP address filter" in login["remediation"]
    assert by_env["demo"]["user-active"]["observed"].startswith("USERINFO.STATUS is 'active' (read by")


def test_both_logins_refused_point_at_the_company_ip_filter(pytester):
    _, _, by_env = run(pytester, "ip-blocked-audited")
    fix = by_env["demo"]["user-login"]["remediation"]
    assert fix.startswith("both logins were refused from this machine, so the company's IP address filter")


def descriptive(pytester, base: str) -> str:
    """``base`` with the simulator's descriptive refusal texts (an assumption about the real gateway)."""
    path = pytester.path / "descriptive.toml"
    path.write_text(f'extends = "{base}"\n\n[gateway]\ndescriptive_errors = true\n', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("audited", [False, True], ids=["no-auditor", "auditor"])
@pytest.mark.parametrize(
    ("base", "expected", "root", "words"),
    [
        ("user-inactive", ("error", "fail", "error"), "user-active", "User ID 'trelica_ws' is inactive."),
        ("user-locked-out", ("error", "fail", "error"), "user-active", "User ID 'trelica_ws' is locked out."),
        ("ip-blocked", ("error", "error", "fail"), "ip-allowlist", "Sign-in from IP address '127.0.0.1'"),
    ],
    ids=["inactive", "locked-out", "ip"],
)
def test_a_refusal_that_names_its_cause_fails_that_requirement(
    pytester, base, expected, root, words, audited
):
    """The gateway's own words name the cause: that requirement fails with them, the others name it."""
    scenario = descriptive(pytester, f"{base}-audited" if audited else base)
    _, _, by_env = run(pytester, scenario)
    found = outcomes(by_env["demo"])
    assert (found["user-login"], found["user-active"], found["ip-allowlist"]) == expected
    assert by_env["demo"]["user-login"]["root_cause"] == root
    assert words in by_env["demo"][root]["observed"]
    assert by_env["demo"]["user-login"]["remediation"] is None


def test_a_company_set_up_exactly_as_the_runbook_says_is_incomplete_under_one_root_cause(pytester):
    result, document, by_env = run(pytester, "runbook-exact")
    assert document["verdict"] == "INCOMPLETE"
    assert result.ret == 10
    [cause] = document["root_causes"]
    assert cause["id"] == "checker-cannot-read-users"
    assert cause["environment"] == "demo"
    assert "Company > Users: View Permissions (documented)" in cause["fix"]
    assert "Company > Users: List and View (inferred)" in cause["fix"]
    assert "INTACCT_DEMO_AUDITOR_USER_ID" in cause["fix"]
    errors = {rid for rid, entry in by_env["demo"].items() if entry["outcome"] == "error"}
    assert errors == set(cause["requirements"])
    for rid in errors:
        assert by_env["demo"][rid]["root_cause"] == "checker-cannot-read-users"
        assert by_env["demo"][rid]["remediation"] is None
    # Facts the sign-in and the effective reads prove are used, and say how they were proven.
    assert "the user signed in, which only an active user can" in by_env["demo"]["user-active"]["observed"]
    assert (
        "a one-record read of DEPARTMENT succeeded"
        in by_env["demo"]["permission-departments-view"]["observed"]
    )
    assert document["summary"]["outcomes"]["error"] == len(errors)  # one root cause changes no counts


def test_the_same_company_checked_with_an_auditor_login_is_ready(pytester):
    result, document, _ = run(pytester, "runbook-exact-audited", "--intacct-record=pack.json")
    assert (result.ret, document["verdict"], document["root_causes"]) == (0, "READY", [])
    pack = json.loads((pytester.path / "pack.json").read_text())
    [snapshot] = pack["snapshots"]
    read_by = {key: reading["read_by"] for key, reading in snapshot["readings"].items()}
    assert read_by["USERINFO/trelica_ws"] == "setup_auditor"  # facts about the user: the auditor
    assert read_by["getUserPermissions/trelica_ws"] == "setup_auditor"
    assert read_by["readByQuery/DEPARTMENT"] == "trelica_ws"  # effective reads: the integration's own
    assert snapshot["auditor_user_id"] == "setup_auditor"
    assert snapshot["round_trips"] == 4  # two sign-ins, two batches


@pytest.mark.parametrize("scenario", ["runbook-exact", "ip-blocked"])
def test_every_report_says_up_front_what_the_checker_needs(pytester, scenario):
    from tests.helpers.pages import static_page, text

    run(pytester, scenario, "--html=report.html", "--self-contained-html", "--intacct-markdown=out.md")
    page = static_page(pytester.path / "report.html")
    assert "Company > Users: View Permissions (documented)" in text(
        page.get_element_by_id("intacct-checker-needs")
    )
    markdown = (pytester.path / "out.md").read_text()
    assert markdown.index("What the checker itself needs") < markdown.index("| environment |")
