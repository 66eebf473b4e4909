"""Environment settings: precedence of .env, .env.NAME and INTACCT_<NAME>_<KEY>, and one clear error."""

from __future__ import annotations

import os
import re
import warnings

import pytest

from pytest_intacct.client import DEFAULT_ENDPOINT
from pytest_intacct.settings.environments import (
    SettingsError,
    SettingsWarning,
    declared_profiles,
    env_var_name,
    load_environment,
    load_environments,
    parse_environment_names,
)
from tests.helpers.environments import SETTINGS

COMPLETE = """
INTACCT_SENDER_ID=TrelicaMPP
INTACCT_SENDER_PASSWORD=sender-canary-1234
INTACCT_COMPANY_ID=acme
INTACCT_USER_ID=trelica_ws
INTACCT_USER_PASSWORD=user-canary-5678
"""


def test_env_var_names_upper_case_and_underscore_the_environment():
    assert env_var_name("prod", "INTACCT_USER_ID") == "INTACCT_PROD_USER_ID"
    assert env_var_name("sandbox-eu.2", "INTACCT_SENDER_PASSWORD") == "INTACCT_SANDBOX_EU_2_SENDER_PASSWORD"


def test_names_are_repeatable_and_comma_separated_without_duplicates():
    assert parse_environment_names(["sandbox,prod", "prod", " qa "]) == ["sandbox", "prod", "qa"]


def test_dotenv_then_named_file_then_process_environment(tmp_path):
    (tmp_path / ".env").write_text(COMPLETE + "INTACCT_ENTITY=from-common\n")
    (tmp_path / ".env.prod").write_text("INTACCT_COMPANY_ID=acme-prod\nINTACCT_ENTITY=from-named\n")
    environ = {"INTACCT_PROD_ENTITY": "from-process", "INTACCT_SANDBOX_ENTITY": "other-env"}

    env = load_environment("prod", tmp_path, environ)

    assert env.credentials.company_id == "acme-prod"  # .env.prod beats .env
    assert env.credentials.entity_id == "from-process"  # the process environment beats both files
    assert env.credentials.sender_id == "TrelicaMPP"  # .env fills the rest
    assert env.credentials.endpoint == DEFAULT_ENDPOINT


def test_files_never_touch_the_process_environment(tmp_path):
    (tmp_path / ".env").write_text(COMPLETE)
    before = dict(os.environ)
    load_environment("sandbox", tmp_path, {})
    assert dict(os.environ) == before
    assert "INTACCT_SENDER_ID" not in os.environ


def test_ci_secrets_need_no_file(tmp_path):
    environ = {
        env_var_name("prod", key): value
        for key, value in (line.split("=", 1) for line in COMPLETE.strip().splitlines())
    }
    env = load_environment("prod", tmp_path, environ)
    assert env.credentials.user_id == "trelica_ws"
    assert env.credentials.user_password.reveal() == "user-canary-5678"


@pytest.mark.parametrize(
    ("name", "flag", "production"),
    [
        ("prod", "", True),
        ("production", "", True),
        ("sandbox", "", False),
        ("prod", "false", False),
        ("sandbox", "TRUE", True),
    ],
)
def test_production_defaults_by_name_and_can_be_set(tmp_path, name, flag, production):
    (tmp_path / ".env").write_text(COMPLETE)
    (tmp_path / f".env.{name}").write_text(f"INTACCT_PRODUCTION={flag}\n" if flag else "")
    assert load_environment(name, tmp_path, {}).production is production


def test_profile_and_developer_user_are_optional_keys(tmp_path):
    (tmp_path / ".env.test").write_text(
        COMPLETE + "INTACCT_PROFILE=calance\nINTACCT_DEVELOPER_USER_ID=dev.jane\n"
    )
    env = load_environment("test", tmp_path, {})
    assert (env.profile, env.developer_user_id) == ("calance", "dev.jane")


def test_every_missing_key_of_every_environment_in_one_error_without_values(tmp_path):
    (tmp_path / ".env.prod").write_text("INTACCT_SENDER_ID=TrelicaMPP\nINTACCT_SENDER_PASSWORD=canary-9999\n")
    (tmp_path / ".env.sandbox").write_text(COMPLETE.replace("INTACCT_USER_PASSWORD=user-canary-5678", ""))
    with pytest.raises(SettingsError) as info:
        load_environments(["prod", "sandbox"], tmp_path, {"INTACCT_PROD_USER_ID": "   "})
    message = str(info.value)
    for key in ("INTACCT_COMPANY_ID", "INTACCT_USER_ID", "INTACCT_USER_PASSWORD"):
        assert f"{key} (or ${env_var_name('prod', key)})" in message
    assert "environment 'sandbox' is missing INTACCT_USER_PASSWORD" in message
    assert str(tmp_path / ".env.prod") in message
    assert "canary" not in message
    assert "TrelicaMPP" not in message


def test_a_malformed_production_flag_is_an_error(tmp_path):
    (tmp_path / ".env").write_text(COMPLETE + "INTACCT_PRODUCTION=maybe\n")
    with pytest.raises(SettingsError, match="INTACCT_PRODUCTION must be true or false"):
        load_environment("prod", tmp_path, {})


def test_passwords_are_secrets_from_the_moment_they_are_read(tmp_path):
    (tmp_path / ".env").write_text(COMPLETE)
    env = load_environment("prod", tmp_path, {})
    assert "canary" not in repr(env)
    assert "canary" not in str(env.credentials)


def test_precedence_with_a_fleet_entry_env_then_named_file_then_fleet_then_process(tmp_path):
    # docs/fleet.md "Precedence": .env < .env.NAME < the fleet entry < INTACCT_<NAME>_<KEY>.
    (tmp_path / ".env").write_text(COMPLETE + "INTACCT_ENTITY=env\nINTACCT_PROFILE=env\n")
    (tmp_path / ".env.prod").write_text(
        "INTACCT_ENTITY=named\nINTACCT_PROFILE=named\nINTACCT_USER_ID=named\n"
    )
    fleet = {"prod": {"INTACCT_ENTITY": "fleet", "INTACCT_PROFILE": "fleet", "INTACCT_USER_PASSWORD": "f-pw"}}
    environ = {"INTACCT_PROD_ENTITY": "process"}
    env = load_environments(["prod"], tmp_path, environ, fleet=fleet, groups={"prod": "acme"})[0]
    assert env.credentials.entity_id == "process"  # the process variable beats the fleet entry
    assert env.profile == "fleet"  # the fleet entry beats .env.NAME
    assert env.credentials.user_id == "named"  # .env.NAME beats .env
    assert env.credentials.sender_id == "TrelicaMPP"  # .env fills what nothing else sets
    assert env.credentials.user_password.reveal() == "f-pw"
    assert env.group == "acme"


def test_a_fleet_entry_missing_a_key_says_the_fleet_file_was_looked_in(tmp_path):
    with pytest.raises(SettingsError, match=r"INTACCT_USER_ID.*the fleet file and the process environment"):
        load_environments(["prod"], tmp_path, {}, fleet={"prod": {"INTACCT_COMPANY_ID": "acme"}})


def test_names_cannot_start_with_a_star_the_cross_environment_homes_prefix():
    with pytest.raises(SettingsError, match="starting with a letter or digit"):
        parse_environment_names(["*acme"])


def test_a_name_whose_variables_shadow_a_setting_is_refused():
    # INTACCT_DEVELOPER_USER_ID would be both this environment's user and the developer account setting.
    with pytest.raises(SettingsError, match="'developer': its variable INTACCT_DEVELOPER_USER_ID is also"):
        parse_environment_names(["developer"])


# -- settings names that are almost right ---------------------------------------------------------------


def warnings_of(load) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load()
    return [str(w.message) for w in caught if issubclass(w.category, SettingsWarning)]


def test_an_unknown_key_in_a_dotenv_file_names_file_line_and_the_nearest_setting(tmp_path):
    (tmp_path / ".env.prod").write_text(
        COMPLETE
        + "INTACCT_ENDPIONT=https://endpoint-canary.example/\nINTACCT_SENDR_PASSWORD=sendr-canary-1\n"
    )
    found = warnings_of(lambda: load_environment("prod", tmp_path, {}))
    env_file = tmp_path / ".env.prod"
    assert found == [
        f"{env_file}:7: INTACCT_ENDPIONT is not a setting and is ignored; did you mean INTACCT_ENDPOINT?",
        f"{env_file}:8: INTACCT_SENDR_PASSWORD is not a setting and is ignored; "
        "did you mean INTACCT_SENDER_PASSWORD?",
    ]
    assert "canary" not in " ".join(found)


def test_an_unknown_variable_of_a_selected_environment_names_the_nearest_one(tmp_path):
    (tmp_path / ".env.prod").write_text(COMPLETE)
    environ = {"INTACCT_PROD_ENDPIONT": "https://endpoint-canary.example/", "INTACCT_PROD_USERID": "x-canary"}
    found = warnings_of(lambda: load_environment("prod", tmp_path, environ))
    assert found == [
        "$INTACCT_PROD_ENDPIONT is not a setting of environment 'prod' and is ignored; "
        "did you mean $INTACCT_PROD_ENDPOINT?",
        "$INTACCT_PROD_USERID is not a setting of environment 'prod' and is ignored; "
        "did you mean $INTACCT_PROD_USER_ID?",
    ]
    assert "canary" not in " ".join(found)


def test_variables_of_environments_not_selected_are_left_alone(tmp_path):
    """INTACCT_PROD_ is also the start of prod-eu's variables, set or mistyped; qa is not selected at all."""
    (tmp_path / ".env.prod").write_text(COMPLETE)
    environ = {
        "INTACCT_PROD_EU_USER_ID": "eu_user",
        "INTACCT_PROD_EU_ENDPIONT": "https://eu.example/",
        "INTACCT_QA_ENDPIONT": "https://qa.example/",
        "INTACCT_PRODUCTION_USER_ID": "another",
    }
    assert warnings_of(lambda: load_environment("prod", tmp_path, environ)) == []


def test_with_both_selected_each_environment_owns_its_longest_prefix(tmp_path):
    (tmp_path / ".env").write_text(COMPLETE)
    environ = {"INTACCT_PROD_EU_ENDPIONT": "https://eu.example/", "INTACCT_PROD_ENTITI": "US"}
    found = warnings_of(lambda: load_environments(["prod", "prod-eu"], tmp_path, environ))
    assert found == [
        "$INTACCT_PROD_ENTITI is not a setting of environment 'prod' and is ignored; "
        "did you mean $INTACCT_PROD_ENTITY?",
        "$INTACCT_PROD_EU_ENDPIONT is not a setting of environment 'prod-eu' and is ignored; "
        "did you mean $INTACCT_PROD_EU_ENDPOINT?",
    ]


def test_the_auditor_login_keys_are_settings_not_typos(tmp_path):
    (tmp_path / ".env.prod").write_text(COMPLETE + "INTACCT_AUDITOR_USER_ID=auditor\n")
    environ = {"INTACCT_PROD_AUDITOR_USER_PASSWORD": "auditor-canary-1"}
    assert warnings_of(lambda: load_environment("prod", tmp_path, environ)) == []


def test_the_declared_profile_is_known_even_when_other_keys_are_missing(tmp_path):
    (tmp_path / ".env.prod").write_text("INTACCT_PROFILE=nosuch\n")
    (tmp_path / ".env.qa").write_text("INTACCT_SENDER_ID=TrelicaMPP\n")
    assert declared_profiles(["prod", "qa"], tmp_path, {"INTACCT_QA_PROFILE": "calance"}) == {
        "prod": "nosuch",
        "qa": "calance",
    }


def test_a_key_like_no_setting_lists_the_settings(tmp_path):
    (tmp_path / ".env.prod").write_text(COMPLETE + "INTACCT_XYZZY=1\n")
    (found,) = warnings_of(lambda: load_environment("prod", tmp_path, {}))
    assert found.startswith(f"{tmp_path / '.env.prod'}:7: INTACCT_XYZZY is not a setting and is ignored; ")
    assert "the settings are INTACCT_AUDITOR_USER_ID, INTACCT_AUDITOR_USER_PASSWORD, INTACCT_COMPANY" in found


def test_an_environment_named_like_an_auditor_setting_is_refused():
    """``auditor`` would read ``INTACCT_AUDITOR_USER_ID`` as its user id: the shadowing rule covers the
    auditor's keys."""
    with pytest.raises(SettingsError, match="INTACCT_AUDITOR_USER_ID is also the name of a setting"):
        parse_environment_names(["auditor"])


def test_an_auditor_login_needs_both_its_keys(tmp_path):
    values = {f"INTACCT_PROD_{key[8:]}": value for key, value in SETTINGS.items()}
    auditor = {"INTACCT_PROD_AUDITOR_USER_ID": "setup_auditor"}
    with pytest.raises(SettingsError, match="AUDITOR_USER_ID is set but INTACCT_AUDITOR_USER_PASSWORD"):
        load_environments(["prod"], tmp_path, {**values, **auditor})
    auditor["INTACCT_PROD_AUDITOR_USER_PASSWORD"] = "a-pass-1"
    [env] = load_environments(["prod"], tmp_path, {**values, **auditor})
    credentials = env.auditor_credentials
    assert credentials is not None
    assert (credentials.user_id, credentials.sender_id) == ("setup_auditor", "TrelicaMPP")
    assert credentials.user_password.reveal() == "a-pass-1"
    assert "a-pass-1" not in repr(env)


def rest_environment(tmp_path, **rest: str):
    values = {f"INTACCT_PROD_{key[8:]}": value for key, value in SETTINGS.items()}
    values |= {"INTACCT_PROD_ENDPOINT": "https://api.intacct.com/ia/xml/xmlgw.phtml"}
    return load_environments(
        ["prod"], tmp_path, {**values, **{f"INTACCT_PROD_{k}": v for k, v in rest.items()}}
    )


def test_rest_access_asks_for_the_web_services_user_on_the_gateways_host(tmp_path):
    [env] = rest_environment(
        tmp_path, REST_CLIENT_ID="checker.app.sage.com", REST_CLIENT_SECRET="rest-canary-1"
    )
    credentials = env.rest_credentials
    assert credentials is not None
    assert (credentials.client_id, credentials.username) == ("checker.app.sage.com", "trelica_ws@acme")
    assert credentials.endpoint == "https://api.intacct.com/ia/api/v1"
    assert credentials.client_secret.reveal() == "rest-canary-1"
    assert "rest-canary-1" not in repr(env)


def test_the_rest_username_defaults_to_the_auditor_and_a_set_one_wins(tmp_path):
    client = {"REST_CLIENT_ID": "checker", "REST_CLIENT_SECRET": "rest-canary-1"}
    auditor = {"AUDITOR_USER_ID": "setup_auditor", "AUDITOR_USER_PASSWORD": "a-pass-1"}
    [env] = rest_environment(tmp_path, **client, **auditor)
    assert env.rest_login == "setup_auditor@acme"
    [env] = rest_environment(tmp_path, **client, **auditor, REST_USERNAME="admin@acme|US", ENTITY="US")
    assert env.rest_login == "admin@acme|US"
    assert env.rest_credentials is not None
    assert env.rest_credentials.entity_id == "US"


def test_without_rest_settings_there_is_no_rest_access(tmp_path):
    [env] = rest_environment(tmp_path)
    assert (env.rest_login, env.rest_credentials) == (None, None)


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ({"REST_CLIENT_ID": "checker"}, "INTACCT_REST_CLIENT_ID is set but INTACCT_REST_CLIENT_SECRET"),
        (
            {"REST_CLIENT_SECRET": "rest-canary-1"},
            "INTACCT_REST_CLIENT_SECRET is set but INTACCT_REST_CLIENT_ID",
        ),
        ({"REST_USERNAME": "admin@acme"}, "INTACCT_REST_USERNAME is set without INTACCT_REST_CLIENT_ID"),
        (
            {"REST_CLIENT_ID": "c", "REST_CLIENT_SECRET": "rest-canary-1", "REST_USERNAME": "admin"},
            "INTACCT_REST_USERNAME must be userId@companyId",
        ),
        (
            {"REST_CLIENT_ID": "c", "REST_CLIENT_SECRET": "rest-canary-1", "REST_USERNAME": "admin@globex"},
            "INTACCT_REST_USERNAME names company 'globex', not this environment's 'acme'",
        ),
    ],
    ids=[
        "client-without-secret",
        "secret-without-client",
        "username-alone",
        "not-user-at-company",
        "other-company",
    ],
)
def test_rest_settings_that_cannot_work_are_one_usage_error_naming_the_keys(tmp_path, rest, message):
    with pytest.raises(SettingsError, match=re.escape(message)) as info:
        rest_environment(tmp_path, **rest)
    assert "rest-canary-1" not in str(info.value)


def test_the_rest_keys_are_settings_not_typos(tmp_path):
    (tmp_path / ".env.prod").write_text(
        COMPLETE + "INTACCT_REST_CLIENT_ID=checker\nINTACCT_REST_USERNAME=trelica_ws@acme\n"
    )
    environ = {"INTACCT_PROD_REST_CLIENT_SECRET": "rest-canary-1"}
    assert warnings_of(lambda: load_environment("prod", tmp_path, environ)) == []
