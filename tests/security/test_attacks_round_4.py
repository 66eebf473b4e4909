"""A fourth security review: attacks that break a promise of docs/security.md today.

Each test is marked ``xfail(strict=True)`` while its break exists: it fails (as expected) now, and the mark
comes off with the fix. Each docstring names the attack and the promise it breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pytest_intacct.client import GatewayRejected
from pytest_intacct.evidence.snapshot import Problem
from pytest_intacct.profiles import load_profile
from pytest_intacct.safety.limits import MAX_TEXT_LENGTH
from tests.helpers import answers
from tests.helpers.browser import rendered_dom
from tests.helpers.environments import dotenv
from tests.helpers.hostile_client import hostile_client
from tests.helpers.hostile_gateway import Answer, hostile_gateway
from tests.helpers.proxy import tampering_proxy

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def run_through(pytester: pytest.Pytester, mutate: Callable[[str], str], *args: str) -> pytest.RunResult:
    """The shipped suites against the Trelica-ready simulator, every answer passed through ``mutate``."""
    with tampering_proxy("trelica-ready", mutate) as (gateway, simulator):
        login = simulator.primary_login
        dotenv(
            pytester,
            "stage",
            gateway.url,
            INTACCT_SENDER_ID=login.sender_id,
            INTACCT_SENDER_PASSWORD=login.sender_password,
            INTACCT_COMPANY_ID=login.company_id,
            INTACCT_USER_ID=login.user_id,
            INTACCT_USER_PASSWORD=login.user_password,
        )
        return pytester.runpytest(
            "-p", "no:cacheprovider", "--intacct-env=stage", "--intacct-retries=0", *args
        )


# -- section 11: no secret in any artifact ---------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="under xdist workers never learn the session id: an echo of it reaches terminal and JUnit",
)
def test_a_session_id_echoed_in_read_data_leaks_under_xdist(pytester, monkeypatch):
    """Attack: a proxy returns the session id as USERINFO.USERTYPE (the attack of section 11's
    ``test_a_secret_echoed_inside_read_data_reaches_no_artifact``), and the run uses ``-n 1`` (``-n 2``
    alike).

    The controlling process signs in and hands the snapshots, raw, to the workers; the session id is
    registered as a secret only in the controller. A worker's finding, failure message and HTML extras are
    redacted with a registry that does not know it, so the session id appears in clear in the FAILURES
    section of the terminal, in JUnit's <failure> and in the HTML page (only the controller-rendered JSON,
    Markdown and summary mask it). Breaks section 11: "No password or session id appears in the terminal,
    the HTML report, JUnit ...".
    """
    session: dict[str, str] = {}

    def echo(answer: str) -> str:
        found = re.search(r"<sessionid>([^<]*)</sessionid>", answer)
        if found:
            session["id"] = found.group(1)
        return answer.replace(
            "<USERTYPE>business user</USERTYPE>", f"<USERTYPE>{session.get('id')}</USERTYPE>"
        )

    with tampering_proxy("trelica-ready", echo) as (proxy, simulator):
        login = simulator.primary_login
        for key, value in {
            "SENDER_ID": login.sender_id, "SENDER_PASSWORD": login.sender_password,
            "COMPANY_ID": login.company_id, "USER_ID": login.user_id, "USER_PASSWORD": login.user_password,
            "ENDPOINT": proxy.url, "PROFILE": "trelica", "PRODUCTION": "false",
        }.items():  # fmt: skip
            monkeypatch.setenv(f"INTACCT_PROD_{key}", value)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--intacct-env=prod", "--junitxml=junit.xml", "-n", "1",
            "-k", "user-type",
        )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the echoed USERTYPE is not 'business user'
    assert session["id"]
    assert session["id"] not in result.stdout.str()
    assert session["id"] not in (pytester.path / "junit.xml").read_text(encoding="utf-8")


@pytest.mark.xfail(
    strict=True,
    reason="a .env interpolates ${VAR}: another environment's password is printed as a company id",
)
def test_a_dotenv_that_interpolates_another_environments_password_prints_it(pytester, monkeypatch):
    """Attack: a ``.env.acme`` handed to the operator sets
    ``INTACCT_COMPANY_ID=${INTACCT_PROD_USER_PASSWORD}``. CI holds every environment's secrets as
    variables; the run checks ``acme`` only.

    python-dotenv interpolates ``${...}`` from the process environment, and the prod password is never
    wrapped as a Secret (prod is not selected), so it is shown in clear as acme's company id in the header
    and the acceptance JSON (and sent to acme's endpoint). Breaks section 11 ("No password ... appears in
    the terminal, ..., the acceptance JSON") for a file someone else wrote (threat model: "Files someone
    else wrote").
    """
    canary = "ProdPassword-canary-4e9d"
    monkeypatch.setenv("INTACCT_PROD_USER_PASSWORD", canary)
    dotenv(
        pytester,
        "acme",
        "http://127.0.0.1:9/ia/xml/xmlgw.phtml",  # nothing listens: could not check
        INTACCT_COMPANY_ID="${INTACCT_PROD_USER_PASSWORD}",
        INTACCT_PRODUCTION="false",
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=acme", "--intacct-retries=0", "--intacct-timeout=2",
        "--intacct-json=out.json", "-v", "-k", "user-login",
    )  # fmt: skip
    assert result.ret == 10
    assert canary not in result.stdout.str()
    assert canary not in (pytester.path / "out.json").read_text(encoding="utf-8")


# -- section 12: the go-live page runs no outside script --------------------------------------------------


@pytest.mark.xfail(strict=True, reason="a CI branch name pytest-metadata copies into the page runs as script")
def test_a_branch_name_from_ci_runs_script_in_the_go_live_page(pytester, tmp_path, monkeypatch):
    """Attack: a merge request from a branch named ``<svg/onload=...>`` (a valid git ref name). GitLab CI
    exports it as ``CI_COMMIT_REF_NAME``; pytest-metadata copies it (and ``APPVEYOR_REPO_COMMIT_MESSAGE``,
    ``GIT_BRANCH``, ...) into the metadata the go-live page's environment table shows, and pytest-html's
    script inserts that value as markup. The plugin escapes only its own two keys, so the approver's
    browser runs the branch's script (seen in headless Chromium). Breaks section 12: "Every string the
    page shows, from any input, is text".
    """
    monkeypatch.setenv("CI_COMMIT_REF_NAME", "<svg/onload=document.body.setAttribute('data-pwned','ci')>")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "-k", "user-login", "--html=report.html",
        "--self-contained-html",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK
    dom = rendered_dom(pytester.path / "report.html", tmp_path / "browser")
    assert lxml_html.fromstring(dom).body.get("data-pwned") is None


# -- section 6: evidence is what was asked ------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="a policy listed twice in another letter case is merged: a false pass")
def test_a_policy_listed_twice_in_another_case_is_could_not_check(pytester):
    """Attack: getUserPermissions lists ``Employees: View|Edit`` and ``EMPLOYEES: View`` under Company.

    The contradiction check compares raw policy names, but the permission check matches them case-folded
    and unions their rights, so the self-contradicting answer passes permission-employees-edit (READY,
    exit 0); the same answer with both spelled ``Employees`` is could not check. Breaks section 6: "one
    policy listed twice under one application with different rights" is ``contradictory``, could not
    check.
    """

    def contradict(text: str) -> str:
        policy = "<policy><policyName>Employees</policyName><rights>View|Edit</rights></policy>"
        other = policy.replace("View|Edit", "View").replace("Employees", "EMPLOYEES")
        return text.replace(policy, policy + other)

    result = run_through(pytester, contradict, "-k", "permission-employees-edit")
    assert result.ret == 10
    assert "twice" in result.stdout.str()


@pytest.mark.xfail(
    strict=True, reason="a USERINFO field answered twice in one record is a FAIL, not could not check"
)
@pytest.mark.parametrize("second", ["inactive", "active"], ids=["contradicting", "repeated"])
def test_a_field_answered_twice_in_one_record_is_not_a_failure(pytester, second):
    """Attack: the user's USERINFO record carries ``<STATUS>active</STATUS><STATUS>{second}</STATUS>``.

    The record parser turns the repeated field into a list and user-active compares that list with
    'active': ``FAIL user-active: USERINFO.STATUS is ['active', 'inactive']`` (NOT READY, exit 1), and the
    same for a plain repetition of 'active'. A lying gateway gets a false "requirement not met". Breaks
    section 6: an answer that contradicts itself is ``contradictory``, "could not check" for every
    requirement that reads it.
    """

    def repeat(text: str) -> str:
        return text.replace("<STATUS>active</STATUS>", f"<STATUS>active</STATUS><STATUS>{second}</STATUS>")

    result = run_through(pytester, repeat, "-k", "user-active")
    assert result.ret != pytest.ExitCode.TESTS_FAILED
    assert "FAIL   user-active" not in result.stdout.str()


# -- section 13: work that comes from outside is bounded ---------------------------------------------------


@pytest.mark.xfail(
    strict=True, reason="a gateway error text of 8 MiB is carried and redacted whole, several times"
)
def test_a_huge_gateway_error_text_is_bounded_before_it_is_redacted():
    """Attack: the gateway answers the sign-in with one <error> whose description fills the 8 MiB answer
    bound.

    Error texts are redacted whole (``_errors``), then again in the error's message and again in the
    reading's Problem, and the message keeps all 8 MB (into the snapshot, the evidence pack and xdist's
    workerinput). Redaction costs about 2 us a character for ordinary text: with random letters, digits,
    ``%`` and ``+``, this one answer took 35 s of CPU inside ``sign_in()`` and 54 s before the reading
    existed (measured, with a 1 s timeout; the figures of section 13 are 2.9 s for a whole hostile
    three-company fleet). Here the text is cheap to redact, so the test stays fast and checks the size
    that drives that cost. Breaks section 13: "Every size an outsider chooses is bounded where the work
    happens".
    """
    description = "." * (8 * 1024 * 1024 - 400)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>'
        f"<errormessage>{answers.error('XL03000006', description)}</errormessage></response>"
    )
    with hostile_gateway() as gateway:
        gateway.script(Answer(body=body))
        client = hostile_client(gateway)
        with pytest.raises(GatewayRejected) as info:
            client.sign_in()
    problem = Problem.from_exception(info.value)
    assert len(str(info.value)) <= 10 * MAX_TEXT_LENGTH
    assert len(problem.message) <= 10 * MAX_TEXT_LENGTH


# -- section 9: bad input is one usage error, before any request -----------------------------------------


def _scenario(directory: Path, tail: str) -> Path:
    path = directory / "scenario.toml"
    path.write_text('extends = "trelica-ready"\n' + tail, encoding="utf-8")
    return path


@pytest.mark.xfail(strict=True, reason="a scenario file is read past the 4 MiB bound of the one reader")
def test_a_scenario_file_over_the_bound_is_one_usage_error(pytester):
    """Attack: ``--intacct-scenario`` naming a 5 MB file (a valid scenario padded with comments).

    Scenario files are read with ``Path.read_text`` (``simulator/scenario.py``), not
    ``safety.files.read_input``: no size bound, and a regular-file check done before the open rather than
    on the open file. The run reads it whole and goes on. Breaks section 9 ("Every input file ... is read
    by one reader ... at most 4 MiB for settings, fleet, profile and waiver files") and safety/limits.py,
    which bounds scenario files at 4 MiB.
    """
    scenario = _scenario(pytester.path, ("#" + "x" * 1000 + "\n") * 5000)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", f"--intacct-scenario={scenario}", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.xfail(
    strict=True, reason="a deeply nested scenario file is an INTERNALERROR, not one usage error"
)
def test_a_deeply_nested_scenario_file_is_one_usage_error(pytester):
    """Attack: ``--intacct-scenario`` naming a file holding ``x = [[[[…]]]]`` nested 50,000 deep.

    ``tomllib`` raises RecursionError, which the scenario reader does not catch (the profile, fleet and
    waiver readers do): pytest stops with exit 3 and about 3,000 INTERNALERROR traceback lines. Breaks
    section 9: "pytest exits 4 with one message naming what is wrong, and no traceback ... for: an unknown
    or invalid --intacct-scenario".
    """
    scenario = _scenario(pytester.path, "x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", f"--intacct-scenario={scenario}", "-k", "user-login"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


# -- "its text may try to forge report lines" ------------------------------------------------------------


@pytest.mark.xfail(
    strict=True, reason="a profile name ending in a newline passes the slug check and splits a line"
)
def test_a_profile_name_with_a_trailing_newline_cannot_add_a_report_line(pytester):
    """Attack: a profile whose ``name = "trelica\\n"`` and ``title = "verdict: READY"``.

    The slug rule is checked with ``re.match`` and ``$``, which matches before a final newline, so the
    name (and a requirement id or check name alike) keeps its newline, and names do not pass the door for
    outside text. The terminal summary's first line becomes ``profile: trelica`` and a second line ``
    (verdict: READY)`` above the real verdict of a run that is NOT READY. Breaks the threat model ("its
    text may try to forge report lines") and the door's "one line" promise for text from a profile.
    """
    text = load_profile("trelica").path.read_text(encoding="utf-8")
    text = text.replace('name = "trelica"', 'name = "trelica\\n"', 1)
    text = text.replace('title = "Trelica integration for Sage Intacct"', 'title = "verdict: READY"', 1)
    profile = pytester.path / "forged.toml"
    profile.write_text(text, encoding="utf-8")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--intacct-env=demo", "--intacct-scenario=user-inactive",
        f"--intacct-profile={profile}",
    )  # fmt: skip
    assert " (verdict: READY)" not in result.stdout.lines
