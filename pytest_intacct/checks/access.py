"""Access checks: can this sender and this user reach the company at all?

All of them run after a successful sign-in (a failed one is handled by ``evaluate``), so the
sign-in itself is the evidence: the gateway checks the sender, its authorization, the Web
Services subscription, the IP filter and the user, in that order, before it grants a session.
"""

from __future__ import annotations

from typing import Any

from pytest_intacct.checks.lens import REST_COMPANY, field, record, rest_reading, unavailable, without_rest
from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding

# company-preference.ipAddressFiltering while filters are enforced, in words (Sage's company-config OpenAPI).
IP_FILTER_MODES = {
    "companyLevel": "at company level",
    "companyLevelOverrideUserLevel": "at company level, and users' own filters override it",
    "userLevel": "per user",
}


def _session_evidence(ctx: EnvironmentContext) -> dict[str, Any]:
    s = ctx.snapshot
    return {
        "company_id": s.company_id,
        "user_id": s.user_id,
        "sender_id": s.sender_id,
        "endpoint": s.endpoint,
    }


@check("web-services-subscription")
def web_services_subscription(ctx: EnvironmentContext) -> Finding:
    """The company accepts Web Services requests: the sign-in succeeded."""
    return Finding.passed(
        "the company accepts Web Services requests",
        "getAPISession succeeded, which a company without the Web Services subscription refuses",
        _session_evidence(ctx),
    )


@check("sender-authorized", params={"sender_id": Param(may_be_empty=True)})
def sender_authorized(ctx: EnvironmentContext) -> Finding:
    """The runbook's Sender ID is authorized: the sign-in with it succeeded. An empty ``sender_id``
    accepts the Sender ID the environment is configured with (each client company buys its own)."""
    s = ctx.snapshot
    expected_sender = ctx.params["sender_id"] or s.sender_id
    if s.sender_id != expected_sender:
        # Sender IDs are case-sensitive (docs/gateway.md#sender).
        return Finding.error(
            f"Sender ID {expected_sender!r} is authorized for company {s.company_id!r}",
            f"not checked: this environment is configured with Sender ID {s.sender_id!r}, "
            f"not the runbook's {expected_sender!r}; run with the runbook's Sender ID to check it",
            _session_evidence(ctx),
        )
    return Finding.passed(
        f"Sender ID {expected_sender!r} is authorized for company {s.company_id!r}",
        "the gateway accepted a request from this Sender ID for this company",
        _session_evidence(ctx),
    )


@check("ip-allowlist", params={"address_of": Param(required=False)}, reads=[REST_COMPANY])
def ip_allowlist(ctx: EnvironmentContext) -> Finding:
    """Manual: no API exposes the IP filter list; the sign-in only proves this machine's address. With REST
    access the filter mode is read: ``none`` makes the step n/a; any other mode stays manual, with it."""
    who = ctx.params.get("address_of") or "the integration"
    expected = f"{who}'s IP address is allowed if the company enforces IP address filters"
    evidence: dict[str, Any] = _session_evidence(ctx)
    reading = rest_reading(ctx, "rest_company")
    if reading is None:
        # No API exposes the IP filter list (docs/gateway.md#not-readable): a sign-in only proves that the
        # address this run comes from is allowed, not the integration's own address.
        return Finding.manual(
            expected,
            "the IP filter list is not readable through the API; this machine's sign-in was accepted, "
            f"so confirm {who}'s address is in the list (or that filters are not enforced). "
            + without_rest(
                ctx.snapshot, "whether filters are enforced at all (none: this step does not apply)"
            ),
            evidence,
        )
    if reading.problem is not None:
        return unavailable(ctx, reading, expected, evidence)
    mode = field(record(reading), "ipAddressFiltering")
    evidence["company-preference.ipAddressFiltering"] = mode
    if mode == "none":
        return Finding.not_applicable(
            expected,
            "the company enforces no IP address filters (REST company-preference.ipAddressFiltering is "
            "'none'), so there is no list to add an address to",
            evidence,
        )
    if mode in IP_FILTER_MODES:
        # Whether the filters apply to API calls at all is unconfirmed: Sage's REST documentation is silent,
        # and vendors only imply it by asking for their addresses (docs/rest.md).
        return Finding.manual(
            expected,
            f"IP address filters are enforced {IP_FILTER_MODES[mode]} (REST ipAddressFiltering is {mode!r}); "
            "the list itself is not readable through any API; this machine's sign-in was accepted, so "
            f"confirm {who}'s address is in the list. Whether the filters apply to API calls is "
            "unconfirmed: Sage's documentation is silent, vendors' setup guides imply they do",
            evidence,
        )
    return Finding.error(
        expected, f"not checked: REST ipAddressFiltering is {mode!r}, not a mode the API documents", evidence
    )


@check("user-login")
def user_login(ctx: EnvironmentContext) -> Finding:
    """The Web Services user signs in: getAPISession returned a session."""
    return Finding.passed(
        "the Web Services user signs in",
        "getAPISession returned a session for this user",
        _session_evidence(ctx),
    )


@check("attestation", params={"statement": Param()})
def attestation(ctx: EnvironmentContext) -> Finding:
    """Manual: a person attests ``statement``; evaluated even when sign-in fails."""
    return Finding.manual(
        ctx.params["statement"], "needs a person's attestation; not readable through the API"
    )
