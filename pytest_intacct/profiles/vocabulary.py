"""Intacct's permission vocabulary as far as public sources tell it: applications (modules), their policies
and rights, the objects whose reads prove a policy's rights, and the UI words for user type, admin
privileges and status with the API's spelling of each.

Every name says where it is documented (a key of :data:`SOURCES`), or that it is an assumption (``None``):
the public record names only part of the vocabulary (docs/vocabulary.md). Profiles are validated against it
(a near miss of a known name is an error, an unknown name a warning), and "All" on a module means every
policy listed here for it, each with every right listed for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_intacct.profiles.spelling import normalize

# Public sources, by the key each name cites.
SOURCES = {
    "intacct-users": "developer.intacct.com/api/company-console/users/ (getUserPermissions, USERINFO)",
    "intacct-roles": "developer.intacct.com/api/company-console/roles/",
    "intacct-subscriptions": "developer.intacct.com/api/company-console/subscriptions/ (application codes)",
    "intacct-objects": "developer.intacct.com/api/ (each object's page)",
    "intacct-platform": "developer.intacct.com/platform-services/ (Customization and Platform Services)",
    "help-expenses": "Sage Intacct help, Expenses permissions (expenses-permissions.htm)",
    "help-ap": "Sage Intacct help, Accounts Payable permissions (accounts-payable-permission.htm)",
    "help-admin": "Sage Intacct help, Administration permissions (administration-permissions.htm)",
    "help-user-types": "Sage Intacct help, User types (user-types.htm) and Admin users (admin-users.htm)",
    "release-2024r1": "Sage Intacct 2024 R1 release notes, new CRW reporting areas (Cash Management)",
    "release-2025r2": "Sage Intacct 2025 R2 release notes, Time & Expenses split into Time and Expenses",
    "trelica": "Trelica help centre, Sage Intacct setup article (help.trelica.com)",
    "tipalti": "Tipalti help, Required user roles (help.tipalti.com article 30607292853143)",
    "expensein": "ExpenseIn docs, Sage Intacct permissions (docs.expensein.com article 6353783)",
    "expensify": "Expensify help, Connect to Sage Intacct (help.expensify.com)",
    "payhawk": "Payhawk help, Before you connect Payhawk and Sage Intacct (help.payhawk.com article 9808951)",
}

CRUD = ("List", "View", "Add", "Edit", "Delete")
READS = ("List", "View")


@dataclass(frozen=True)
class Policy:
    """A permission on a role's or user's permissions page: its rights, and where name and rights are
    documented (None: assumed)."""

    name: str
    rights: tuple[str, ...]
    source: str | None
    rights_source: str | None = None

    @property
    def reads(self) -> tuple[str, ...]:
        """The rights that only read (List…, View…): what "Read-only" grants on it."""
        return tuple(right for right in self.rights if is_read_right(right))


@dataclass(frozen=True)
class Application:
    """An application (module): its policies, other names it goes by, and its subscription code as
    ``get_applications`` lists it (None: not known)."""

    name: str
    policies: tuple[Policy, ...]
    source: str | None
    aliases: tuple[str, ...] = ()
    code: str | None = None
    code_source: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def policy(self, name: str) -> Policy | None:
        wanted = normalize(name)
        return next((p for p in self.policies if normalize(p.name) == wanted), None)


@dataclass(frozen=True)
class IntacctObject:
    """An XML object and the policy that guards reading it (a one-record read proves its read rights)."""

    name: str
    application: str
    policy: str
    source: str | None


def _p(
    name: str, source: str | None, rights: tuple[str, ...] = CRUD, rights_source: str | None = None
) -> Policy:
    return Policy(name, rights, source, rights_source)


APPLICATIONS = (
    Application(
        "Administration",
        (
            _p(
                "Application Subscriptions",
                "intacct-users",
                ("List", "View", "Subscribe", "Configure", "Remove", "Assign Users"),
                "intacct-users",
            ),
            _p("Grant Admin Rights", "intacct-users", ("Grant",), "intacct-users"),
            _p("Access Log", "tipalti", READS),
            _p("Audit Log", "tipalti", READS),
            _p("Company Info", "help-admin", ("View", "Edit")),
        ),
        "intacct-users",
    ),
    Application(
        "Company",
        (
            _p("Departments", "trelica"),
            _p("Department Groups", "tipalti"),
            _p("Locations", "trelica"),
            _p("Location Groups", "tipalti"),
            _p("Entities", "tipalti"),
            _p("Employees", "trelica"),
            _p("Class", "tipalti"),
            _p("Class Groups", "tipalti"),
            _p("Attachment Folders", "tipalti"),
            _p("Attachments", "tipalti"),
            _p("Transaction Currencies", "tipalti"),
            _p("Partner Sync Events", "tipalti", READS),
            _p("Smart Event Jobs", "tipalti", READS),
            # "Company -> Lists -> Users -> Permissions -> View" (getUserPermissions' own right).
            _p("Users", "intacct-users", (*CRUD, "View Permissions")),
            _p("Roles", "intacct-roles"),
        ),
        "trelica",
        code="CO",
        code_source="intacct-subscriptions",
    ),
    Application(
        "General Ledger",
        (
            _p("Accounts", "trelica"),
            _p("Journal Entries", "tipalti"),
            _p("Adjusting Journal Entries", "tipalti"),
            _p("Account Groups", None),
        ),
        "trelica",
        code="GL",
        code_source="intacct-subscriptions",
    ),
    Application(
        "Cash Management",
        (
            _p("Credit Card Transactions", "trelica"),
            _p("Credit Card Accounts", "release-2024r1"),
            _p("Checking Accounts", None),
        ),
        "trelica",
        code="CM",
        code_source="intacct-subscriptions",
    ),
    Application(
        "Accounts Payable",
        (
            _p("Bills", "trelica"),
            _p("Adjustments", "trelica"),
            _p("Vendors", "expensein"),
            _p("Summaries", "help-ap"),
            _p("Payments", None),
        ),
        "trelica",
        code="AP",
        code_source="intacct-subscriptions",
    ),
    Application(
        "Accounts Receivable",
        (_p("Invoices", None), _p("Customers", None), _p("Adjustments", None)),
        "intacct-subscriptions",
        # get_companyprefs documents "AR for Accounts Receivable"; that get_applications uses it is inferred.
        code="AR",
    ),
    Application(
        "Time & Expenses",
        (
            _p(
                "Expense Summaries",
                "trelica",
                (
                    "List Expenses",
                    "View Expense",
                    "Add Expense",
                    "Edit Expense",
                    "Delete Expense",
                    "Reverse",
                    "Reclass",
                ),
                "help-expenses",
            ),
            _p("Expense Types", None),
        ),
        "trelica",
        # Time & Expenses became two applications, Time and Expenses, in 2025 R2.
        aliases=("Expenses",),
        # get_companyprefs documents "EE for Employee Expenses"; that get_applications uses it is inferred.
        code="EE",
    ),
    Application("Projects", (_p("Projects", None), _p("Tasks", None)), "expensify", code="PA"),
    Application("Taxes", (_p("Tax Details", None), _p("Tax Solutions", None)), "payhawk"),
    # Subscriptions without a policy the public record names; their application codes are not documented.
    Application("Customization Services", (), "intacct-platform"),
    Application("Platform Services", (), "intacct-platform"),
)

OBJECTS = (
    IntacctObject("DEPARTMENT", "Company", "Departments", "intacct-objects"),
    IntacctObject("LOCATION", "Company", "Locations", "intacct-objects"),
    IntacctObject("EMPLOYEE", "Company", "Employees", "intacct-objects"),
    IntacctObject("CLASS", "Company", "Class", "intacct-objects"),
    IntacctObject("USERINFO", "Company", "Users", "intacct-users"),
    IntacctObject("ROLES", "Company", "Roles", "intacct-roles"),
    IntacctObject("GLACCOUNT", "General Ledger", "Accounts", "intacct-objects"),
    IntacctObject("GLBATCH", "General Ledger", "Journal Entries", "intacct-objects"),
    IntacctObject("CCTRANSACTION", "Cash Management", "Credit Card Transactions", "intacct-objects"),
    IntacctObject("APBILL", "Accounts Payable", "Bills", "intacct-objects"),
    IntacctObject("APADJUSTMENT", "Accounts Payable", "Adjustments", "intacct-objects"),
    IntacctObject("VENDOR", "Accounts Payable", "Vendors", "intacct-objects"),
    IntacctObject("ARINVOICE", "Accounts Receivable", "Invoices", "intacct-objects"),
    IntacctObject("CUSTOMER", "Accounts Receivable", "Customers", "intacct-objects"),
    IntacctObject("EEXPENSES", "Time & Expenses", "Expense Summaries", "intacct-objects"),
    IntacctObject("PROJECT", "Projects", "Projects", "intacct-objects"),
)

# Rights seen on permission pages, beyond each policy's own list (kept for matching a profile's words).
RIGHTS = tuple(
    dict.fromkeys(
        [
            *(
                right
                for application in APPLICATIONS
                for policy in application.policies
                for right in policy.rights
            ),
            "Post",
            "Approve",
        ]
    )
)

# The words a runbook uses for a whole grant (vendors' guides: "Administration All", "Company Read-only").
ALL = "All"
READ_ONLY = "Read-only"
GRANT_WORDS = {
    "all": ALL,
    "read-only": READ_ONLY,
    "read only": READ_ONLY,
    "readonly": READ_ONLY,
    "read": READ_ONLY,
}

# The UI's words (left) and the API's spelling of each (right): USERINFO.USERTYPE, ADMIN and STATUS
# (developer.intacct.com users page; the UI labels from the product help's user types and admin pages).
USER_TYPES = {
    "Business": "business user",
    "Employee": "employee user",
    "View only": "view only user",
    "Dashboard": "dashboard user",
    "Project manager": "project manager user",
    "Construction manager": "construction manager user",
    "Platform": "platform user",
    "Warehouse": "warehouse user",
    "Payment approver": "payment approver",
    "CRM": "CRM user",
}
# "Limited" is the UI's and REST's word; its XML spelling is not documented (assumed the same).
ADMIN_PRIVILEGES = {"Full": "Full", "Limited": "Limited", "Off": "Off"}
# The API writes "lockedout"; "inactive" is what the SDKs write (docs/gateway.md#users).
USER_STATUSES = {"Active": "active", "Inactive": "inactive", "Locked out": "lockedout"}


def is_read_right(right: str) -> bool:
    """Rights that only read: List…, View… (List Expenses, View Permissions...)."""
    return normalize(right).startswith(("list", "view"))


def application(name: str) -> Application | None:
    """The application with this name or alias."""
    wanted = normalize(name)
    return next((a for a in APPLICATIONS if wanted in {normalize(n) for n in a.names}), None)


def intacct_object(name: str) -> IntacctObject | None:
    wanted = name.strip().upper()
    return next((o for o in OBJECTS if o.name == wanted), None)


def right(name: str) -> str | None:
    """A right's catalogue spelling ("View expense" is "View Expense")."""
    wanted = normalize(name)
    return next((r for r in RIGHTS if normalize(r) == wanted), None)


def grant_word(name: str) -> str | None:
    """``All`` or ``Read-only`` for the runbook's words ("Read", "read only"...); None for anything else."""
    return GRANT_WORDS.get(normalize(name))


def api_value(table: dict[str, str], name: str) -> str | None:
    """The API's spelling of a UI word or of an API value (``Business`` and ``business user`` alike)."""
    wanted = normalize(name)
    return next((api for ui, api in table.items() if wanted in (normalize(ui), normalize(api))), None)


def ui_word(table: dict[str, str], value: str) -> str:
    """The UI's word for an API value (``lockedout`` is ``Locked out``); the value itself if none."""
    wanted = normalize(value)
    return next((ui for ui, api in table.items() if normalize(api) == wanted), value)
