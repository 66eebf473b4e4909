"""The REST lens: what a check does with a fact the REST API gives (docs/rest.md).

- Without REST access the reading is absent: a kind that needs it says what REST access would add
  (``manual`` or ``n/a``), and a kind that only adds it to the XML gateway's facts judges as before.
- A refused token is one root cause for every requirement that needs a REST fact: could not check, never
  a failure of the company (the checker's access is not the integration's setup).
- A REST read refused for want of rights is one root cause too: the REST login needs admin privileges.
- Where the XML gateway and the REST API both state a fact and disagree, the requirement fails showing both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pytest_intacct.checks.registry import EnvironmentContext
from pytest_intacct.checks.visibility import checker_view, reads_rest_as
from pytest_intacct.evidence.readings import ProblemKind, Reading
from pytest_intacct.evidence.rest_reads import rest_company, rest_user
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.results.finding import Finding, RootCause

TOKEN_CAUSE = "rest-token-refused"  # noqa: S105 (a cause's id, not a token)
REST_VIEW_CAUSE = "checker-cannot-read-rest"
# Where an admin authorizes a client application ("Authorized client applications", Intacct help).
AUTHORIZED_CLIENTS = "Company > Setup > Company > Security > Authorized client applications"
SETTINGS = ("REST_CLIENT_ID", "REST_CLIENT_SECRET", "REST_USERNAME")
# The REST reads kinds share (one read each per environment, whichever kinds ask).
REST_USER = rest_user("user", name="rest_user")
REST_COMPANY = rest_company("rest_company")


def rest_reading(ctx: EnvironmentContext, name: str) -> Reading | None:
    """The REST reading the kind declared under ``name``; None when the environment has no REST access."""
    return ctx.readings.get(name)


def record(reading: Reading) -> Mapping[str, Any] | None:
    """The object a successful REST reading holds (None: the API has no such record)."""
    value = reading.value
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"a REST reading holds an object, not {type(value).__name__}")
    return value


def field(value: Mapping[str, Any] | None, path: str) -> Any:
    """``password.neverExpires`` of a REST record: None where it says nothing."""
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def without_rest(snapshot: Snapshot, adds: str) -> str:
    """What a requirement says when the environment has no REST access: which settings give it, and what
    the checker would read with it."""
    client, secret = (snapshot.identity.variable(key) for key in SETTINGS[:2])
    return f"REST access is not configured ({client} and {secret}); with it, the checker reads {adds}"


def unavailable(
    ctx: EnvironmentContext, reading: Reading, expected: str, evidence: Mapping[str, Any] | None = None
) -> Finding:
    """Could not check, for a REST reading with a problem: under the refused token's root cause, or the
    REST login's missing rights, or alone for anything else (a throttled or unreachable API)."""
    problem = reading.problem
    assert problem is not None
    snapshot = ctx.snapshot
    shown = {**(evidence or {}), "rest_error": problem.message}
    token = snapshot.rest_sign_in
    refused = (
        token is not None and token.problem is not None and token.problem.kind == ProblemKind.TOKEN_REFUSED
    )
    if refused or problem.kind == ProblemKind.TOKEN_REFUSED:
        cause = token_refused(snapshot)
        return Finding.error(expected, f"not checked: {cause.title}", shown, cause=cause)
    if problem.kind == ProblemKind.PERMISSION_DENIED:
        cause = rest_view(snapshot)
        return Finding.error(expected, f"not checked: {cause.title}", shown, cause=cause)
    return Finding.error(expected, f"not checked: the REST API could not be read ({problem.message})", shown)


def token_refused(snapshot: Snapshot, words: str = "refused") -> RootCause:
    """The one root cause of every REST-backed requirement when the token was refused (in the token's own
    words, whichever requirement asks)."""
    token = snapshot.rest_sign_in
    words = token.problem.message if token is not None and token.problem is not None else words
    username = snapshot.rest_username or "?"
    user = username.partition("@")[0]
    client, secret, name = (snapshot.identity.variable(key) for key in SETTINGS)
    title = f"the REST API refused a token for {username!r} ({words})"
    fix = (
        f"check {client}, {secret} and {name} (userId@companyId); then {AUTHORIZED_CLIENTS}: the checker's "
        f"client ID with status Active and the Web Services user {user!r}, which must be active"
    )
    return RootCause(TOKEN_CAUSE, title, fix)


def rest_view(snapshot: Snapshot) -> RootCause:
    """The one root cause when the REST login was refused reading the company's setup: the XML gateway's
    when the same login was refused reading users there too (one login, one missing grant)."""
    xml = checker_view(snapshot)
    if xml is not None and reads_rest_as(snapshot, snapshot.auditor_user_id or snapshot.user_id):
        return xml
    username = snapshot.rest_username or "?"
    user = username.partition("@")[0]
    name = snapshot.identity.variable("REST_USERNAME")
    title = f"the REST login {username!r} may not read the company's setup through the REST API"
    fix = (
        f"give {user!r} admin privileges (Company > Admin > Users > {user} > Edit > Admin privileges: "
        f"Limited or Full) and Company > Users: List, View in its role, or set {name} to a login with them"
    )
    return RootCause(REST_VIEW_CAUSE, title, fix)


def with_evidence(finding: Finding, **extra: Any) -> Finding:
    """``finding`` with more evidence (what the other lens said, or why it said nothing)."""
    return dataclasses.replace(finding, evidence={**finding.evidence, **extra})


def disagree(expected: str, xml: str, rest: str, evidence: Mapping[str, Any]) -> Finding:
    """The XML gateway and the REST API state one fact differently: a failure showing both."""
    return Finding.failed(expected, f"the XML gateway and the REST API disagree: {xml}; {rest}", evidence)
