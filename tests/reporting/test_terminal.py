"""The terminal summary: the verdict, the failures, root causes with what they left unchecked, and one verdict
line per environment at the end, worst first, by group in a fleet."""

from __future__ import annotations

from pytest_intacct.identity import Identity
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.reporting.terminal import summary_lines, verdict_lines
from pytest_intacct.results.finding import Finding
from tests.helpers.pages import static_page, text
from tests.helpers.results import CALANCE, TRELICA, WHEN, result
from tests.helpers.runs import run_with_artifacts

FAILED = Finding.failed("active", "inactive")
UNCHECKED = Finding.error("login", "gateway unreachable")


def report(environments, results):
    return build_report(results, environments, plugin_version="0.1.0", started_at=WHEN)


def test_a_plain_run_lists_its_environments_worst_first_without_groups():
    envs = [
        EnvironmentInfo(Identity(name, company_id=name), TRELICA)
        for name in ("ready", "broken", "unreachable")
    ]
    run = report(
        envs,
        [
            result("ready", TRELICA, "user-active"),
            result("broken", TRELICA, "user-active", FAILED),
            result("unreachable", TRELICA, "user-active", UNCHECKED),
        ],
    )
    assert verdict_lines(run) == [
        "verdicts, worst first:",
        "  NOT READY   broken",
        "  INCOMPLETE  unreachable",
        "  READY       ready",
    ]
    assert summary_lines(run)[-4:] == verdict_lines(run)  # the summary ends with them


def test_a_fleet_lists_groups_worst_first_each_with_its_environments_worst_first():
    envs = [
        EnvironmentInfo(Identity("a-ready", company_id="A", group="alpha"), TRELICA),
        EnvironmentInfo(Identity("b-ready", company_id="B1", group="beta"), TRELICA),
        EnvironmentInfo(Identity("b-unchecked", company_id="B2", group="beta"), TRELICA),
        EnvironmentInfo(Identity("c-impl", company_id="C1", group="gamma"), CALANCE),
        EnvironmentInfo(Identity("c-prod", company_id="C2", group="gamma"), CALANCE),
    ]
    run = report(
        envs,
        [
            result("a-ready", TRELICA, "user-active"),
            result("b-ready", TRELICA, "user-active"),
            result("b-unchecked", TRELICA, "user-active", UNCHECKED),
            result("c-impl", CALANCE, "user-login"),
            result("c-prod", CALANCE, "user-login"),
            result("*gamma", CALANCE, "sender-id-consistent", FAILED),
        ],
    )
    assert verdict_lines(run) == [
        "verdicts, worst first:",
        "  group gamma: NOT READY",
        "    NOT READY   across environments of gamma",
        "    READY       c-impl",
        "    READY       c-prod",
        "  group beta: INCOMPLETE",
        "    INCOMPLETE  b-unchecked",
        "    READY       b-ready",
        "  group alpha: READY",
        "    READY       a-ready",
    ]
    assert summary_lines(run)[0] == (
        "profiles: trelica (Trelica integration for Sage Intacct), "
        "calance (Calance integrations for Sage Intacct)"
    )


def test_terminal_summary_names_verdict_outcomes_and_the_failures(missing_permissions_run):
    result, _ = missing_permissions_run
    result.stdout.fnmatch_lines(
        [
            "*Intacct acceptance*",
            "profile: trelica*",
            "verdict: NOT READY",
            "demo: NOT READY (17 pass, 2 fail, 1 manual)",
            "  FAIL   permission-employees-edit: getUserPermissions lists Employees: View",
            "SKIPPED * manual: ip-allowlist: *",
        ]
    )


def test_errors_blocked_by_a_refused_sign_in_are_one_group_without_fixes(pytester):
    result, paths = run_with_artifacts(pytester, "sender-bad-password")
    assert result.ret == 10
    result.stdout.fnmatch_lines(["  ERROR  20 not checked: sign-in could not complete: *"])
    page = static_page(paths["report.html"])
    [group] = page.get_element_by_id("intacct").find_class("intacct-req")
    assert text(group).startswith("NOT CHECKED in demo (20 requirements)")
    assert "Fix" not in text(group)
    markdown = paths["a.md"].read_text()
    assert "- **NOT CHECKED** in demo (20 requirements): not checked: sign-in could not complete" in markdown
    assert "fix (" not in markdown
