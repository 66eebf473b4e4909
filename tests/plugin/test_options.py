"""The plugin's options and its usage errors, through pytest itself."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from pytest_intacct.plugin.options import concurrency as parse_concurrency
from pytest_intacct.profiles import AREAS, builtin_profiles
from pytest_intacct.safety.limits import MAX_CONCURRENCY

COMPLETE = """
INTACCT_SENDER_ID=TrelicaMPP
INTACCT_SENDER_PASSWORD=sender-canary-1234
INTACCT_COMPANY_ID=acme
INTACCT_USER_ID=trelica_ws
INTACCT_USER_PASSWORD=user-canary-5678
"""


pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def test_help_lists_the_intacct_options(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        ["*Sage Intacct acceptance checks*", "*--intacct-env=NAME*", "*--intacct-json=PATH*"]
    )


def test_without_an_environment_the_plugin_stays_out_of_the_way(pytester):
    pytester.makepyfile("def test_plain(): assert True")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_missing_credentials_are_one_usage_error_naming_every_key(pytester):
    result = pytester.runpytest("--intacct-env=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1
    text = result.stderr.str()
    for key in ("INTACCT_SENDER_ID", "INTACCT_SENDER_PASSWORD", "INTACCT_COMPANY_ID", "INTACCT_USER_ID"):
        assert f"{key} (or $INTACCT_PROD_{key.removeprefix('INTACCT_')})" in text
    assert "Traceback" not in result.stdout.str() + text


def test_several_environments_share_one_error(pytester):
    pytester.path.joinpath(".env.sandbox").write_text(COMPLETE)
    result = pytester.runpytest("--intacct-env=sandbox,prod", "--intacct-env=qa")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str()
    assert "environment 'prod' is missing" in text
    assert "environment 'qa' is missing" in text
    assert "environment 'sandbox' is missing" not in text
    assert "canary" not in text + result.stdout.str()


def test_a_real_environment_needs_a_profile(pytester):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE)
    result = pytester.runpytest("--intacct-env=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: no runbook profile for environment(s) prod*INTACCT_PROFILE*"])
    assert "canary" not in result.stderr.str()


def test_a_bad_profile_is_one_usage_error_naming_the_file(pytester):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE)
    bad = pytester.path / "mine.toml"
    bad.write_text('name = "mine"\ntitle = "x"\nsource = "y"\nrequirements = [{ id = "Bad Id" }]\n')
    result = pytester.runpytest("--intacct-env=prod", f"--intacct-profile={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert str(bad) in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_an_unknown_builtin_profile_names_the_known_ones(pytester):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE + "INTACCT_PROFILE=nosuch\n")
    result = pytester.runpytest("--intacct-env=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: *nosuch*{', '.join(builtin_profiles())}*"])


def test_the_suites_without_an_environment_say_what_is_missing(pytester):
    from pytest_intacct.plugin import suites_dir

    result = pytester.runpytest(str(suites_dir()), "-rs")
    result.assert_outcomes(skipped=len(AREAS))  # one suite file per area
    result.stdout.fnmatch_lines(
        ["*no --intacct-env given: the acceptance suites need one (try --intacct-env=demo)*"]
    )


def test_an_unknown_demo_login_names_the_scenarios_logins(pytester):
    result = pytester.runpytest("--intacct-env=demo:staging", "--intacct-scenario=calance-ready")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: scenario calance-ready has no login 'staging'; use one of: demo:test, demo:production"]
    )


def assert_usage_error(result, *patterns: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(list(patterns))
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_an_unknown_scenario_is_a_usage_error_naming_the_shipped_ones(pytester):
    result = pytester.runpytest("--intacct-env=demo", "--intacct-scenario=nosuch")
    assert_usage_error(result, "ERROR: --intacct-scenario=nosuch: unknown scenario 'nosuch'*trelica-ready*")


def test_an_invalid_scenario_file_is_a_usage_error_naming_file_line_and_key(pytester):
    bad = pytester.path / "bad.toml"
    bad.write_text('extends = "trelica-ready"\n\n[faults]\nfail_every = "often"\n')
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-scenario={bad}")
    assert_usage_error(result, f"ERROR: --intacct-scenario={bad}: {bad}:4: key faults.fail_every: *")


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "soon"])
def test_a_timeout_must_be_a_finite_number_of_seconds_above_zero(pytester, value):
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-timeout={value}")
    assert_usage_error(result, "*argument --intacct-timeout*")


@pytest.mark.parametrize("value", ["-1", "11", "1000", "two"])
def test_retries_are_bounded(pytester, value):
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-retries={value}")
    assert_usage_error(result, "*argument --intacct-retries*")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/acceptance.json", "*the folder * does not exist"),
        (".", "*is a directory; give a file name"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_refused_before_any_request(pytester, target, message):
    journal = pytester.path / "journal.jsonl"
    result = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-json={target}", f"--intacct-journal={journal}"
    )
    assert_usage_error(result, f"ERROR: --intacct-json={target}: {message}")
    assert not journal.exists(), "the simulator was never started, so no request was made"


def test_environment_names_that_share_their_variables_are_refused(pytester):
    result = pytester.runpytest("--intacct-env=prod-eu,prod_eu")
    assert_usage_error(
        result, "ERROR: environments 'prod-eu' and 'prod_eu' would both read INTACCT_PROD_EU_* variables*"
    )


def test_a_malformed_or_repeated_dotenv_line_is_a_warning_naming_file_and_line_only(pytester):
    """A line python-dotenv cannot parse may be a pasted passphrase: its warning shows no part of it."""
    pytester.path.joinpath(".env.prod").write_text(
        COMPLETE
        + "INTACCT_PROFILE=trelica\n"
        + 'INTACCT_ENTITY="unterminated-secret-value\n'
        + "INTACCT_USER_ID=second_user\n"
        + "Zq7passphrase horse battery staple\n"
    )
    result = pytester.runpytest("--intacct-env=prod", "--co", "-q", "-rw")
    text = result.stdout.str()
    env_file = pytester.path / ".env.prod"
    assert f"{env_file}:8: cannot parse this line; it is ignored" in text
    assert f"{env_file}:10: cannot parse this line; it is ignored" in text
    assert "Zq7passphrase" not in text + result.stderr.str()
    assert f"{env_file}:9: INTACCT_USER_ID is set again (first on line 5); the last value is used" in text
    assert "unterminated-secret-value" not in text + result.stderr.str()
    assert "canary" not in text + result.stderr.str()


def test_dotenv_files_are_read_from_the_directory_pytest_is_started_in(pytester):
    pytester.makeini("[pytest]\n")  # makes pytester.path the rootdir
    pytester.path.joinpath(".env.prod").write_text(COMPLETE.replace("acme", "root-company"))
    here = pytester.mkdir("customer")
    here.joinpath(".env.prod").write_text(
        COMPLETE.replace("acme", "cwd-company") + "INTACCT_PROFILE=trelica\n"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(here)
        result = pytester.runpytest("--intacct-env=prod", "--co", "--rootdir", str(pytester.path))
    result.stdout.fnmatch_lines(["*intacct: prod: company cwd-company at *"])
    assert "root-company" not in result.stdout.str()


def test_an_unknown_area_marker_is_a_collection_error_naming_the_areas(pytester):
    mine = pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.intacct_area("billing")


        def test_mine(intacct_requirement):
            pass
        """
    )
    result = pytester.runpytest(str(mine), "--intacct-env=demo")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*intacct_area('billing'): unknown area; areas: access, user, permissions*"])


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://api.intacct.com/ia/xml/xmlgw.phtml", "*plain http:// to a remote host*"),
        (
            "https://user:pw-canary-1@api.intacct.com/ia/xml/xmlgw.phtml",
            "*must not carry a user name or password*",
        ),
        ("ftp://api.intacct.com/", "*must start with https://*"),
        ("https:///ia/xml/xmlgw.phtml", "*names no host*"),
    ],
)
def test_an_endpoint_credentials_must_not_go_to_is_a_usage_error(pytester, endpoint, message):
    pytester.path.joinpath(".env.prod").write_text(
        COMPLETE + f"INTACCT_PROFILE=trelica\nINTACCT_ENDPOINT={endpoint}\n"
    )
    result = pytester.runpytest("--intacct-env=prod")
    assert_usage_error(result, f"  environment 'prod': INTACCT_ENDPOINT: {message}")
    assert "canary" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("--intacct-json=out/run", "--intacct-record=out/../out/run"),
        ("--intacct-markdown=report.html", "--html=report.html"),
        ("--intacct-journal=j", "--junitxml=j"),
    ],
)
def test_two_outputs_naming_one_file_are_a_usage_error(pytester, first, second):
    pytester.mkdir("out")
    result = pytester.runpytest("--intacct-env=demo", first, second)
    assert_usage_error(result, f"ERROR: {first.split('=')[0]} and {second.split('=')[0]} both write *")


@pytest.mark.parametrize("value", ["0", "-3", str(MAX_CONCURRENCY + 1), "many"])
def test_concurrency_is_a_bounded_whole_number(pytester, value):
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-concurrency={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*argument --intacct-concurrency*"])


def test_a_concurrency_the_open_file_limit_cannot_carry_is_a_usage_error(pytester):
    import resource

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--intacct-env=demo"]
    done = subprocess.run(
        [*argv, "--intacct-concurrency=1000"],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        preexec_fn=low_limit,  # the limit is the child's only, set before it runs
        check=False,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout
    assert "--intacct-concurrency=1000 needs about 4128 open files" in done.stderr
    assert "use --intacct-concurrency=32 or less" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "expected"), [("32", 32), (" 1 ", 1), (str(MAX_CONCURRENCY), MAX_CONCURRENCY)]
)
def test_the_option_parser_accepts_whole_numbers_in_range(text: str, expected: int) -> None:
    assert parse_concurrency(text) == expected


@pytest.mark.parametrize("text", ["0", "many", "1.5", "", str(MAX_CONCURRENCY + 1)])
def test_the_option_parser_gives_argparse_a_usage_error(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=f"whole number from 1 to {MAX_CONCURRENCY}"):
        parse_concurrency(text)
