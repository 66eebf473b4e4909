"""Settings mistakes, caught before anything is sent: names that are almost right, ``.env`` lines that cannot
be read, every problem in one usage error, and options that would be silently ignored. Through pytest."""

from __future__ import annotations

import pytest

from pytest_intacct.profiles import builtin_profiles
from tests.helpers.hostile_gateway import hostile_gateway

pytestmark = pytest.mark.usefixtures("no_intacct_variables")

COMPLETE = """INTACCT_SENDER_ID=TrelicaMPP
INTACCT_SENDER_PASSWORD=sender-canary-1234
INTACCT_COMPANY_ID=acme
INTACCT_USER_ID=trelica_ws
INTACCT_USER_PASSWORD=user-canary-5678
INTACCT_PROFILE=trelica
"""


def output(result) -> str:
    return result.stdout.str() + result.stderr.str()


def assert_one_usage_error(result) -> str:
    """The run stopped with one usage error and no traceback; returns everything it printed."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output(result)
    assert len([line for line in result.stderr.lines if line.startswith("ERROR:")]) == 1
    assert "Traceback" not in output(result)
    assert "INTERNALERROR" not in output(result)
    return output(result)


def test_a_mistyped_dotenv_key_is_in_the_header_with_the_setting_it_may_mean(pytester):
    env_file = pytester.path / ".env.prod"
    env_file.write_text(COMPLETE + "INTACCT_ENDPIONT=https://endpoint-canary.example/ia/xml/xmlgw.phtml\n")
    result = pytester.runpytest("--intacct-env=prod", "--co")
    result.stdout.fnmatch_lines(
        [
            "intacct: prod: company acme at https://api.intacct.com/*",  # the default it silently fell to
            f"intacct: warning: {env_file}:7: INTACCT_ENDPIONT is not a setting and is ignored; "
            "did you mean INTACCT_ENDPOINT?",
        ]
    )
    result.stdout.fnmatch_lines(["*warnings summary*", "*INTACCT_ENDPIONT is not a setting*"])
    assert "canary" not in output(result)


def test_a_mistyped_variable_of_a_selected_environment_is_a_warning(pytester, monkeypatch):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE)
    monkeypatch.setenv("INTACCT_PROD_ENDPIONT", "https://endpoint-canary.example/ia/xml/xmlgw.phtml")
    monkeypatch.setenv("INTACCT_PROD_SENDR_PASSWORD", "sendr-canary-42")
    result = pytester.runpytest("--intacct-env=prod", "--co")
    result.stdout.fnmatch_lines(
        [
            "intacct: warning: $INTACCT_PROD_ENDPIONT is not a setting of environment 'prod' and is ignored; "
            "did you mean $INTACCT_PROD_ENDPOINT?",
            "intacct: warning: $INTACCT_PROD_SENDR_PASSWORD is not a setting of environment 'prod' and is "
            "ignored; did you mean $INTACCT_PROD_SENDER_PASSWORD?",
        ]
    )
    assert "canary" not in output(result)


def test_variables_of_environments_not_selected_are_not_warned_about(pytester, monkeypatch):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE)
    monkeypatch.setenv("INTACCT_PROD_EU_USER_ID", "eu_user")  # prod-eu's, and prod-eu is not selected
    monkeypatch.setenv("INTACCT_PROD_EU_ENDPIONT", "https://eu.example/")  # prod-eu's, mistyped
    monkeypatch.setenv("INTACCT_SANDBOX_ENDPIONT", "https://sandbox.example/")
    result = pytester.runpytest("--intacct-env=prod", "--co", "-W", "error::UserWarning")
    assert result.ret == pytest.ExitCode.OK, output(result)
    assert "is not a setting" not in output(result)


def test_a_dotenv_line_that_cannot_be_parsed_is_in_the_header_with_file_and_line(pytester):
    env_file = pytester.path / ".env.prod"
    env_file.write_text(COMPLETE + "Zq7passphrase horse battery staple\n")
    result = pytester.runpytest("--intacct-env=prod", "--co")
    result.stdout.fnmatch_lines([f"intacct: warning: {env_file}:7: cannot parse this line; it is ignored"])
    assert "Zq7passphrase" not in output(result)


def test_a_usage_error_lists_every_problem_with_the_warnings_that_may_explain_it(pytester):
    """A mistyped password key, a profile that does not exist and a line that cannot be read: one error."""
    env_file = pytester.path / ".env.prod"
    env_file.write_text(
        "INTACCT_SENDER_ID=TrelicaMPP\n"
        "INTACCT_SENDR_PASSWORD=sendr-canary-1234\n"
        "INTACCT_COMPANY_ID=acme\n"
        "INTACCT_USER_ID=trelica_ws\n"
        'INTACCT_USER_PASSWORD="user-canary-5678\n'
        "INTACCT_PROFILE=nosuch\n"
    )
    result = pytester.runpytest("--intacct-env=prod")
    text = assert_one_usage_error(result)
    result.stderr.fnmatch_lines(
        [
            "ERROR: 2 problems stop the Intacct run:",
            "  1. Intacct settings incomplete:",
            "       environment 'prod' is missing INTACCT_SENDER_PASSWORD (or $INTACCT_PROD_SENDER_PASSWORD),"
            " INTACCT_USER_PASSWORD (or $INTACCT_PROD_USER_PASSWORD); *",
            "  2. profile *nosuch: no such file, and 'nosuch' is not a built-in profile "
            f"({', '.join(builtin_profiles())})",
            "settings warnings, which may explain it:",
            f"  {env_file}:2: INTACCT_SENDR_PASSWORD is not a setting and is ignored; "
            "did you mean INTACCT_SENDER_PASSWORD?",
            f"  {env_file}:5: cannot parse this line; it is ignored",
        ]
    )
    assert "canary" not in text


def test_missing_keys_and_an_unknown_profile_option_are_one_error(pytester):
    options = ("--intacct-env=prod", "--intacct-profile=nosuch", "--intacct-waivers=none.toml")
    result = pytester.runpytest(*options)
    assert_one_usage_error(result)
    result.stderr.fnmatch_lines(
        [
            "ERROR: 3 problems stop the Intacct run:",
            "  1. Intacct settings incomplete:",
            "       environment 'prod' is missing *",
            "  2. profile *nosuch: no such file*",
            "  3. *none.toml*",
        ]
    )


def test_a_scenario_for_a_real_environment_is_a_usage_error_and_nothing_is_sent(pytester):
    with hostile_gateway() as gateway:
        pytester.path.joinpath(".env.prod").write_text(COMPLETE + f"INTACCT_ENDPOINT={gateway.url}\n")
        result = pytester.runpytest("--intacct-env=prod", "--intacct-scenario=ip-blocked")
    assert_one_usage_error(result)
    result.stderr.fnmatch_lines(
        [
            "ERROR: --intacct-scenario=ip-blocked sets up the simulated company of --intacct-env=demo, and"
            " no demo environment is selected: prod would be checked for real. Add --intacct-env=demo, or"
            " leave the scenario out"
        ]
    )
    assert gateway.received == []


def test_a_scenario_beside_a_demo_environment_applies_to_it(pytester):
    pytester.path.joinpath(".env.prod").write_text(COMPLETE)
    result = pytester.runpytest("--intacct-env=demo,prod", "--intacct-scenario=calance-ready", "--co")
    assert result.ret == pytest.ExitCode.OK, output(result)


@pytest.mark.parametrize(
    "option",
    [
        "--intacct-json=acceptance.json",
        "--intacct-baseline=baseline.json",
        "--intacct-waivers=waivers.toml",
        "--intacct-scenario=ip-blocked",
        "--intacct-profile=trelica",
        "--intacct-timeout=5",
        "--intacct-fail-on=new",
    ],
)
def test_a_plugin_option_without_an_environment_is_a_usage_error(pytester, option):
    """Not a run that ignores it: with tests of its own that would pass, and with none ("no tests ran")."""
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest(option)
    assert_one_usage_error(result)
    flag = option.split("=")[0]
    result.stderr.fnmatch_lines(
        [f"ERROR: {flag}: nothing to check; name an environment with --intacct-env=NAME *"]
    )
    assert "passed" not in result.stdout.str()


def test_options_left_at_their_defaults_keep_plain_runs_quiet(pytester):
    pytester.makepyfile("def test_plain(): pass")
    result = pytester.runpytest("--intacct-fail-on=any", "--intacct-retries=4")
    result.assert_outcomes(passed=1)
