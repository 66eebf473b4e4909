"""Hand-built snapshots of a Trelica company as ``evidence.snapshot.collect`` keys its readings: compliant
with the runbook, or changed reading by reading."""

from __future__ import annotations

from pytest_intacct.client import ErrorKind, Level
from pytest_intacct.evidence.snapshot import Problem, Reading, Snapshot
from pytest_intacct.identity import Identity

DENIED = Problem(
    ErrorKind.PERMISSION_DENIED.value, Level.FUNCTION.value, "PL04000005 You do not have permission"
)
RUNBOOK_RIGHTS = {
    "Company": {"Departments": {"List", "View"}, "Locations": {"View"}, "Employees": {"View", "Edit"}},
    "Cash Management": {"Credit Card Transactions": {"View"}},
    "General Ledger": {"Accounts": {"View"}},
    "Accounts Payable": {"Bills": {"View"}, "Adjustments": {"View"}},
    "Time & Expenses": {"Expense Summaries": {"View Expense"}},
}
OBJECTS = [
    "DEPARTMENT",
    "LOCATION",
    "EMPLOYEE",
    "CCTRANSACTION",
    "GLACCOUNT",
    "APBILL",
    "APADJUSTMENT",
    "EEXPENSES",
]
OBJECT_READINGS = {obj: Reading(1) for obj in OBJECTS}


def rights(table: dict) -> dict:
    """A getUserPermissions reading's value: rights as sorted lists."""
    return {app: {policy: sorted(granted) for policy, granted in pol.items()} for app, pol in table.items()}


USER_RECORD = {
    "LOGINID": "trelica_ws",
    "STATUS": "active",
    "USERTYPE": "business user",
    "ADMIN": "Full",
    "LOGINDISABLED": "true",
    "CONTACTINFO": {"EMAIL1": "acme@calance.us"},
}


COMPLIANT = {
    "user": Reading(USER_RECORD),
    "roles": Reading(["Trelica Integration"]),
    "permissions": Reading(rights(RUNBOOK_RIGHTS)),
    "developer_user": Reading(),
    "developer_permissions": Reading({}),
}


def snapshot(objects: dict[str, Reading] | None = None, **changes) -> Snapshot:
    """A snapshot as collect() would key its readings, for the (possibly changed) user and developer."""
    read = {name: changes.pop(name, reading) for name, reading in COMPLIANT.items()}
    fields = {
        "environment": "prod",
        "production": True,
        "sender_id": "TrelicaMPP",
        "company_id": "acme",
        "user_id": "trelica_ws",
        "endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml",
        "sign_in": Reading({"endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml"}),
        **changes,
    }
    login, developer = fields["user_id"], fields.get("developer_user_id")
    readings = {
        f"USERINFO/{login}": read["user"],
        f"ROLEUSERS/{login}": read["roles"],
        f"getUserPermissions/{login}": read["permissions"],
        **{f"readByQuery/{obj}": reading for obj, reading in (objects or OBJECT_READINGS).items()},
    }
    if developer:
        readings |= {
            f"USERINFO/{developer}": read["developer_user"],
            f"getUserPermissions/{developer}": read["developer_permissions"],
        }
    identity = Identity(
        name=fields.pop("environment"),
        company_id=fields.pop("company_id"),
        user_id=fields.pop("user_id"),
        sender_id=fields.pop("sender_id"),
        endpoint=fields.pop("endpoint"),
        production=fields.pop("production"),
    )
    return Snapshot(identity, readings=readings, **fields)
