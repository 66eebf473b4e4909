"""Checks that compare the environments of one run (e.g. implementation and production)."""

from __future__ import annotations

from pytest_intacct.checks.registry import AcrossContext, check
from pytest_intacct.evidence.snapshot import ProblemKind
from pytest_intacct.profiles import Param
from pytest_intacct.results.finding import Finding

# Sign-in refusals that mean "this user cannot sign in", not "could not check".
_REFUSED = {ProblemKind.SENDER_NOT_AUTHORIZED.value, ProblemKind.SIGN_IN_FAILED.value}


@check("sender-id-consistent", across_environments=True)
def sender_id_consistent(ctx: AcrossContext) -> Finding:
    """Every environment of the run is configured with the same Sender ID."""
    expected = "one Sender ID is used in every environment"
    senders = {s.environment: s.sender_id for s in ctx.snapshots}
    evidence = {"senders": senders}
    if len(set(senders.values())) == 1:
        return Finding.passed(
            expected, f"every environment uses Sender ID {next(iter(senders.values()))!r}", evidence
        )
    listed = ", ".join(f"{env}: {sender!r}" for env, sender in senders.items())
    return Finding.failed(expected, f"Sender IDs differ: {listed}", evidence)


@check("ws-user-per-environment", across_environments=True)
def ws_user_per_environment(ctx: AcrossContext) -> Finding:
    """Each environment signs in to its own company with its own Web Services user."""
    expected = "each environment has its own working Web Services user"
    users = {s.environment: {"company_id": s.company_id, "user_id": s.user_id} for s in ctx.snapshots}
    evidence = {"users": users}
    refused = {s.environment: s.sign_in.problem for s in ctx.snapshots if s.sign_in.problem is not None}
    unexplained = {env: p for env, p in refused.items() if p.kind not in _REFUSED}
    if unexplained:
        listed = "; ".join(f"{env}: {p.message}" for env, p in unexplained.items())
        return Finding.error(expected, f"not checked: sign-in could not complete in {listed}", evidence)
    if refused:
        listed = "; ".join(f"{env}: {p.message}" for env, p in refused.items())
        return Finding.failed(expected, f"the Web Services user cannot sign in to {listed}", evidence)
    companies = [u["company_id"] for u in users.values()]
    if len(set(companies)) < len(companies):
        return Finding.failed(expected, "several environments point at the same company", evidence)
    return Finding.passed(expected, f"signed in to {len(users)} companies, each with its own user", evidence)


@check("senders-authorized", params={"sender_ids": Param("strings")}, across_environments=True)
def senders_authorized(ctx: AcrossContext) -> Finding:
    """Every Sender ID the runbook lists is authorized. Only a sign-in with a sender proves it (its password
    is needed first, docs/gateway.md#sender), so each needs an environment of the run configured with it."""
    wanted = ctx.params["sender_ids"]
    expected = f"Sender IDs {', '.join(wanted)} are each authorized"
    found: dict[str, str] = {}
    for sender in wanted:
        mine = [s for s in ctx.snapshots if s.sender_id == sender]  # Sender IDs are case-sensitive
        if any(s.sign_in.ok for s in mine):
            found[sender] = "authorized: " + ", ".join(s.environment for s in mine if s.sign_in.ok)
        elif any(
            s.sign_in.problem and s.sign_in.problem.kind == ProblemKind.SENDER_NOT_AUTHORIZED for s in mine
        ):
            found[sender] = "refused: Invalid Web Services Authorization"
        else:
            found[sender] = (
                "no environment of this run signs in with it" if not mine else "sign-in did not complete"
            )
    evidence = {"senders": found}
    refused = [sender for sender, state in found.items() if state.startswith("refused")]
    unproven = [sender for sender, state in found.items() if not state.startswith(("authorized", "refused"))]
    if refused:
        return Finding.failed(expected, f"not authorized: {', '.join(refused)}", evidence)
    if unproven:
        listed = "; ".join(f"{sender}: {found[sender]}" for sender in unproven)
        return Finding.error(expected, f"not checked: {listed}; give each Sender ID an environment", evidence)
    return Finding.passed(
        expected, "each signed in: " + "; ".join(f"{k} {v}" for k, v in found.items()), evidence
    )
