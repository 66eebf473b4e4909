"""Access checks: can this sender and this user reach the company at all?

All of them run after a successful sign-in (a failed one is handled by ``evaluate``), so the
sign-in itself is the evidence: the gateway checks the sender, its authorization, the Web
Services subscription, the IP filter and the user, in that order, before it grants a session.
"""

from __future__ import annotations

from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding


def _session_evidence(ctx: EnvironmentContext) -> dict[str, str]:
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


@check("ip-allowlist", params={"address_of": Param(required=False)})
def ip_allowlist(ctx: EnvironmentContext) -> Finding:
    """Manual: no API exposes the IP filter list; the sign-in only proves this machine's address."""
    who = ctx.params.get("address_of") or "the integration"
    # No API exposes the IP filter list (docs/gateway.md#not-readable): a sign-in only proves that the
    # address this run comes from is allowed, not the integration's own address.
    return Finding.manual(
        f"{who}'s IP address is allowed if the company enforces IP address filters",
        "the IP filter list is not readable through the API; this machine's sign-in was accepted, "
        f"so confirm {who}'s address is in the list (or that filters are not enforced)",
        _session_evidence(ctx),
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
