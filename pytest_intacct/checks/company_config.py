"""Kinds judged on the REST API's company-config objects alone: facts the XML gateway does not expose
(docs/rest.md). Without REST access each says what REST access would add; a refused token leaves each
could not check under one root cause (``lens``).
"""

from __future__ import annotations

from typing import Any

from pytest_intacct.checks.lens import (
    REST_COMPANY,
    REST_USER,
    field,
    record,
    rest_reading,
    unavailable,
    without_rest,
)
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.evidence.rest_reads import rest_multi_entity, rest_sandboxes
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding

# What REST access adds to a run, in one sentence (the rest-access requirement without it says so).
REST_ADDS = (
    "the IP filter mode, the permission type, whether the Web Services user is locked out or inactive, "
    "whether its password expires, its entity access, entity slide-in and the company's sandboxes"
)


@check("rest-access", reads=[REST_USER])
def rest_access(ctx: EnvironmentContext) -> Finding:
    """The checker reads the company's setup through the REST API: a token was granted for its username
    (an authorized client application with its Web Services user) and it may read users (admin
    privileges); n/a without REST access, which is the checker's, not the integration's."""
    expected = (
        "the checker reads the company's setup through the REST API (an authorized client application with "
        "its Web Services user, and admin privileges to read users)"
    )
    reading = rest_reading(ctx, "rest_user")
    if reading is None:
        return Finding.not_applicable(expected, without_rest(ctx.snapshot, REST_ADDS))
    if reading.problem is not None:
        return unavailable(ctx, reading, expected)
    token = ctx.snapshot.rest_sign_in.value if ctx.snapshot.rest_sign_in else None
    client_id = token.get("client_id") if isinstance(token, dict) else None
    username = ctx.snapshot.rest_username
    evidence = {"rest_username": username, "client_id": client_id}
    return Finding.passed(
        expected,
        f"the REST API granted {username!r} a token (client {client_id!r}) that reads users",
        evidence,
    )


@check("password-never-expires", reads=[REST_USER, REST_COMPANY])
def password_never_expires(ctx: EnvironmentContext) -> Finding:
    """REST ``user.password.neverExpires`` is true for the Web Services user ("Use this setting only for
    Web Services API users", Sage's user object): an integration stops when its password expires."""
    user = ctx.snapshot.user_id
    expected = f"the Web Services user {user!r}'s password never expires"
    reading = rest_reading(ctx, "rest_user")
    if reading is None:
        return Finding.manual(
            expected,
            "the XML gateway does not expose it; "
            + without_rest(ctx.snapshot, "the user's password.neverExpires"),
        )
    if reading.problem is not None:
        return unavailable(ctx, reading, expected)
    found = record(reading)
    if found is None:
        return Finding.error(expected, f"not checked: the REST API has no user {user!r}")
    never = field(found, "password.neverExpires")
    evidence: dict[str, Any] = {"user.id": found.get("id"), "user.password.neverExpires": never}
    company = rest_reading(ctx, "rest_company")
    frequency = field(record(company), "passwordSettings.changeFrequency") if company and company.ok else None
    if frequency is not None:
        evidence["company-preference.passwordSettings.changeFrequency"] = frequency
    if never is True:
        return Finding.passed(expected, "REST user.password.neverExpires is true", evidence)
    if never is False:
        when = f" (the company's passwords change {frequency})" if frequency else ""
        return Finding.failed(
            expected, f"REST user.password.neverExpires is false: the password expires{when}", evidence
        )
    return Finding.error(
        expected, "not checked: the REST user record does not say password.neverExpires", evidence
    )


@check(
    "entity-slide-in",
    params={"expected": Param("choice", choices=("disabled", "enabled"))},
    reads=[rest_multi_entity("rest_multi_entity")],
)
def entity_slide_in(ctx: EnvironmentContext) -> Finding:
    """REST ``multi-entity-preference.restrictions.disableEntitySlideIn`` is as the runbook wants: when
    disabled, "users can only access the top-level company and cannot access or navigate to individual
    entities" (Sage's multi-entity-preference object)."""
    wanted = ctx.params["expected"]
    expected = f"entity slide-in is {wanted}"
    reading = rest_reading(ctx, "rest_multi_entity")
    if reading is None:
        return Finding.manual(
            expected,
            "the XML gateway does not expose it; "
            + without_rest(ctx.snapshot, "multi-entity-preference.restrictions.disableEntitySlideIn"),
        )
    if reading.problem is not None:
        return unavailable(ctx, reading, expected)
    disabled = field(record(reading), "disableEntitySlideIn")
    evidence = {"multi-entity-preference.restrictions.disableEntitySlideIn": disabled}
    if not isinstance(disabled, bool):
        return Finding.error(expected, "not checked: the REST API does not say whether slide-in is disabled")
    state = "disabled" if disabled else "enabled"
    observed = f"REST disableEntitySlideIn is {str(disabled).lower()}: slide-in is {state}"
    if state == wanted:
        return Finding.passed(expected, observed, evidence)
    return Finding.failed(expected, observed, evidence)


@check("sandbox", reads=[rest_sandboxes("rest_sandboxes")])
def sandbox(ctx: EnvironmentContext) -> Finding:
    """The company has a sandbox, ready to use (REST ``sandbox`` list and each one's ``state``); none ready
    while a state is unknown is could not check."""
    expected = "the company has a sandbox that is ready"
    reading = rest_reading(ctx, "rest_sandboxes")
    if reading is None:
        return Finding.manual(
            expected,
            "the XML gateway does not list sandboxes; " + without_rest(ctx.snapshot, "the sandbox list"),
        )
    if reading.problem is not None:
        return unavailable(ctx, reading, expected)
    listed = reading.value if isinstance(reading.value, list) else []
    sandboxes = [item for item in listed if isinstance(item, dict)]
    evidence = {"sandboxes": sandboxes}
    ready = [item.get("id") for item in sandboxes if item.get("state") == "ready"]
    if ready:
        return Finding.passed(expected, f"sandbox {ready[0]!r} is ready", evidence)
    if not sandboxes:
        return Finding.failed(expected, "the company has no sandbox", evidence)
    unknown = [item.get("id") for item in sandboxes if not isinstance(item.get("state"), str)]
    if unknown:
        # A state not read (past the bound of sandboxes read) or not given might be the ready one.
        return Finding.error(
            expected,
            f"not checked: no sandbox read is ready, and the state of {unknown!r} is unknown",
            evidence,
        )
    states = ", ".join(f"{item.get('id')!r} {item.get('state') or 'unknown'}" for item in sandboxes)
    return Finding.failed(expected, f"no sandbox is ready: {states}", evidence)
