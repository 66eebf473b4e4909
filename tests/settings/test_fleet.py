"""Fleet files: parsing, validation (file, entry and key named; never a value) and secret resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_intacct.settings.fleet import FleetError, fleet_values, load_fleet

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fleet.toml"
CANARY = "Canary-Secret-7f3a"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(FleetError) as caught:
        load_fleet(write(tmp_path, text))
    return str(caught.value)


def test_the_example_loads_with_defaults_applied_and_entries_winning() -> None:
    fleet = load_fleet(EXAMPLE)
    assert fleet.names == ["acme-sandbox", "acme-prod", "globex", "initech-prod"]
    sandbox, prod, globex, initech = fleet.entries
    assert sandbox.settings == {
        "INTACCT_SENDER_ID": "TrelicaMPP",
        "INTACCT_PROFILE": "trelica",
        "INTACCT_COMPANY_ID": "acme-sandbox",
        "INTACCT_USER_ID": "trelica_ws",
        "INTACCT_PRODUCTION": "false",
    }
    assert sandbox.secret_variables == {
        "INTACCT_SENDER_PASSWORD": "TRELICA_SENDER_PASSWORD",
        "INTACCT_USER_PASSWORD": "ACME_SANDBOX_WS_PASSWORD",
    }
    assert (sandbox.group, prod.group, globex.group, initech.group) == ("acme", "acme", "globex", "initech")
    assert prod.settings["INTACCT_PRODUCTION"] == "true"
    assert globex.settings["INTACCT_ENTITY"] == "US"
    assert "INTACCT_PRODUCTION" not in globex.settings  # unset: the settings' own default applies
    assert initech.settings["INTACCT_SENDER_ID"] == "CALANCE"
    assert initech.settings["INTACCT_PROFILE"] == "calance"
    assert initech.settings["INTACCT_DEVELOPER_USER_ID"] == "dev.jane"
    assert initech.secret_variables["INTACCT_SENDER_PASSWORD"] == "CALANCE_SENDER_PASSWORD"


def test_secrets_are_resolved_from_the_named_variables() -> None:
    fleet = load_fleet(EXAMPLE).select(["acme-prod"])
    environ = {"TRELICA_SENDER_PASSWORD": "sender-pw", "ACME_WS_PASSWORD": "ws-pw"}
    values = fleet_values(fleet, environ)
    assert values == {
        "acme-prod": {
            "INTACCT_SENDER_ID": "TrelicaMPP",
            "INTACCT_PROFILE": "trelica",
            "INTACCT_COMPANY_ID": "acme",
            "INTACCT_USER_ID": "trelica_ws",
            "INTACCT_PRODUCTION": "true",
            "INTACCT_SENDER_PASSWORD": "sender-pw",
            "INTACCT_USER_PASSWORD": "ws-pw",
        }
    }


def test_every_missing_variable_is_listed_in_one_error_without_any_value() -> None:
    fleet = load_fleet(EXAMPLE)
    environ = {"TRELICA_SENDER_PASSWORD": CANARY, "ACME_WS_PASSWORD": CANARY, "GLOBEX_WS_PASSWORD": ""}
    with pytest.raises(FleetError) as caught:
        fleet_values(fleet, environ)
    message = str(caught.value)
    for variable in (
        "ACME_SANDBOX_WS_PASSWORD",
        "GLOBEX_WS_PASSWORD",
        "CALANCE_SENDER_PASSWORD",
        "INITECH_WS_PASSWORD",
    ):
        assert f"${variable}" in message
    assert "$ACME_WS_PASSWORD" not in message
    assert "$TRELICA_SENDER_PASSWORD" not in message
    assert str(EXAMPLE) in message
    assert "environment 'initech-prod'" in message
    assert CANARY not in message


def test_an_environment_variable_override_makes_the_fleet_variable_unnecessary() -> None:
    fleet = load_fleet(EXAMPLE).select(["acme-prod"])
    environ = {"TRELICA_SENDER_PASSWORD": "s", "INTACCT_ACME_PROD_USER_PASSWORD": "from-ci"}
    values = fleet_values(fleet, environ)["acme-prod"]
    assert "INTACCT_USER_PASSWORD" not in values  # the override is applied by the settings, above the fleet


def test_select_keeps_the_order_asked_and_refuses_unknown_names() -> None:
    fleet = load_fleet(EXAMPLE)
    assert fleet.select(["globex", "acme-prod"]).names == ["globex", "acme-prod"]
    with pytest.raises(
        FleetError, match=r"no environment named 'nope', 'acme'; the fleet has 'acme-sandbox'"
    ):
        fleet.select(["nope", "acme", "globex"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[environment]]\nname = "a"\ncompnay = "x"\n',
            "environment 'a' (entry 1): key 'compnay': unknown key",
        ),
        ('[defaults]\nname = "a"\n[[environment]]\nname = "b"\n', "[defaults]: key 'name': unknown key"),
        ('[defaults]\ngroup = "a"\n[[environment]]\nname = "b"\n', "[defaults]: key 'group': unknown key"),
        ('environments = []\n[[environment]]\nname = "a"\n', "key 'environments': unknown top-level key"),
        (
            '[[environment]]\nname = "a"\nproduction = "yes"\n',
            "(entry 1): key 'production': must be true or false",
        ),
        (
            '[[environment]]\nname = "a"\ncompany = 42\n',
            "(entry 1): key 'company': must be a non-empty string",
        ),
        ('[[environment]]\nname = "a"\nuser = " "\n', "(entry 1): key 'user': must be a non-empty string"),
        ('[[environment]]\ncompany = "x"\n', "entry 1: key 'name': missing"),
        ("[[environment]]\nname = 7\n", "entry 1: key 'name': must be a non-empty string"),
        ('[[environment]]\nname = "a,b"\n', "key 'name': 'a,b' must be letters, digits"),
        ('[[environment]]\nname = "demo"\n', "not 'demo'"),
        ('[[environment]]\nname = "a"\ngroup = "acme@eu"\n', "key 'group': 'acme@eu' must be letters"),
        ('[[environment]]\nname = "demo:test"\n', "not 'demo'"),
        (
            '[[environment]]\nname = "a"\n[[environment]]\nname = "a"\n',
            "(entry 2): key 'name': 'a' is used twice",
        ),
        (
            '[[environment]]\nname = "acme-prod"\n[[environment]]\nname = "acme.prod"\n',
            "'acme.prod' and 'acme-prod' share the variable prefix INTACCT_ACME_PROD_",
        ),
        (
            '[[environment]]\nname = "Acme_Prod"\n[[environment]]\nname = "acme-prod"\n',
            "'acme-prod' and 'Acme_Prod' share the variable prefix INTACCT_ACME_PROD_",
        ),
        ("environment = 3\n", "key 'environment': must be an array of tables"),
        ("defaults = 3\n[[environment]]\nname = 'a'\n", "key 'defaults': must be a table"),
        ("", "no [[environment]] entries"),
        ("[[environment]\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_file_entry_and_key(tmp_path: Path, text: str, expected: str) -> None:
    message = problem(tmp_path, text)
    assert expected in message
    assert str(tmp_path / "fleet.toml") in message


@pytest.mark.parametrize("key", ["sender_password", "user_password", "password", "session_id"])
def test_a_literal_secret_in_the_file_is_an_error_that_never_repeats_it(tmp_path: Path, key: str) -> None:
    message = problem(tmp_path, f'[[environment]]\nname = "acme"\n{key} = "{CANARY}"\n')
    assert f"environment 'acme' (entry 1): key {key!r}: secrets never go in the fleet file" in message
    assert CANARY not in message


def test_a_secret_pasted_where_a_variable_name_belongs_is_refused_without_repeating_it(
    tmp_path: Path,
) -> None:
    message = problem(tmp_path, f'[[environment]]\nname = "acme"\nuser_password_var = "{CANARY}!"\n')
    assert "key 'user_password_var': must be an environment variable name" in message
    assert CANARY not in message


def test_every_problem_of_the_file_comes_in_one_error(tmp_path: Path) -> None:
    message = problem(
        tmp_path,
        '[[environment]]\nname = "a"\nfoo = 1\n[[environment]]\nname = "b"\nproduction = 1\n'
        '[[environment]]\nname = "b"\n',
    )
    assert "(entry 1): key 'foo'" in message
    assert "(entry 2): key 'production'" in message
    assert "(entry 3): key 'name': 'b' is used twice" in message


def test_an_unreadable_file_is_a_fleet_error(tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="cannot read the fleet file"):
        load_fleet(tmp_path / "absent.toml")


def test_a_relative_profile_file_is_found_beside_the_fleet_file(tmp_path: Path) -> None:
    folder = tmp_path / "fleets"
    folder.mkdir()
    path = folder / "fleet.toml"
    path.write_text(
        '[[environment]]\nname = "acme"\nprofile = "runbooks/acme.toml"\n'
        '[[environment]]\nname = "b"\nprofile = "trelica"\n'
    )
    acme, other = load_fleet(path).entries
    assert acme.settings["INTACCT_PROFILE"] == str(folder / "runbooks" / "acme.toml")
    assert other.settings["INTACCT_PROFILE"] == "trelica"  # a shipped profile's name stays a name


def test_an_entry_gives_rest_access_with_its_secret_in_a_variable(tmp_path: Path) -> None:
    fleet = load_fleet(
        write(
            tmp_path,
            '[defaults]\nrest_client_id = "checker.app.sage.com"\n'
            'rest_client_secret_var = "CHECKER_SECRET"\n\n'
            '[[environment]]\nname = "acme"\nrest_username = "admin@acme"\n',
        )
    )
    [acme] = fleet.entries
    assert acme.settings == {
        "INTACCT_REST_CLIENT_ID": "checker.app.sage.com",
        "INTACCT_REST_USERNAME": "admin@acme",
    }
    assert acme.secret_variables == {"INTACCT_REST_CLIENT_SECRET": "CHECKER_SECRET"}
    assert fleet_values(fleet, {"CHECKER_SECRET": CANARY})["acme"]["INTACCT_REST_CLIENT_SECRET"] == CANARY


@pytest.mark.parametrize("key", ["rest_client_secret", "client_secret", "access_token", "token"])
def test_a_literal_rest_secret_in_the_file_is_an_error_that_never_repeats_it(
    tmp_path: Path, key: str
) -> None:
    message = problem(tmp_path, f'[[environment]]\nname = "acme"\n{key} = "{CANARY}"\n')
    assert f"key {key!r}: secrets never go in the fleet file" in message
    assert CANARY not in message
