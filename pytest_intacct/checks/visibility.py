"""What the checker itself needs: rights to read users, roles and permissions (docs/diagnosis.md).

A company set up exactly as a runbook says often does not let the Web Services user read its own record,
roles or permissions: the runbook never asks for those rights. That is one root cause with one fix (grant
them, or give the checker an auditor login), not a failure of each requirement that needs them.
"""

from __future__ import annotations

from pytest_intacct.evidence.snapshot import ProblemKind, Snapshot
from pytest_intacct.results.finding import RootCause

VIEW_CAUSE = "checker-cannot-read-users"

# The reads about users and the right each needs. getUserPermissions' right is documented
# ("Company -> Lists -> Users -> Permissions -> View", developer.intacct.com company-console users); the
# others are inferred from the Company application's policies.
NEEDS = {
    "USERINFO": "Company > Users: List and View (inferred)",
    "getUserPermissions": "Company > Users: View Permissions (documented)",
    "ROLEUSERS": "Company > Roles: List and View (inferred)",
}


# What every report says up front about the checker itself.
CHECKER_NEEDS = (
    "the checker signs in as the Web Services user and reads that user's record, roles and permissions; "
    "for those reads the user, or an auditor login of the same company (INTACCT_<ENV>_AUDITOR_USER_ID), "
    "needs " + "; ".join(NEEDS.values()) + "; "
    "with REST access (INTACCT_<ENV>_REST_CLIENT_ID), the checker's client ID listed under Company > "
    "Setup > Company > Security > Authorized client applications with a Web Services user that holds "
    "admin privileges and Company > Users: List, View"
)


def reads_rest_as(snapshot: Snapshot, login: str) -> bool:
    """Whether the REST API is read as ``login`` (its username is ``login@company``)."""
    return (snapshot.rest_username or "").partition("@")[0].casefold() == login.casefold()


def checker_view(snapshot: Snapshot) -> RootCause | None:
    """The root cause when the login that reads users (the auditor's, else the integration's) was refused
    reading users, roles or permissions; None when nothing of the kind was refused."""
    refused = sorted(
        {
            key.partition("/")[0]
            for key, reading in snapshot.readings.items()
            if reading.problem is not None
            and reading.problem.kind == ProblemKind.PERMISSION_DENIED
            and key.partition("/")[0] in NEEDS
        }
    )
    if not refused:
        return None
    login = snapshot.auditor_user_id or snapshot.user_id
    who = f"the auditor login {login!r}" if snapshot.auditor_user_id else f"the Web Services user {login!r}"
    rights = "; ".join(NEEDS[read] for read in NEEDS)
    auditor = " and ".join(
        snapshot.identity.variable(key) for key in ("AUDITOR_USER_ID", "AUDITOR_USER_PASSWORD")
    )
    fix = f"grant {login!r} {rights} (in its role, or as its own permissions in a user-based company)" + (
        ""
        if snapshot.auditor_user_id
        else f", or give the checker an auditor login that has them ({auditor})"
    )
    if reads_rest_as(snapshot, login):
        fix += "; the same login reads the REST API, which also needs its admin privileges (Limited or Full)"
    title = f"{who} cannot read {', '.join(refused)}, which the checker needs to judge users and rights"
    return RootCause(VIEW_CAUSE, title, fix)
