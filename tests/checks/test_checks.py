"""Check verdicts on hand-built snapshots: each decision of each check kind."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_intacct.checks import (
    KINDS,
    AcrossContext,
    EnvironmentContext,
    check,
    evaluate,
    evaluate_across,
    plan,
)
from pytest_intacct.client import ErrorKind, Level
from pytest_intacct.evidence.reads import Need, Subject, user_info
from pytest_intacct.evidence.snapshot import Problem, Reading, Snapshot
from pytest_intacct.profiles import load_profile
from pytest_intacct.results.finding import Finding, Outcome, RequirementResult, describe
from pytest_intacct.safety.redaction import register_secret
from tests.helpers.snapshots import (
    DENIED,
    OBJECT_READINGS,
    RUNBOOK_RIGHTS,
    USER_RECORD,
    rights,
    snapshot,
)

TRELICA = load_profile("trelica")
CALANCE = load_profile("calance")
UNREACHABLE = Problem(ErrorKind.UNREACHABLE.value, Level.TRANSPORT.value, "could not reach api.intacct.com")


def verdict(requirement_id: str, snap: Snapshot, profile=TRELICA):
    return evaluate(profile.requirement(requirement_id), profile, snap)


def test_a_compliant_snapshot_passes_every_automatic_trelica_requirement():
    snap = snapshot()
    outcomes = {r.id: evaluate(r, TRELICA, snap).outcome for r in TRELICA.requirements}
    assert outcomes.pop("ip-allowlist") is Outcome.MANUAL  # the IP list is not readable through the API
    # Without REST access: the password's expiry is readable through the REST API only, and REST access
    # itself does not apply.
    assert outcomes.pop("user-password-never-expires") is Outcome.MANUAL
    assert outcomes.pop("rest-access") is Outcome.NOT_APPLICABLE
    assert set(outcomes.values()) == {Outcome.PASS}


@pytest.mark.parametrize(
    ("kind", "failing"),
    [(ErrorKind.SENDER_NOT_AUTHORIZED, "sender-authorized"), (ErrorKind.SIGN_IN_FAILED, "user-login")],
)
def test_a_sign_in_failure_fails_its_root_and_errors_the_rest_naming_it(kind, failing):
    problem = Problem(kind.value, Level.AUTHENTICATION.value, "XL03000006 the gateway's words")
    snap = snapshot(sign_in=Reading(problem=problem))
    for requirement in TRELICA.requirements:
        result = evaluate(requirement, TRELICA, snap)
        if requirement.id == failing:
            assert result.outcome is Outcome.FAIL
            assert result.observed.startswith("XL03000006 the gateway's words")
        else:
            assert result.outcome is Outcome.ERROR, requirement.id
            assert result.root_cause == failing


def test_an_unreachable_gateway_is_an_error_everywhere_with_no_root_requirement():
    snap = snapshot(sign_in=Reading(problem=UNREACHABLE))
    for requirement in TRELICA.requirements:
        result = evaluate(requirement, TRELICA, snap)
        assert result.outcome is Outcome.ERROR
        assert result.root_cause is None
        assert "could not reach" in result.observed


def test_a_configured_sender_other_than_the_runbooks_cannot_prove_it_is_authorized():
    result = verdict("sender-authorized", snapshot(sender_id="SomeoneElse"))
    assert result.outcome is Outcome.ERROR
    assert "TrelicaMPP" in result.observed


def test_calance_accepts_the_sender_id_the_environment_is_configured_with():
    snap = snapshot(sender_id="ACME_CORP")
    assert verdict("sender-authorized", snap, CALANCE).outcome is Outcome.PASS


def without(permissions: dict, app: str, policy: str, right: str) -> Reading:
    changed = {a: {p: set(r) for p, r in pol.items()} for a, pol in permissions.items()}
    changed[app][policy] = changed[app][policy] - {right}
    return Reading(rights(changed))


def test_an_edit_right_is_judged_from_declared_permissions_only():
    snap = snapshot(permissions=without(RUNBOOK_RIGHTS, "Company", "Employees", "Edit"))
    result = verdict("permission-employees-edit", snap)
    assert result.outcome is Outcome.FAIL
    assert "Employees: View" in result.observed
    assert "effective" not in result.evidence


def test_declared_and_effective_agreeing_on_absence_fails():
    snap = snapshot(
        permissions=without(RUNBOOK_RIGHTS, "Accounts Payable", "Adjustments", "View"),
        objects={**OBJECT_READINGS, "APADJUSTMENT": Reading(problem=DENIED)},
    )
    result = verdict("permission-ap-adjustments-view", snap)
    assert result.outcome is Outcome.FAIL
    assert result.evidence["declared"] is False
    assert result.evidence["effective"] is False


@pytest.mark.parametrize("declared_has_it", [True, False])
def test_declared_and_effective_disagreeing_fails_with_both_pieces_of_evidence(declared_has_it):
    permissions = (
        Reading(rights(RUNBOOK_RIGHTS))
        if declared_has_it
        else without(RUNBOOK_RIGHTS, "Company", "Locations", "View")
    )
    location = Reading(problem=DENIED) if declared_has_it else Reading(1)
    snap = snapshot(permissions=permissions, objects={**OBJECT_READINGS, "LOCATION": location})
    result = verdict("permission-locations-view", snap)
    assert result.outcome is Outcome.FAIL
    assert "disagree" in result.observed
    assert result.evidence["declared"] is declared_has_it
    assert result.evidence["effective"] is not declared_has_it


def test_no_visibility_of_declared_permissions_still_proves_view_by_reading():
    snap = snapshot(permissions=Reading(problem=DENIED))
    assert verdict("permission-departments-view", snap).outcome is Outcome.PASS
    edit = verdict("permission-employees-edit", snap)
    assert edit.outcome is Outcome.ERROR
    assert "View Permissions" in edit.observed


def test_a_read_that_could_not_complete_is_an_error_not_a_failure():
    snap = snapshot(objects={**OBJECT_READINGS, "GLACCOUNT": Reading(problem=UNREACHABLE)})
    assert verdict("permission-gl-accounts-view", snap).outcome is Outcome.ERROR


def test_expense_summaries_accept_the_2025_r2_application_name():
    renamed = dict(RUNBOOK_RIGHTS)
    renamed["Expenses"] = renamed.pop("Time & Expenses")
    snap = snapshot(permissions=Reading(rights(renamed)))
    assert verdict("permission-expense-summaries-view-expense", snap).outcome is Outcome.PASS


def test_role_assigned_is_not_applicable_in_a_user_based_company():
    assert verdict("role-assigned", snapshot(roles=Reading([]))).outcome is Outcome.NOT_APPLICABLE


def test_role_assigned_fails_without_roles_or_permissions():
    assert (
        verdict("role-assigned", snapshot(roles=Reading([]), permissions=Reading({}))).outcome is Outcome.FAIL
    )


@pytest.mark.parametrize(
    ("requirement_id", "field", "value"),
    [
        ("user-type-business", "USERTYPE", "employee user"),
        ("user-admin-full", "ADMIN", "Limited"),
        ("user-web-services-only", "LOGINDISABLED", "false"),
        ("user-active", "STATUS", "lockedout"),
    ],
)
def test_user_record_fields_fail_with_the_observed_value(requirement_id, field, value):
    record = {**USER_RECORD, field: value}
    result = verdict(requirement_id, snapshot(user=Reading(record)))
    assert result.outcome is Outcome.FAIL
    assert repr(value) in result.observed


def test_an_unreadable_user_record_is_an_error_naming_the_needed_permission():
    result = verdict("user-type-business", snapshot(user=Reading(problem=DENIED)))
    assert result.outcome is Outcome.ERROR
    assert "Company > Users: View" in result.observed


def test_admin_full_is_not_applicable_without_deprovisioning():
    profile = dataclasses.replace(TRELICA, parameters={**TRELICA.parameters, "deprovisioning": False})
    snap = snapshot()
    requirement = profile.requirement("user-admin-full")
    assert evaluate(requirement, profile, snap).outcome is Outcome.NOT_APPLICABLE


def test_calance_user_checks():
    snap = snapshot(user_id="calance")
    assert verdict("user-id-documented", snap, CALANCE).outcome is Outcome.PASS
    assert verdict("user-id-documented", snapshot(), CALANCE).outcome is Outcome.FAIL
    assert verdict("user-email-domain", snap, CALANCE).outcome is Outcome.PASS
    other = {**USER_RECORD, "CONTACTINFO": {"EMAIL1": "admin@acme.com"}}
    assert verdict("user-email-domain", snapshot(user=Reading(other)), CALANCE).outcome is Outcome.FAIL


def test_developer_user_checks_by_environment_kind():
    dev = Reading({"LOGINID": "dev.jane", "STATUS": "active"})
    writer = Reading({"Company": {"Departments": ["Add", "Edit", "List", "View"]}})
    reader = Reading({"Company": {"Departments": ["List", "View"]}})

    def env(production: bool, **readings: Reading) -> Snapshot:
        return snapshot(
            production=production, developer_user_id="dev.jane", **{"developer_user": dev, **readings}
        )

    prod_env = env(True)

    def outcome(requirement_id, snap):
        return verdict(requirement_id, snap, CALANCE).outcome

    assert outcome("developer-user-test-env", env(False, developer_permissions=writer)) is Outcome.PASS
    assert outcome("developer-user-test-env", env(False, developer_permissions=reader)) is Outcome.FAIL
    assert outcome("developer-user-test-env", prod_env) is Outcome.NOT_APPLICABLE
    assert outcome("developer-user-read-only-prod", env(True, developer_permissions=reader)) is (Outcome.PASS)
    assert outcome("developer-user-read-only-prod", env(True, developer_permissions=writer)) is (Outcome.FAIL)
    assert outcome("developer-user-read-only-prod", snapshot()) is Outcome.MANUAL
    hidden = verdict(
        "developer-user-test-env",
        env(False, developer_user=Reading(problem=DENIED)),
        CALANCE,
    )
    assert hidden.outcome is Outcome.ERROR
    assert "USERINFO for 'dev.jane' is not readable" in hidden.observed


def test_attestations_are_manual():
    assert verdict("sender-password-recorded", snapshot(), CALANCE).outcome is Outcome.MANUAL


def test_across_environment_checks():
    sandbox = snapshot(environment="sandbox", production=False, company_id="acme-impl")
    prod = snapshot()
    consistent = CALANCE.requirement("sender-id-consistent")
    per_env = CALANCE.requirement("ws-user-per-environment")

    assert evaluate_across(consistent, CALANCE, [sandbox, prod]).outcome is Outcome.PASS
    assert evaluate_across(consistent, CALANCE, [sandbox, snapshot(sender_id="X")]).outcome is (Outcome.FAIL)
    assert evaluate_across(consistent, CALANCE, [prod]).outcome is Outcome.NOT_APPLICABLE
    assert evaluate_across(per_env, CALANCE, [sandbox, prod]).outcome is Outcome.PASS
    refused = dataclasses.replace(
        prod,
        sign_in=Reading(
            problem=Problem(ErrorKind.SIGN_IN_FAILED.value, Level.CONTROL.value, "XMLGW_JPP0002")
        ),
    )
    assert evaluate_across(per_env, CALANCE, [sandbox, refused]).outcome is Outcome.FAIL
    down = dataclasses.replace(prod, sign_in=Reading(problem=UNREACHABLE))
    assert evaluate_across(per_env, CALANCE, [sandbox, down]).outcome is Outcome.ERROR
    assert evaluate_across(per_env, CALANCE, [sandbox, snapshot(company_id="acme-impl")]).outcome is (
        Outcome.FAIL
    )


# --- Containment: a kind that raises is an error for its requirement only ---------------------------------


@pytest.fixture
def registry():
    """The kind registry, restored after the test (kinds registered in it are forgotten)."""
    saved = dict(KINDS)
    yield KINDS
    KINDS.clear()
    KINDS.update(saved)


def test_a_check_that_raises_is_an_error_naming_the_type_with_a_redacted_message(registry):
    secret = "hunter2-canary-<&>"
    register_secret(secret)

    @check("explodes")
    def explodes(ctx: EnvironmentContext) -> Finding:
        raise RuntimeError(f"boom with {secret}")

    profile = dataclasses.replace(
        TRELICA,
        requirements=(
            dataclasses.replace(TRELICA.requirement("user-login"), id="explodes", check="explodes"),
            TRELICA.requirement("user-login"),
        ),
    )
    boom = evaluate(profile.requirements[0], profile, snapshot())
    assert boom.outcome is Outcome.ERROR
    assert boom.observed.startswith("not checked: RuntimeError: boom with ")
    assert secret not in boom.observed
    assert evaluate(profile.requirements[1], profile, snapshot()).outcome is Outcome.PASS


def test_an_across_check_that_raises_is_an_error_too(registry):
    @check("explodes-across", across_environments=True)
    def explodes(ctx: AcrossContext) -> Finding:
        raise KeyError("company")

    requirement = dataclasses.replace(CALANCE.requirement("sender-id-consistent"), check="explodes-across")
    verdict = evaluate_across(requirement, CALANCE, [snapshot(), snapshot(environment="sandbox")])
    assert verdict.outcome is Outcome.ERROR
    assert "KeyError" in verdict.observed


def test_a_kind_is_registered_once_and_declares_each_reading_name_once(registry):
    with pytest.raises(ValueError, match="already registered"):
        check("user-login")(lambda ctx: Finding.passed("x", "x"))
    with pytest.raises(ValueError, match="reading name twice"):
        check("twice", reads=[user_info(name="user"), user_info("developer", name="user")])


# --- Sign-in failures point at the setting, and the requirements they block show no fix --------------------


def sign_in_refused(kind: ErrorKind, message: str) -> Snapshot:
    return snapshot(sign_in=Reading(problem=Problem(kind.value, Level.CONTROL.value, message)))


def test_a_refused_sender_names_the_sender_settings_and_blocks_the_rest():
    snap = sign_in_refused(
        ErrorKind.SENDER_CREDENTIALS, "XL03000006 Incorrect Intacct XML Partner ID or password"
    )
    for requirement in TRELICA.requirements:
        result = RequirementResult("prod", requirement, evaluate(requirement, TRELICA, snap))
        assert result.finding.outcome is Outcome.ERROR
        assert (
            "check INTACCT_PROD_SENDER_ID and INTACCT_PROD_SENDER_PASSWORD first" in result.finding.observed
        )
        assert result.finding.blocked
        assert not any(line.lstrip().startswith("fix") for line in describe(result))


def test_a_refused_sign_in_names_the_user_settings_beside_the_company_side_causes():
    snap = sign_in_refused(ErrorKind.SIGN_IN_FAILED, "XMLGW_JPP0002 Sign-in information is incorrect")
    login = verdict("user-login", snap)
    assert login.outcome is Outcome.FAIL
    for name in ("USER_ID", "USER_PASSWORD", "COMPANY_ID", "ENTITY"):
        assert f"INTACCT_PROD_{name}" in login.observed
    assert "inactive or locked-out user" in login.observed
    blocked = RequirementResult("prod", TRELICA.requirement("user-active"), verdict("user-active", snap))
    assert blocked.finding.blocked
    assert blocked.finding.root_cause == "user-login"
    assert "  not checked because: requirement 'user-login' did not pass" in describe(blocked)
    assert not any(line.lstrip().startswith("fix") for line in describe(blocked))
    failed = RequirementResult("prod", TRELICA.requirement("user-login"), login)
    assert describe(failed)[-1].startswith("  fix (Create a web services user): ")


def test_an_unreachable_gateway_names_the_endpoint_setting():
    result = verdict("user-active", snapshot(sign_in=Reading(problem=UNREACHABLE)))
    assert "check INTACCT_PROD_ENDPOINT first" in result.observed
    assert result.blocked


def test_a_read_declaration_that_raises_errors_only_its_own_requirements(registry):
    def resolve(subject, params):
        raise ValueError("object param misspelt")

    @check("bad-read", reads=[Need("data", "a broken declaration", resolve)])
    def bad_read(ctx: EnvironmentContext) -> Finding:
        return Finding.passed("x", "x")

    requirement = dataclasses.replace(TRELICA.requirement("user-login"), id="bad-read", check="bad-read")
    profile = dataclasses.replace(TRELICA, requirements=(*TRELICA.requirements, requirement))
    assert plan(profile, Subject("trelica_ws")) == plan(TRELICA, Subject("trelica_ws"))
    verdict = evaluate(requirement, profile, snapshot())
    assert verdict.outcome is Outcome.ERROR
    assert "ValueError: object param misspelt" in verdict.observed
    assert evaluate(TRELICA.requirement("user-type-business"), profile, snapshot()).outcome is Outcome.PASS
