"""What the simulated gateway knows: its functions and objects, and the permission guarding each object.

Permission names are the canonical ones shared with the runbook profiles (application, policy, rights);
see docs/gateway.md#permissions. Field lists follow developer.intacct.com and the fields real clients select.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_FUNCTIONS = (
    "getAPISession",
    "readByQuery",
    "readMore",
    "query",
    "read",
    "readByName",
    "getUserPermissions",
    "lookup",
    "inspect",
    "get_applications",
)
GENERIC_WRITES = ("create", "update", "delete")
# Legacy (2.1-style) writes still accepted under DTD 3.0 (docs/simulator.md, assumption 21); recognised so the
# journal flags them.
LEGACY_WRITES = (
    "record_cctransaction",
    "create_expensereport",
    "create_bill",
    "update_bill",
    "delete_bill",
    "create_apadjustment",
    "delete_apadjustment",
    "create_employee",
    "update_employee",
    "delete_employee",
    "create_department",
    "update_department",
    "delete_department",
    "create_location",
    "update_location",
    "delete_location",
    "create_user",
    "update_user",
    "delete_user",
)
# Real functions the simulator answers with a "not implemented" result error rather than a DTD error.
UNSIMULATED = (
    "get_list",
    "get",
    "readReport",
    "readView",
    "readRelated",
    "getFinancialSetup",
    "get_companyprefs",
)
FUNCTIONS = READ_FUNCTIONS + GENERIC_WRITES + LEGACY_WRITES + UNSIMULATED
WRITE_FUNCTIONS = frozenset(GENERIC_WRITES + LEGACY_WRITES)
_WRITE_VERBS = frozenset(
    {"create", "update", "delete", "upsert", "record", "reverse", "void", "approve", "post"}
)


def is_write(function: str) -> bool:
    """Writes the simulator accepts, and anything named like one (``create_vendor``), for the journal."""
    return function in WRITE_FUNCTIONS or function.partition("_")[0].lower() in _WRITE_VERBS


LIST_OR_VIEW = ("List", "View")

# readByQuery compares some fields with the database's one-letter codes rather than their labels: STATUS 'T'
# and 'F' for active and inactive (developer.intacct.com/web-services/queries, "STATUS = 'F' AND ONETIME =
# 'T'" to list inactive vendors "by querying on boolean values"), and USERINFO's USERTYPE letters
# (developer.intacct.com/api/company-console/users, readByQuery `query` fields). The labels keep working:
# fylein's client sends STATUS = 'active'. See docs/gateway.md#queries.
QUERY_CODES: dict[str, dict[str, str]] = {
    "STATUS": {"T": "active", "F": "inactive"},
    "USERTYPE": {
        "B": "business user",
        "E": "employee user",
        "R": "view only user",
        "W": "writeup user",
        "D": "dashboard user",
        "P": "project manager user",
        "C": "construction manager user",
        "A": "payment approver",
        "T": "platform user",
        "S": "CRM user",
        "H": "warehouse user",
    },
}


@dataclass(frozen=True)
class Relationship:
    """A many-to-one relationship ``query`` reaches with the dot operator: ``PATH.FIELD`` is FIELD of the
    ``object_name`` record whose ``key`` equals this record's ``related_by``
    (developer.intacct.com/web-services/queries, "Query on a field value of a related object")."""

    path: str
    object_name: str
    related_by: str
    key: str


@dataclass(frozen=True)
class ObjectType:
    """An object the gateway serves, the policy that guards it, and its fields."""

    name: str
    label: str
    application: str
    policy: str
    name_field: str
    fields: tuple[str, ...]
    read_rights: tuple[str, ...] = LIST_OR_VIEW
    add_right: str = "Add"
    edit_right: str = "Edit"
    delete_right: str = "Delete"
    derived: bool = False  # rows computed from the company's users, roles and groups
    relationships: tuple[Relationship, ...] = ()

    def right_for(self, operation: str) -> str:
        return {"CREATE": self.add_right, "UPDATE": self.edit_right, "DELETE": self.delete_right}[operation]


def _fields(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_AUDIT = "WHENCREATED WHENMODIFIED CREATEDBY MODIFIEDBY"
_CONTACT = (
    "CONTACT.CONTACTNAME CONTACT.PREFIX CONTACT.FIRSTNAME CONTACT.INITIAL CONTACT.LASTNAME"
    " CONTACT.COMPANYNAME CONTACT.PRINTAS CONTACT.PHONE1 CONTACT.PHONE2 CONTACT.CELLPHONE CONTACT.PAGER"
    " CONTACT.FAX CONTACT.EMAIL1"
    " CONTACT.EMAIL2 CONTACT.URL1 CONTACT.URL2 CONTACT.MAILADDRESS.ADDRESS1 CONTACT.MAILADDRESS.ADDRESS2"
    " CONTACT.MAILADDRESS.CITY CONTACT.MAILADDRESS.STATE CONTACT.MAILADDRESS.ZIP CONTACT.MAILADDRESS.COUNTRY"
    " CONTACT.MAILADDRESS.COUNTRYCODE"
)
_ENTITY = "MEGAENTITYKEY MEGAENTITYID MEGAENTITYNAME"
_AP_DOCUMENT = (
    "RECORDNO RECORDID RECORD_URL STATE RAWSTATE VENDORID VENDORNAME DOCNUMBER DESCRIPTION TERMNAME"
    " WHENPOSTED"
    " WHENDUE WHENPAID TOTALENTERED TOTALSELECTED TOTALPAID TOTALDUE RECPAYMENTDATE PAYMENTPRIORITY ONHOLD"
    " BASECURR CURRENCY DUE_IN_DAYS PRBATCH " + _AUDIT + " " + _ENTITY
)

BUSINESS_OBJECTS = (
    ObjectType(
        "DEPARTMENT",
        "Department",
        "Company",
        "Departments",
        "DEPARTMENTID",
        _fields(
            "RECORDNO DEPARTMENTID TITLE PARENTKEY PARENTID SUPERVISORKEY SUPERVISORID SUPERVISORNAME STATUS"
            " CUSTTITLE " + _AUDIT
        ),
    ),
    ObjectType(
        "LOCATION",
        "Location",
        "Company",
        "Locations",
        "LOCATIONID",
        _fields(
            "RECORDNO LOCATIONID NAME PARENTID PARENTKEY SUPERVISORID SUPERVISORNAME STATUS CURRENCY"
            " STARTDATE ENDDATE " + _AUDIT
        ),
    ),
    ObjectType(
        "EMPLOYEE",
        "Employee",
        "Company",
        "Employees",
        "EMPLOYEEID",
        _fields(
            "RECORDNO EMPLOYEEID SSN TITLE LOCATIONID DEPARTMENTID SUPERVISORID BIRTHDATE STARTDATE ENDDATE"
            " STATUS"
            " EMPLOYEETYPE EMPLOYEETYPE1099TYPE GENDER TERMINATIONTYPE PERSONALINFO.CONTACTNAME "
            + _CONTACT
            + " CURRENCY PAYMETHODKEY CONTACTKEY "
            + _AUDIT
            + " "
            + _ENTITY
        ),
        # The employees page's query selects LOCATION.LOCATIONID
        # (developer.intacct.com/api/employee-expenses/employees); SUPERVISORID holds the manager's employee
        # ID (intacct-sdk-js src/Functions/EmployeeExpense/EmployeeCreate.ts writes managerEmployeeId there).
        # The path name MANAGER is partly inferred (docs/simulator.md, assumption 31).
        relationships=(
            Relationship("LOCATION", "LOCATION", "LOCATIONID", "LOCATIONID"),
            Relationship("MANAGER", "EMPLOYEE", "SUPERVISORID", "EMPLOYEEID"),
        ),
    ),
    ObjectType(
        "CCTRANSACTION",
        "Credit Card Transaction",
        "Cash Management",
        "Credit Card Transactions",
        "RECORDNO",
        _fields(
            "RECORDNO RECORDID RECORD_URL FINANCIALENTITY DESCRIPTION PAYEE BASECURR CURRENCY TOTALENTERED"
            " TRX_TOTALENTERED TOTALPAID TRX_TOTALPAID TOTALSELECTED TRX_TOTALSELECTED TOTALDUE TRX_TOTALDUE"
            " WHENPAID STATE RAWSTATE CLEARED AUWHENCREATED INCLUSIVETAX TAXSOLUTIONID TAXMETHOD "
            + _AUDIT
            + " "
            + _ENTITY
        ),
    ),
    ObjectType(
        "GLACCOUNT",
        "GL Account",
        "General Ledger",
        "Accounts",
        "ACCOUNTNO",
        _fields(
            "RECORDNO ACCOUNTNO TITLE ACCOUNTTYPE NORMALBALANCE CLOSINGTYPE CLOSINGACCOUNTNO STATUS CATEGORY"
            " ALTERNATIVEACCOUNT REQUIREDEPT REQUIRELOC " + _AUDIT
        ),
    ),
    ObjectType("APBILL", "AP Bill", "Accounts Payable", "Bills", "RECORDNO", _fields(_AP_DOCUMENT)),
    ObjectType(
        "APADJUSTMENT", "AP Adjustment", "Accounts Payable", "Adjustments", "RECORDNO", _fields(_AP_DOCUMENT)
    ),
    # Two objects outside the runbooks, so replay tests can use the SDK fixtures' literal responses.
    ObjectType(
        "ARINVOICE",
        "AR Invoice",
        "Accounts Receivable",
        "Invoices",
        "RECORDNO",
        _fields(
            "RECORDNO RECORDID CUSTOMERID CUSTOMERNAME DOCNUMBER DESCRIPTION STATE WHENPOSTED WHENDUE"
            " TOTALENTERED TOTALDUE CURRENCY BASECURR " + _AUDIT
        ),
    ),
    ObjectType(
        "PROJECT",
        "Project",
        "Projects",
        "Projects",
        "PROJECTID",
        _fields("RECORDNO PROJECTID NAME DESCRIPTION PARENTID CUSTOMERID STATUS BEGINDATE ENDDATE " + _AUDIT),
    ),
    ObjectType(
        "EEXPENSES",
        "Employee Expense",
        "Time & Expenses",
        "Expense Summaries",
        "RECORDNO",
        _fields(
            "RECORDNO RECORD_URL RECORDID EMPLOYEEID EMPLOYEENAME DESCRIPTION MEMO WHENPOSTED TOTALENTERED"
            " TOTALDUE STATE RAWSTATE CURRENCY BASECURR " + _AUDIT
        ),
        read_rights=("List Expenses", "View Expense"),
        add_right="Add Expense",
        edit_right="Edit Expense",
        delete_right="Delete Expense",
    ),
)


def _derived(name: str, label: str, policy: str, name_field: str, fields: str) -> ObjectType:
    return ObjectType(name, label, "Company", policy, name_field, _fields(fields), derived=True)


# Documented fields from developer.intacct.com users and roles pages; columns marked (*) are assumptions
# (docs/simulator.md, assumption 26).
SECURITY_OBJECTS = (
    _derived(
        "USERINFO",
        "User",
        "Users",
        "LOGINID",
        "RECORDNO LOGINID DESCRIPTION USERTYPE ADMIN STATUS LOGINDISABLED SSO_ENABLED SSO_FEDERATED_ID"
        " CONTACTINFO.CONTACTNAME CONTACTINFO.FIRSTNAME CONTACTINFO.LASTNAME CONTACTINFO.EMAIL1"
        " USERLOCATIONS " + _AUDIT,
    ),
    _derived("USERROLES", "User Role", "Users", "RECORDNO", "RECORDNO USERID ROLENAME"),
    _derived("ROLEUSERS", "Role User", "Users", "RECORDNO", "RECORDNO USERLOGINID ROLENAME"),
    _derived(
        "MEMBERUSERGROUP",
        "User Group Member",
        "Users",
        "RECORDNO",
        "RECORDNO USERKEY USERINFO.LOGINID USERGROUP.NAME",
    ),
    # (*) APPLICATION, POLICYNAME, RIGHTS
    _derived(
        "USERRIGHTS",
        "User Permission",
        "Users",
        "RECORDNO",
        "RECORDNO USERINFO.LOGINID APPLICATION POLICYNAME RIGHTS",
    ),
    _derived("ROLES", "Role", "Roles", "NAME", "RECORDNO NAME DESCRIPTION ROLETYPE"),
    # (*) APPLICATION, RIGHTS
    _derived(
        "ROLEPOLICYASSIGNMENT",
        "Role Policy Assignment",
        "Roles",
        "RECORDNO",
        "RECORDNO ROLES.NAME APPLICATION POLICYNAME RIGHTS",
    ),
    _derived("USERGROUP", "User Group", "Roles", "NAME", "RECORDNO NAME DESCR"),
    # (*) USERGROUPNAME
    _derived("ROLEGROUPS", "Role Group", "Roles", "RECORDNO", "RECORDNO ROLENAME USERGROUPNAME"),
)

# Fields holding a list of ids, written nested as create and update take them: <USERLOCATIONS><LOCATIONID>…
# (developer.intacct.com/api/company-console/users). That reads answer the same shape is an assumption
# (docs/simulator.md, assumption 32). In a row they are the ids joined by LIST_SEPARATOR.
LIST_FIELDS = {"USERLOCATIONS": "LOCATIONID"}
LIST_SEPARATOR = ","

OBJECTS: dict[str, ObjectType] = {item.name: item for item in BUSINESS_OBJECTS + SECURITY_OBJECTS}

# getUserPermissions needs Company > Users > "View Permissions" (developer.intacct.com users page,
# docs/gateway.md#permissions).
PERMISSIONS_POLICY = ("Company", "Users", "View Permissions")


def object_type(name: str) -> ObjectType | None:
    """Object names are matched case-insensitively, as clients send both ``DEPARTMENT`` and ``department``."""
    return OBJECTS.get(name.strip().upper())
