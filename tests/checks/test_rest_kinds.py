"""The REST lens on hand-built snapshots (docs/rest.md): each REST-backed decision, and where the XML gateway
and the REST API state one fact differently, a failure showing both."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from pytest_intacct.checks import evaluate
from pytest_intacct.client import ErrorKind, Level
from pytest_intacct.evidence.snapshot import Problem, Reading, Snapshot
from pytest_intacct.profiles import Profile, Requirement, load_profile
from pytest_intacct.results.finding import Outcome
from tests.helpers.snapshots import DENIED, USER_RECORD, rights, snapshot

TRELICA = load_profile("trelica")
REST_USERNAME = "trelica_ws@acme"
REST_USER = {
    "id": "trelica_ws",
    "key": "1",
    "status": "active",
    "userType": "business",
    "adminPrivileges": "full",
    "webServices": {"isEnabled": True, "isRestricted": True},
    "password": {"neverExpires": True, "requiresReset": False, "disablePassword": False},
    "entityAccess": {"allowUnrestrictedAccess": True, "allowTopLevelAccess": True},
    "entities": [],
    "roles": ["Trelica Integration"],
}
COMPANY = {
    "permissionType": "roleBased",
    "ipAddressFiltering": "none",
    "passwordSettings": {"changeFrequency": "quarterly", "maxLoginAttempts": 5},
}
TOKEN = Reading({"username": REST_USERNAME, "client_id": "checker", "entity": "", "expires_in": 3600})
REFUSED = Problem(
    ErrorKind.TOKEN_REFUSED.value,
    Level.AUTHENTICATION.value,
    "HTTP 400: invalid_client The token is not valid (the token request was refused)",
)
PROFILE = Profile("acme", "Acme", "the runbook", Path("acme.toml"), MappingProxyType({}), ())


def requirement(check: str, **params: Any) -> Requirement:
    return Requirement(
        "r", "the runbook's line", "step", "high", "setup", check, MappingProxyType(params), "A"
    )


def with_rest(
    snap: Snapshot | None = None, token: Reading = TOKEN, user: Any = REST_USER, **readings: Reading
) -> Snapshot:
    """``snap`` read with REST access: the token, the user's record and the company's preferences."""
    snap = snap or snapshot()
    rest = {
        "rest:user/trelica_ws": Reading(user) if token.ok else Reading(problem=token.problem),
        "rest:company-preference": Reading(COMPANY) if token.ok else Reading(problem=token.problem),
        **{f"rest:{key.replace('_', '-')}": reading for key, reading in readings.items()},
    }
    return dataclasses.replace(
        snap, readings={**snap.readings, **rest}, rest_username=REST_USERNAME, rest_sign_in=token
    )


def judged(requirement_id: str, snap: Snapshot):
    return evaluate(TRELICA.requirement(requirement_id), TRELICA, snap)


def test_a_compliant_company_read_through_both_apis_passes_and_the_allowlist_does_not_apply():
    snap = with_rest()
    outcomes = {r.id: evaluate(r, TRELICA, snap).outcome for r in TRELICA.requirements}
    assert outcomes.pop("ip-allowlist") is Outcome.NOT_APPLICABLE
    assert set(outcomes.values()) == {Outcome.PASS}


@pytest.mark.parametrize(
    ("xml", "rest"),
    [("active", "lockedOut"), ("active", "inactive"), ("inactive", "active")],
)
def test_a_status_the_two_apis_state_differently_fails_showing_both(xml, rest):
    snap = with_rest(
        snapshot(user=Reading({**USER_RECORD, "STATUS": xml})), user={**REST_USER, "status": rest}
    )
    finding = judged("user-active", snap)
    assert finding.outcome is Outcome.FAIL
    assert finding.observed.startswith("the XML gateway and the REST API disagree: USERINFO.STATUS is")
    assert f"REST user.status is {rest!r}" in finding.observed
    assert finding.evidence["user.status"] == rest


def test_a_locked_out_user_both_apis_agree_on_is_unlocked_by_an_admin():
    snap = with_rest(
        snapshot(user=Reading({**USER_RECORD, "STATUS": "lockedout"})),
        user={**REST_USER, "status": "lockedOut"},
    )
    finding = judged("user-active", snap)
    assert finding.outcome is Outcome.FAIL
    assert "only an admin can unlock a locked-out user" in (finding.fix or "")


def test_web_services_only_the_apis_state_differently_fails_and_rest_decides_where_userinfo_is_refused():
    restricted = {**REST_USER, "webServices": {"isEnabled": True, "isRestricted": False}}
    finding = judged("user-web-services-only", with_rest(user=restricted))
    assert finding.outcome is Outcome.FAIL
    assert "REST user.webServices.isRestricted is false" in finding.observed
    assert "disagree" in finding.observed
    refused = with_rest(snapshot(user=Reading(problem=DENIED)))
    finding = judged("user-web-services-only", refused)
    assert finding.outcome is Outcome.PASS
    assert finding.observed.startswith(
        "REST user.webServices.isRestricted is true (USERINFO was not readable"
    )


def test_the_permission_type_is_read_not_inferred():
    no_role = snapshot(roles=Reading([]))
    # The REST API says role-based, yet the user holds rights without a role: both are shown.
    finding = judged("role-assigned", with_rest(no_role))
    assert finding.outcome is Outcome.FAIL
    assert "REST company-preference.permissionType is 'roleBased'" in finding.observed
    assert "getUserPermissions lists rights" in finding.observed
    # User-based: roles do not apply, even where ROLEUSERS is not readable.
    snap = with_rest(snapshot(roles=Reading(problem=DENIED)))
    user_based = Reading({**COMPANY, "permissionType": "userBased"})
    snap = dataclasses.replace(snap, readings={**snap.readings, "rest:company-preference": user_based})
    finding = judged("role-assigned", snap)
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert "'userBased'" in finding.observed
    # Without REST access the type is inferred, as before.
    assert judged("role-assigned", no_role).outcome is Outcome.NOT_APPLICABLE
    assert judged("role-assigned", no_role).evidence == {"roles": []}
    assert judged("role-assigned", snapshot(permissions=Reading(rights({})), roles=Reading([]))).outcome is (
        Outcome.FAIL
    )


def test_a_password_that_expires_fails_with_the_companys_frequency():
    finding = judged(
        "user-password-never-expires",
        with_rest(user={**REST_USER, "password": {"neverExpires": False}}),
    )
    assert finding.outcome is Outcome.FAIL
    assert finding.observed == (
        "REST user.password.neverExpires is false: the password expires (the company's passwords change "
        "quarterly)"
    )
    silent = judged("user-password-never-expires", with_rest(user={**REST_USER, "password": {}}))
    assert silent.outcome is Outcome.ERROR  # the record does not say: could not check, never a guess


def test_a_user_the_rest_api_does_not_have_is_could_not_check_for_its_password():
    assert judged("user-password-never-expires", with_rest(user=None)).outcome is Outcome.ERROR


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("none", Outcome.NOT_APPLICABLE),
        ("companyLevel", Outcome.MANUAL),
        ("companyLevelOverrideUserLevel", Outcome.MANUAL),
        ("userLevel", Outcome.MANUAL),
        ("sometimes", Outcome.ERROR),  # not a mode the API documents: never a guess
        (None, Outcome.ERROR),
    ],
)
def test_the_ip_filter_mode_decides_the_allowlist(mode, outcome):
    snap = with_rest()
    snap = dataclasses.replace(
        snap,
        readings={
            **snap.readings,
            "rest:company-preference": Reading({**COMPANY, "ipAddressFiltering": mode}),
        },
    )
    finding = judged("ip-allowlist", snap)
    assert finding.outcome is outcome
    assert finding.evidence["company-preference.ipAddressFiltering"] == mode


def test_a_refused_token_leaves_the_rest_facts_unchecked_under_one_cause_and_the_xml_ones_judged():
    snap = with_rest(token=Reading(problem=REFUSED))
    findings = {r.id: judged(r.id, snap) for r in TRELICA.requirements}
    unchecked = {rid for rid, f in findings.items() if f.outcome is Outcome.ERROR}
    assert unchecked == {"ip-allowlist", "user-password-never-expires", "rest-access"}
    assert {findings[rid].cause.id for rid in unchecked} == {"rest-token-refused"}
    assert {f.outcome for rid, f in findings.items() if rid not in unchecked} == {Outcome.PASS}
    assert "the token request was refused" in findings["user-active"].evidence["rest_error"]


def test_a_rest_read_refused_for_want_of_rights_is_one_cause_naming_admin_privileges():
    denied = Problem(ErrorKind.PERMISSION_DENIED.value, Level.FUNCTION.value, "HTTP 403: permissionDenied")
    snap = with_rest()
    snap = dataclasses.replace(
        snap, readings={**snap.readings, "rest:user/trelica_ws": Reading(problem=denied)}
    )
    findings = [judged(rid, snap) for rid in ("user-password-never-expires", "rest-access")]
    assert {f.outcome for f in findings} == {Outcome.ERROR}
    assert {f.cause.id for f in findings} == {"checker-cannot-read-rest"}
    assert "admin privileges" in findings[0].cause.fix


def test_without_rest_access_each_rest_backed_kind_says_what_rest_access_would_add():
    snap = snapshot()
    for check, params, outcome in (
        ("rest-access", {}, Outcome.NOT_APPLICABLE),
        ("password-never-expires", {}, Outcome.MANUAL),
        ("entity-slide-in", {"expected": "disabled"}, Outcome.MANUAL),
        ("sandbox", {}, Outcome.MANUAL),
        ("ip-allowlist", {}, Outcome.MANUAL),
    ):
        finding = evaluate(requirement(check, **params), PROFILE, snap)
        assert finding.outcome is outcome, check
        assert "REST access is not configured (INTACCT_PROD_REST_CLIENT_ID and" in finding.observed, check
        assert "with it, the checker reads" in finding.observed, check


@pytest.mark.parametrize(
    ("disabled", "expected", "outcome"),
    [(True, "disabled", Outcome.PASS), (False, "disabled", Outcome.FAIL), (False, "enabled", Outcome.PASS)],
)
def test_entity_slide_in(disabled, expected, outcome):
    snap = with_rest(multi_entity_preference=Reading({"disableEntitySlideIn": disabled}))
    assert evaluate(requirement("entity-slide-in", expected=expected), PROFILE, snap).outcome is outcome


@pytest.mark.parametrize(
    ("sandboxes", "outcome", "words"),
    [
        ([{"id": "acme-sbx", "state": "ready"}], Outcome.PASS, "sandbox 'acme-sbx' is ready"),
        ([], Outcome.FAIL, "the company has no sandbox"),
        (
            [{"id": "acme-sbx", "state": "inProgress"}],
            Outcome.FAIL,
            "no sandbox is ready: 'acme-sbx' inProgress",
        ),
    ],
)
def test_sandbox(sandboxes, outcome, words):
    finding = evaluate(requirement("sandbox"), PROFILE, with_rest(sandbox=Reading(sandboxes)))
    assert (finding.outcome, finding.observed) == (outcome, words)


def test_entity_access_the_two_apis_state_differently_fails_showing_both():
    at_top = Reading({"endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml", "entity": ""})
    top_level = requirement("entity-access", access="top-level")
    no_top = {**REST_USER, "entityAccess": {"allowUnrestrictedAccess": True, "allowTopLevelAccess": False}}
    finding = evaluate(top_level, PROFILE, with_rest(snapshot(sign_in=at_top), user=no_top))
    assert finding.outcome is Outcome.FAIL
    assert "disagree" in finding.observed
    assert "REST user.entityAccess.allowTopLevelAccess is false" in finding.observed
    # USERLOCATIONS lists US; the REST record restricts the user to UK.
    unrestricted = requirement("entity-access", access="unrestricted")
    xml = snapshot(sign_in=at_top, user=Reading({**USER_RECORD, "USERLOCATIONS": ["US"]}))
    uk = {**REST_USER, "entityAccess": {"allowUnrestrictedAccess": False}, "entities": ["UK"]}
    finding = evaluate(unrestricted, PROFILE, with_rest(xml, user=uk))
    assert finding.outcome is Outcome.FAIL
    assert "REST user.entities restricts the user to UK" in finding.observed
    assert finding.evidence["user.entities"] == ["UK"]
