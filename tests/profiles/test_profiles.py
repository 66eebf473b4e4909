"""The built-in profiles encode their runbooks; a broken profile is refused with a message that says where."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pytest_intacct.checks import KINDS, validate_profile
from pytest_intacct.profiles import Param, ProfileError, builtin_profiles, load_profile

TRELICA_IDS = (
    "web-services-subscription",
    "sender-authorized",
    "ip-allowlist",
    "user-login",
    "user-active",
    "user-type-business",
    "user-web-services-only",
    "user-admin-full",
    "user-password-never-expires",
    "role-assigned",
    "permission-departments-view",
    "permission-locations-view",
    "permission-employees-view",
    "permission-employees-edit",
    "permission-credit-card-transactions-view",
    "permission-gl-accounts-view",
    "permission-ap-bills-view",
    "permission-ap-adjustments-view",
    "permission-expense-summaries-view-expense",
    "rest-access",
)
CALANCE_IDS = (
    "web-services-subscription",
    "sender-authorized",
    "user-login",
    "user-active",
    "user-id-documented",
    "user-email-domain",
    "user-password-never-expires",
    "developer-user-test-env",
    "developer-user-read-only-prod",
    "sender-password-recorded",
    "rest-access",
    "sender-id-consistent",
    "ws-user-per-environment",
)
# Trelica's "Specifying permissions" table, in the names the simulator uses: id -> (application, policy,
# right, object that proves the right; None for Edit, judged from declared permissions only).
TRELICA_PERMISSIONS = {
    "permission-departments-view": (("Company",), "Departments", "View", "DEPARTMENT"),
    "permission-locations-view": (("Company",), "Locations", "View", "LOCATION"),
    "permission-employees-view": (("Company",), "Employees", "View", "EMPLOYEE"),
    "permission-employees-edit": (("Company",), "Employees", "Edit", None),
    "permission-credit-card-transactions-view": (
        ("Cash Management",),
        "Credit Card Transactions",
        "View",
        "CCTRANSACTION",
    ),
    "permission-gl-accounts-view": (("General Ledger",), "Accounts", "View", "GLACCOUNT"),
    "permission-ap-bills-view": (("Accounts Payable",), "Bills", "View", "APBILL"),
    "permission-ap-adjustments-view": (("Accounts Payable",), "Adjustments", "View", "APADJUSTMENT"),
    "permission-expense-summaries-view-expense": (
        ("Time & Expenses", "Expenses"),
        "Expense Summaries",
        "View Expense",
        "EEXPENSES",
    ),
}
ALL_BUILTIN_REQUIREMENTS = [
    pytest.param(requirement, id=f"{name}:{requirement.id}")
    for name in builtin_profiles()
    for requirement in load_profile(name).requirements
]


# --- The built-in profiles ----------------------------------------------------------------------------------


def test_builtin_profiles_are_every_toml_file_of_the_profile_folder():
    folder = load_profile("trelica").path.parent
    assert builtin_profiles() == sorted(path.stem for path in folder.glob("*.toml"))
    assert {"calance", "trelica"} <= set(builtin_profiles())


@pytest.mark.parametrize(("name", "ids"), [("trelica", TRELICA_IDS), ("calance", CALANCE_IDS)])
def test_builtin_profile_has_exactly_the_runbook_requirements_in_runbook_order(name, ids):
    profile = load_profile(name)
    assert profile.name == name
    assert profile.path.is_file()
    assert tuple(requirement.id for requirement in profile.requirements) == ids


@pytest.mark.parametrize("requirement", ALL_BUILTIN_REQUIREMENTS)
def test_every_requirement_gives_the_fix_as_a_menu_path(requirement):
    assert " > " in requirement.remediation


def test_trelica_sender_id_is_trelicampp():
    sender = load_profile("trelica").requirement("sender-authorized")
    assert sender.params == {"sender_id": "TrelicaMPP"}
    assert "Add: Sender ID TrelicaMPP > Save" in sender.remediation


def test_calance_sender_id_is_the_one_the_environment_is_configured_with():
    profile = load_profile("calance")
    assert profile.parameters["sender_id"] == ""
    assert profile.requirement("sender-authorized").params == {"sender_id": ""}


def test_calance_user_id_and_email_domain_come_from_its_parameters():
    profile = load_profile("calance")
    assert profile.requirement("user-id-documented").params == {"expected": "calance"}
    assert profile.requirement("user-email-domain").params == {"domain": "calance.us"}


def test_trelica_deprovisioning_requirements_depend_on_the_deprovisioning_parameter():
    profile = load_profile("trelica")
    assert profile.parameters["deprovisioning"] is True
    conditional = [requirement.id for requirement in profile.requirements if requirement.when]
    assert conditional == ["user-admin-full", "permission-employees-edit"]
    assert profile.requirement("user-admin-full").params == {"expected": "Full"}


@pytest.mark.parametrize(("requirement_id", "expected"), TRELICA_PERMISSIONS.items())
def test_trelica_permission_matches_the_runbook_table(requirement_id, expected):
    requirement = load_profile("trelica").requirement(requirement_id)
    application, policy, right, probe = expected
    assert requirement.check == "permission"
    assert requirement.runbook_step == "Specifying permissions"
    assert dict(requirement.params) == {
        "application": application,
        "policy": policy,
        "right": right,
        **({"object": probe} if probe else {}),
    }


def test_calance_developer_user_differs_between_test_and_production():
    profile = load_profile("calance")
    test_env = profile.requirement("developer-user-test-env")
    production = profile.requirement("developer-user-read-only-prod")
    assert (test_env.environments, test_env.params["mode"]) == ("test", "test-data")
    assert (production.environments, production.params["mode"]) == ("production", "read-only")


def test_calance_cross_environment_requirements_are_in_their_own_area():
    profile = load_profile("calance")
    assert [r.id for r in profile.by_area("across-environments")] == [
        "sender-id-consistent",
        "ws-user-per-environment",
    ]
    assert load_profile("trelica").by_area("across-environments") == ()


def test_sender_password_is_a_person_s_attestation():
    requirement = load_profile("calance").requirement("sender-password-recorded")
    assert requirement.check == "attestation"
    assert "only Intacct can reset it" in requirement.params["statement"]


def test_unknown_requirement_and_area_are_refused():
    profile = load_profile("trelica")
    with pytest.raises(KeyError, match="permission-foo"):
        profile.requirement("permission-foo")
    with pytest.raises(ValueError, match="unknown area 'perms'"):
        profile.by_area("perms")


def test_profile_data_cannot_be_changed_by_a_check():
    profile = load_profile("trelica")
    with pytest.raises(TypeError):
        profile.requirement("sender-authorized").params["sender_id"] = "Other"  # type: ignore[index]
    with pytest.raises(TypeError):
        profile.parameters["deprovisioning"] = False  # type: ignore[index]


def test_a_profile_loads_from_a_path(tmp_path):
    copy = tmp_path / "acme.toml"
    shutil.copy(load_profile("trelica").path, copy)
    assert load_profile(copy).path == copy
    assert load_profile(str(copy)).requirements == load_profile("trelica").requirements


def test_check_kinds_are_the_documented_ones():
    assert len(KINDS) == 24
    assert KINDS["permission"].params == {
        "application": Param("strings", vocabulary="application"),
        "policy": Param(vocabulary="policy"),
        "right": Param(vocabulary="right"),
        "object": Param(required=False, vocabulary="object"),
    }
    documented = Path(__file__).parents[2].joinpath("docs", "checks.md").read_text(encoding="utf-8")
    for name in KINDS:
        assert f"### `{name}`" in documented, name


@pytest.mark.parametrize("name", builtin_profiles())
def test_builtin_profiles_pass_validation_against_the_registry(name):
    profile = load_profile(name)
    assert validate_profile(profile) is profile


# --- Validation: each rule refuses a crafted profile and says where -----------------------------------------

HEADER = """\
name = "acme"
title = "Acme integration"
source = "shared runbook file"

[parameters]
sender_id = "ACME"
deprovisioning = true
"""
GOOD_REQUIREMENT = {
    "id": '"sender-authorized"',
    "title": '"Sender ID ACME is authorized"',
    "runbook_step": '"Sender ID"',
    "severity": '"critical"',
    "area": '"access"',
    "check": '"sender-authorized"',
    "params": '{ sender_id = "$sender_id" }',
    "remediation": '"Company > Setup > Company > Security tab > Web Services authorizations > Add: ACME"',
}
PERMISSION = {
    "id": '"permission-foo"',
    "check": '"permission"',
    "params": '{ application = ["Company"], policy = "Departments", right = "View" }',
}


def requirement_toml(**overrides: str | None) -> str:
    """A [[requirements]] table: the good one with keys replaced (TOML source text) or removed (None)."""
    fields = {**GOOD_REQUIREMENT, **overrides}
    return "\n[[requirements]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v is not None)


def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ProfileError) as raised:
        validate_profile(load_profile(path))
    message = str(raised.value)
    assert message.startswith(f"profile {path}: ")
    return message


def test_a_good_crafted_profile_loads(tmp_path):
    profile = load_profile(write_profile(tmp_path, HEADER + requirement_toml()))
    assert profile.requirement("sender-authorized").params == {"sender_id": "ACME"}


@pytest.mark.parametrize(
    ("overrides", "requirement", "fragments"),
    [
        pytest.param({"colour": '"red"'}, "sender-authorized", ["unknown key 'colour'"], id="unknown-key"),
        pytest.param({"title": None}, "sender-authorized", ["missing key 'title'"], id="missing-key"),
        pytest.param({"severity": "3"}, "sender-authorized", ["'severity'", "string", "integer"], id="type"),
        pytest.param({"id": '"Sender_Auth"'}, "#1", ["'id'", "slug", "'Sender_Auth'"], id="id-pattern"),
        pytest.param(
            {"title": '"two\\nlines"'}, "sender-authorized", ["'title'", "one"], id="title-one-line"
        ),
        pytest.param({"remediation": '""'}, "sender-authorized", ["'remediation'"], id="remediation-empty"),
        pytest.param(
            {"severity": '"urgent"'}, "sender-authorized", ["'severity'", "'urgent'"], id="severity"
        ),
        pytest.param(
            {"area": '"network"'}, "sender-authorized", ["'area'", "across-environments"], id="area"
        ),
        pytest.param(
            {"environments": '"staging"'},
            "sender-authorized",
            ["'environments'", "production"],
            id="environments",
        ),
        pytest.param(
            {"when": '"nightly"'}, "sender-authorized", ["'when'", "deprovisioning"], id="when-missing"
        ),
        pytest.param(
            {"when": '"sender_id"'}, "sender-authorized", ["'when'", "boolean"], id="when-not-boolean"
        ),
        pytest.param(
            {"check": '"sender-authorised"'},
            "sender-authorized",
            ["unknown check", "known checks"],
            id="check",
        ),
        pytest.param(
            {"params": "{}"}, "sender-authorized", ["'params.sender_id'", "required"], id="param-missing"
        ),
        pytest.param(
            {"params": '{ sender_id = "ACME", colour = "red" }'},
            "sender-authorized",
            ["'params.colour'", "sender_id"],
            id="param-unknown",
        ),
        pytest.param({"params": '"ACME"'}, "sender-authorized", ["'params'", "table"], id="params-not-table"),
        pytest.param(
            {"params": "{ sender_id = 42 }"},
            "sender-authorized",
            ["'params.sender_id'", "string"],
            id="param-type",
        ),
        pytest.param(
            {"params": '{ sender_id = "$sender" }'},
            "sender-authorized",
            ["'params.sender_id'", "'$sender'", "no parameter"],
            id="param-reference",
        ),
        pytest.param(
            {"params": '{ sender_id = "$deprovisioning" }'},
            "sender-authorized",
            ["'params.sender_id'", "string", "boolean"],
            id="param-reference-type",
        ),
        pytest.param(
            {**PERMISSION, "params": '{ application = "Company", policy = "Departments", right = "View" }'},
            "permission-foo",
            ["'params.application'", "array"],
            id="application-not-list",
        ),
        pytest.param(
            {**PERMISSION, "params": '{ application = [], policy = "Departments", right = "View" }'},
            "permission-foo",
            ["'params.application'", "non-empty"],
            id="application-empty",
        ),
        pytest.param(
            {
                **PERMISSION,
                "params": '{ application = ["Company", 7], policy = "Departments", right = "View" }',
            },
            "permission-foo",
            ["'params.application'", "strings"],
            id="application-not-strings",
        ),
        pytest.param(
            {**PERMISSION, "params": '{ application = ["Company"], policy = "", right = "View" }'},
            "permission-foo",
            ["'params.policy'", "empty"],
            id="param-empty",
        ),
        pytest.param(
            {"id": '"developer-user"', "check": '"developer-user"', "params": '{ mode = "readonly" }'},
            "developer-user",
            ["'params.mode'", "read-only", "'readonly'"],
            id="param-choice",
        ),
    ],
)
def test_a_bad_requirement_is_refused_naming_file_requirement_and_key(
    tmp_path, overrides, requirement, fragments
):
    message = refusal(write_profile(tmp_path, HEADER + requirement_toml(**overrides)))
    where = f"requirement {requirement}" if requirement.startswith("#") else f"requirement '{requirement}'"
    assert where in message
    for fragment in fragments:
        assert fragment in message


def test_an_unknown_check_lists_the_known_ones(tmp_path):
    message = refusal(
        write_profile(tmp_path, HEADER + requirement_toml(id='"permission-foo"', check='"permision"'))
    )
    assert (
        "requirement 'permission-foo': unknown check 'permision'; known checks: web-services-subscription, "
        in (message)
    )


def test_duplicate_ids_are_refused(tmp_path):
    message = refusal(write_profile(tmp_path, HEADER + requirement_toml() + requirement_toml()))
    assert "requirement 'sender-authorized': key 'id' is used twice" in message


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            'owner = "me"\n' + HEADER + requirement_toml(), ["unknown key 'owner'"], id="unknown-key"
        ),
        pytest.param(
            HEADER.replace('name = "acme"\n', "") + requirement_toml(), ["missing key 'name'"], id="name"
        ),
        pytest.param(HEADER, ["missing key 'requirements'"], id="no-requirements"),
        pytest.param(
            "requirements = []\n" + HEADER, ["'requirements'", "at least one"], id="empty-requirements"
        ),
        pytest.param(
            HEADER.replace('"acme"', '"Acme Co"') + requirement_toml(), ["'name'", "slug"], id="name-slug"
        ),
        pytest.param(
            HEADER.replace('title = "Acme integration"', "title = 1") + requirement_toml(),
            ["'title'", "string", "integer"],
            id="type",
        ),
        pytest.param(
            HEADER + "ips = [1]\n" + requirement_toml(), ["'parameters.ips'", "array"], id="param-value"
        ),
        pytest.param(HEADER + "Sender = 1\n" + requirement_toml(), ["'parameters.Sender'"], id="param-name"),
        pytest.param(
            HEADER.split("[parameters]")[0] + 'parameters = "x"\n' + requirement_toml(),
            ["'parameters'", "table"],
            id="parameters-not-table",
        ),
    ],
)
def test_a_bad_profile_is_refused_naming_file_and_key(tmp_path, text, fragments):
    message = refusal(write_profile(tmp_path, text))
    for fragment in fragments:
        assert fragment in message


def test_a_toml_syntax_error_names_the_line(tmp_path):
    message = refusal(write_profile(tmp_path, HEADER + "[[requirements]]\nid = \n"))
    assert "invalid TOML" in message
    assert "line 9" in message


def test_an_unknown_profile_name_lists_the_builtin_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    known = re.escape(", ".join(builtin_profiles()))
    with pytest.raises(
        ProfileError, match=rf"'trelicaa' is not a built-in profile \({known}\); did you mean 'trelica'"
    ):
        load_profile("trelicaa")


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        pytest.param(
            {"id": '"user-login"', "check": '"user-login"', "params": None, "area": '"across-environments"'},
            ["requirement 'user-login'", "key 'area'", "checks one environment"],
            id="per-environment-kind-across",
        ),
        pytest.param(
            {"id": '"senders"', "check": '"sender-id-consistent"', "params": None, "area": '"access"'},
            ["requirement 'senders'", "key 'area'", "compares environments", "'across-environments'"],
            id="across-kind-in-access",
        ),
    ],
)
def test_an_area_that_contradicts_the_kinds_scope_is_refused(tmp_path, overrides, fragments):
    message = refusal(write_profile(tmp_path, HEADER + requirement_toml(**overrides)))
    for fragment in fragments:
        assert fragment in message


def test_a_contradicting_area_is_a_usage_error_before_any_request(pytester):
    profile = write_profile(
        pytester.path,
        HEADER
        + requirement_toml(
            id='"user-login"', check='"user-login"', params=None, area='"across-environments"'
        ),
    )
    journal = pytester.path / "journal.jsonl"
    result = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-profile={profile}", f"--intacct-journal={journal}"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*requirement 'user-login': key 'area' is 'across-environments'*"])
    assert not journal.exists() or not journal.read_text()
