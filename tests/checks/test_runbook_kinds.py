"""The kinds runbooks need, on hand-built snapshots: grants in the runbook's words (at least, at most),
entity access, application subscriptions, several Sender IDs, and the UI's words for a user's fields."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from pytest_intacct.checks import evaluate, evaluate_across
from pytest_intacct.client import ErrorKind, Level
from pytest_intacct.evidence.snapshot import Problem, Reading, Snapshot
from pytest_intacct.identity import Identity
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.profiles import vocabulary as v
from pytest_intacct.results.finding import Outcome

USER = "ws"
DENIED = Problem(
    ErrorKind.PERMISSION_DENIED.value, Level.FUNCTION.value, "PL04000005 You do not have permission"
)
PROFILE = Profile("acme", "Acme", "the runbook", Path("acme.toml"), MappingProxyType({}), ())
TOP_LEVEL = Reading({"endpoint": "https://gw", "entity": ""})


def requirement(check: str, area: str = "permissions", **params: Any) -> Requirement:
    frozen = {key: tuple(value) if isinstance(value, list) else value for key, value in params.items()}
    return Requirement(
        "r", "the runbook's line", "step", "high", area, check, MappingProxyType(frozen), "A > B"
    )


def snapshot(
    sign_in: Reading = TOP_LEVEL, sender: str = "AcmeMPP", name: str = "prod", **readings: Reading
) -> Snapshot:
    identity = Identity(
        name, company_id=f"ACME-{name}", user_id=USER, sender_id=sender, endpoint="https://gw"
    )
    keys = {"permissions": f"getUserPermissions/{USER}", "user": f"USERINFO/{USER}"}
    return Snapshot(identity, sign_in, {keys.get(k, k): reading for k, reading in readings.items()})


def granted(spec: dict[str, str | dict[str, list[str]]]) -> Reading:
    """A getUserPermissions reading: a module's "All" or "Read-only" as catalogued, or policies."""
    table = {}
    for name, grant in spec.items():
        application = v.application(name)
        if isinstance(grant, dict):
            table[name] = grant
        else:
            assert application is not None
            table[name] = {
                p.name: sorted(p.rights if grant == v.ALL else p.reads) for p in application.policies
            }
    return Reading(table)


def judged(req: Requirement, snap: Snapshot):
    return evaluate(req, PROFILE, snap)


# --- grant: at least ---------------------------------------------------------------------------------------


def test_all_on_a_module_is_every_policy_the_catalogue_knows_and_the_evidence_marks_assumptions():
    found = judged(
        requirement("grant", application="General Ledger", rights="All"),
        snapshot(permissions=granted({"General Ledger": "All"})),
    )
    assert found.outcome is Outcome.PASS
    assert found.evidence["policies"] == [
        f"General Ledger > {p.name}" for p in v.application("General Ledger").policies
    ]
    assert found.evidence["assumed_policies"] == ["General Ledger > Account Groups"]
    assert "General Ledger > Accounts" in found.evidence["assumed_rights"]


def test_a_module_grant_missing_a_policy_fails_naming_it_and_marking_an_assumed_name():
    held = granted({"General Ledger": "All"}).value
    del held["General Ledger"]["Account Groups"]
    held["General Ledger"]["Journal Entries"] = ["List", "View"]
    found = judged(
        requirement("grant", application="General Ledger", rights="All"), snapshot(permissions=Reading(held))
    )
    assert found.outcome is Outcome.FAIL
    assert "General Ledger > Journal Entries: Add, Edit, Delete" in found.observed
    assert "General Ledger > Account Groups*: List, View, Add, Edit, Delete" in found.observed
    assert "(* a policy name the catalogue assumes)" in found.observed
    assert len(found.evidence["missing"]) == 2


def test_the_2025_r2_name_of_an_application_counts_as_its_own():
    table = {"Expenses": granted({"Time & Expenses": "All"}).value["Time & Expenses"]}
    found = judged(
        requirement("grant", application="Time & Expenses", rights="All"),
        snapshot(permissions=Reading(table)),
    )
    assert found.outcome is Outcome.PASS


# --- grant: no more than ------------------------------------------------------------------------------------


def test_read_only_is_also_an_upper_bound_and_over_privilege_lists_the_extra_rights():
    found = judged(
        requirement("grant", application="Company", rights="Read-only"),
        snapshot(permissions=granted({"Company": "All"})),
    )
    assert found.outcome is Outcome.FAIL
    assert found.expected.startswith("Company: Read-only, no more")
    assert "grants more than Read-only on 13 policies" in found.observed
    assert "Company > Departments: Add, Delete, Edit" in found.evidence["extra"]
    assert found.evidence["missing"] == []


def test_read_only_held_exactly_passes():
    found = judged(
        requirement("grant", application="Company", rights="Read"),
        snapshot(permissions=granted({"Company": "Read-only"})),
    )
    assert found.outcome is Outcome.PASS
    assert "nothing beyond Read-only" in found.observed


def test_a_list_of_rights_is_a_lower_bound_only_unless_at_most_says_more():
    held = snapshot(permissions=Reading({"Company": {"Departments": ["List", "View", "Edit"]}}))
    lower = requirement("grant", application="Company", policy="Departments", rights=["View"])
    assert judged(lower, held).outcome is Outcome.PASS
    bounded = requirement(
        "grant", application="Company", policy="Departments", rights=["View"], at_most=["List", "View"]
    )
    found = judged(bounded, held)
    assert found.outcome is Outcome.FAIL
    assert found.evidence["extra"] == ["Company > Departments: Edit"]


def test_an_upper_bound_alone_over_every_module_counts_modules_the_catalogue_does_not_know():
    held = snapshot(
        permissions=Reading(
            {"Company": {"Departments": ["List", "View"]}, "Order Entry": {"Sales Orders": ["List", "Add"]}}
        )
    )
    found = judged(requirement("grant", at_most="Read-only"), held)
    assert found.outcome is Outcome.FAIL
    assert found.expected.startswith("every module: no more than Read-only")
    assert found.evidence["extra"] == ["Order Entry > Sales Orders: Add"]


# --- grant: what proves it ----------------------------------------------------------------------------------


def test_without_declared_permissions_a_read_proves_a_policy_s_read_rights():
    req = requirement(
        "grant", application="Company", policy="Departments", rights=["List", "View"], object="DEPARTMENT"
    )
    found = judged(
        req, snapshot(permissions=Reading(problem=DENIED), **{"readByQuery/DEPARTMENT": Reading(1)})
    )
    assert found.outcome is Outcome.PASS
    assert "declared permissions not readable" in found.observed


def test_a_refused_read_fails_even_when_declared_permissions_grant_the_right():
    req = requirement(
        "grant", application="Company", policy="Departments", rights=["View"], object="DEPARTMENT"
    )
    held = Reading({"Company": {"Departments": ["View"]}})
    found = judged(req, snapshot(permissions=held, **{"readByQuery/DEPARTMENT": Reading(problem=DENIED)}))
    assert found.outcome is Outcome.FAIL
    assert "a read of DEPARTMENT was refused" in found.observed


def test_a_module_grant_without_declared_permissions_is_the_checker_s_one_root_cause():
    found = judged(
        requirement("grant", application="Company", rights="All"),
        snapshot(permissions=Reading(problem=DENIED)),
    )
    assert found.outcome is Outcome.ERROR
    assert found.cause is not None
    assert found.cause.id == "checker-cannot-read-users"


# --- the UI's words for a user's fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "outcome"),
    [("Business", Outcome.PASS), ("business user", Outcome.PASS), ("Employee", Outcome.FAIL)],
)
def test_user_type_takes_the_ui_s_word_or_the_api_s(expected, outcome):
    record = Reading({"LOGINID": USER, "USERTYPE": "business user", "ADMIN": "Full"})
    found = judged(requirement("user-type", area="user", expected=expected), snapshot(user=record))
    assert found.outcome is outcome
    assert found.observed == "USERINFO.USERTYPE is 'business user' (Business in the UI)"


def test_the_expected_user_type_says_how_the_api_spells_it():
    record = Reading({"LOGINID": USER, "USERTYPE": "business user"})
    found = judged(requirement("user-type", area="user", expected="Business"), snapshot(user=record))
    assert found.expected == "user type is 'Business' (the API's 'business user')"


# --- entity access ------------------------------------------------------------------------------------------


def located(*entities: str) -> Reading:
    ids: Any = entities[0] if len(entities) == 1 else list(entities)
    return Reading({"LOGINID": USER, "USERLOCATIONS": {"LOCATIONID": ids} if entities else ""})


@pytest.mark.parametrize(
    ("access", "sign_in", "user", "outcome"),
    [
        ("top-level", TOP_LEVEL, located(), Outcome.PASS),
        ("top-level", Reading({"entity": "US"}), located(), Outcome.MANUAL),
        ("top-level", Reading({"endpoint": "https://gw"}), located(), Outcome.ERROR),  # an older pack
        ("unrestricted", TOP_LEVEL, located(), Outcome.PASS),
        ("unrestricted", TOP_LEVEL, located("US", "UK"), Outcome.FAIL),
        ("unrestricted", TOP_LEVEL, located("US"), Outcome.FAIL),
        ("entity", Reading({"entity": "US"}), located("US"), Outcome.PASS),
        ("entity", TOP_LEVEL, located(), Outcome.PASS),
        ("entity", TOP_LEVEL, located("US"), Outcome.MANUAL),
    ],
)
def test_entity_access(access, sign_in, user, outcome):
    found = judged(
        requirement("entity-access", area="user", access=access), snapshot(sign_in=sign_in, user=user)
    )
    assert found.outcome is outcome, found.observed


def test_an_entity_restriction_is_listed():
    found = judged(
        requirement("entity-access", area="user", access="unrestricted"), snapshot(user=located("US", "UK"))
    )
    assert found.observed == "USERINFO.USERLOCATIONS restricts the user to US, UK"
    assert found.evidence["USERINFO.USERLOCATIONS"] == ["US", "UK"]


# --- application subscriptions ------------------------------------------------------------------------------


def subscribed(*codes: str) -> Reading:
    return Reading(sorted(codes))


def test_a_subscription_is_read_by_its_application_code():
    req = requirement("application-subscription", area="setup", application=["Time & Expenses", "Expenses"])
    found = judged(req, snapshot(get_applications=subscribed("CO", "EE", "GL")))
    assert found.outcome is Outcome.PASS
    assert found.observed.startswith("get_applications lists EE (Time & Expenses; the code is inferred")
    missing = judged(req, snapshot(get_applications=subscribed("CO", "GL")))
    assert missing.outcome is Outcome.FAIL
    assert missing.observed == "get_applications lists CO, GL, not EE (Time & Expenses), EE (Expenses)"


def test_a_subscription_whose_code_no_source_gives_is_manual_and_reads_nothing():
    req = requirement("application-subscription", area="setup", application=["Customization Services"])
    found = judged(req, snapshot())
    assert found.outcome is Outcome.MANUAL
    assert "no public source gives the application code of Customization Services" in found.observed


def test_an_unreadable_subscription_list_is_could_not_check():
    req = requirement("application-subscription", area="setup", application=["General Ledger"])
    found = judged(req, snapshot(get_applications=Reading(problem=DENIED)))
    assert found.outcome is Outcome.ERROR


# --- several Sender IDs -------------------------------------------------------------------------------------

REFUSED = Reading(
    problem=Problem(ErrorKind.SENDER_NOT_AUTHORIZED.value, Level.AUTHENTICATION.value, "XL03000006")
)


@pytest.mark.parametrize(
    ("second", "outcome", "said"),
    [
        (snapshot(sender="AcmeAltMPP", name="prod-alt"), Outcome.PASS, "AcmeAltMPP authorized: prod-alt"),
        (
            snapshot(sign_in=REFUSED, sender="AcmeAltMPP", name="prod-alt"),
            Outcome.FAIL,
            "not authorized: AcmeAltMPP",
        ),
        (
            snapshot(sender="OtherMPP", name="prod-alt"),
            Outcome.ERROR,
            "AcmeAltMPP: no environment of this run",
        ),
    ],
)
def test_every_listed_sender_id_needs_a_sign_in_of_its_own(second, outcome, said):
    req = requirement("senders-authorized", area="across-environments", sender_ids=["AcmeMPP", "AcmeAltMPP"])
    found = evaluate_across(req, PROFILE, [snapshot(), second])
    assert found.outcome is outcome
    assert said in found.observed
