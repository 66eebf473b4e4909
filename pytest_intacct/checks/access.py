"""Access checks: can this sender and this user reach the company at all?

All of them run after a successful sign-in (a failed one is handled by ``evaluate``), so the
sign-in itself is the evidence: the gateway checks the sender, its authorization, the Web
Services subscription, the IP filter and the user, in that order, before it grants a session.
"""

from __future__ import annotations

from pytest_intacct.checks import Context, check
from pytest_intacct.results import Verdict


def _session_evidence(ctx: Context) -> dict[str, str]:
    s = ctx.snapshot
    assert s is not None
    return {
        "company_id": s.company_id,
        "user_id": s.user_id,
        "sender_id": s.sender_id,
        "endpoint": s.endpoint,
    }


@check("web-services-subscription")
def web_services_subscription(ctx: Context) -> Verdict:
    return Verdict.passed(
        "the company accepts Web Services requests",
        "getAPISession succeeded, which a company without the Web Services subscription refuses",
        **_session_evidence(ctx),
    )


@check("sender-authorized")
def sender_authorized(ctx: Context) -> Verdict:
    assert ctx.snapshot is not None
    expected_sender = ctx.params["sender_id"] or ctx.snapshot.sender_id
    if ctx.snapshot.sender_id != expected_sender:
        # Sender IDs are case-sensitive (intacct-permissions.md §5.3).
        return Verdict.error(
            f"Sender ID {expected_sender!r} is authorized for company {ctx.snapshot.company_id!r}",
            f"not checked: this environment is configured with Sender ID {ctx.snapshot.sender_id!r}, "
            f"not the runbook's {expected_sender!r}; run with the runbook's Sender ID to check it",
            **_session_evidence(ctx),
        )
    return Verdict.passed(
        f"Sender ID {expected_sender!r} is authorized for company {ctx.snapshot.company_id!r}",
        "the gateway accepted a request from this Sender ID for this company",
        **_session_evidence(ctx),
    )


@check("ip-allowlist")
def ip_allowlist(ctx: Context) -> Verdict:
    who = ctx.params.get("address_of") or "the integration"
    # No API exposes the IP filter list (intacct-permissions.md §5): a sign-in only proves that the
    # address this run comes from is allowed, not the integration's own address.
    return Verdict.manual(
        f"{who}'s IP address is allowed if the company enforces IP address filters",
        "the IP filter list is not readable through the API; this machine's sign-in was accepted, "
        f"so confirm {who}'s address is in the list (or that filters are not enforced)",
        **_session_evidence(ctx),
    )


@check("user-login")
def user_login(ctx: Context) -> Verdict:
    return Verdict.passed(
        "the Web Services user signs in",
        "getAPISession returned a session for this user",
        **_session_evidence(ctx),
    )


@check("attestation")
def attestation(ctx: Context) -> Verdict:
    return Verdict.manual(
        ctx.params["statement"], "needs a person's attestation; not readable through the API"
    )
