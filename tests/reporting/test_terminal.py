"""The terminal summary: the verdict, the failures, root causes with what they left unchecked, and one verdict
line per environment at the end, worst first, by group in a fleet."""

from __future__ import annotations

from pytest_intacct.identity import Identity
from pytest_intacct.reporting.model import EnvironmentInfo, build_report
from pytest_intacct.reporting.terminal import summary_lines, verdict_lines
from pytest_intacct.results.finding import Finding
from tests.helpers.pages import static_page, text
from tests.helpers.results import CALANCE, TRELICA, WHEN, fleet_report, result
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
    # One refused sign-in is one problem (it read as 20), at the highest severity it left unchecked.
    severity = [[text(c) for c in row] for row in page.get_element_by_id("intacct-severity")]
    assert severity == [
        ["severity", "fail", "error", "left unchecked by these"],
        ["critical", "0", "1", "20"],
        ["high", "0", "0", "0"],
        ["medium", "0", "0", "0"],
        ["low", "0", "0", "0"],
    ]
    assert "Fix" not in text(group)
    markdown = paths["a.md"].read_text()
    assert "- **NOT CHECKED** in demo (20 requirements): not checked: sign-in could not complete" in markdown
    assert "fix (" not in markdown


def test_a_5000_company_summary_fits_a_screen_before_its_details():
    lines = summary_lines(fleet_report(5000))
    screen = lines[:40]
    assert screen[1] == "verdict: NOT READY"
    assert "environments: 5000 in 2500 groups: 500 NOT READY, 200 INCOMPLETE, 4300 READY" in screen
    worst = screen[screen.index("worst first:") + 1 :][:11]
    met = len(TRELICA.requirements) - 2  # all but the failed permission and the IP allowlist owed
    assert worst[0] == f"  NOT READY   co-00000 (group customer-00000): {met} pass, 1 fail, 1 manual"
    assert [line.split()[2] for line in worst[:10]] == [f"co-{n:05d}" for n in range(0, 100, 10)]
    assert worst[10] == "  ... and 690 more not READY"
    assert (
        "  FAIL        permission-employees-edit failed: 500 environments: "
        "co-00000, co-00010, co-00020, co-00030, co-00040 and 495 more"
    ) in screen
    # 200 companies whose sign-in was refused, each with its own variables: one finding, said once.
    [refused] = [line for line in screen if "XL03000006" in line]
    assert refused.startswith("  NOT CHECKED not checked: sign-in could not complete")
    assert (
        "check INTACCT_<ENV>_SENDER_ID and INTACCT_<ENV>_SENDER_PASSWORD first: 200 environments" in refused
    )
    assert "attestations owed: 4800" in screen
    assert "details, worst first:" in screen


def test_details_list_each_root_cause_once_per_environment_worst_first():
    lines = summary_lines(fleet_report(60))
    details = lines[lines.index("details, worst first:") + 1 : lines.index("verdicts, worst first:")]
    headings = [line for line in details if not line.startswith(" ")]
    verdicts = [line.split(": ", 1)[1].split(" (")[0] for line in headings]
    assert verdicts == ["NOT READY"] * 6 + ["INCOMPLETE"] * 3  # READY ones are in the verdict lines only
    every = len(TRELICA.requirements)  # the refused sign-in left every requirement unchecked
    refused = details[details.index(f"co-00001: INCOMPLETE ({every} error)") + 1 :][:2]
    assert refused[0].startswith(f"  ERROR  {every} not checked: sign-in could not complete")
    assert not refused[1].startswith("  ")  # the next environment: the cause once, not once per requirement


def test_one_environment_keeps_its_own_line_when_ready():
    env = EnvironmentInfo(Identity("prod", company_id="P"), TRELICA)
    lines = summary_lines(report([env], [result("prod", TRELICA, "user-active")]))
    assert "prod: READY (1 pass)" in lines
    assert not any(line.startswith(("environments:", "details")) for line in lines)
