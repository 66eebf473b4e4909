"""readByQuery query strings and ``query`` filters select the records the reference says they should."""

from __future__ import annotations

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator
from pytest_intacct.simulator.queries import QueryError, parse_where

from .conftest import DATA, StartSimulator
from .gateway_client import Client, read_by_query

FIELDS = ("RECORDNO", "NAME", "STATUS", "AMOUNT", "WHEN", "NOTE")
ROWS = [
    {
        "RECORDNO": "1",
        "NAME": "Bob's Pizza",
        "STATUS": "active",
        "AMOUNT": "9.5",
        "WHEN": "01/15/2024",
        "NOTE": "",
    },
    {"RECORDNO": "2", "NAME": "Acme", "STATUS": "active", "AMOUNT": "100", "WHEN": "12/01/2023", "NOTE": "x"},
    {
        "RECORDNO": "10",
        "NAME": "acme labs",
        "STATUS": "inactive",
        "AMOUNT": "20",
        "WHEN": "02/29/2024 10:00:00",
    },
]


def matching(query: str) -> list[str]:
    predicate = parse_where(query, FIELDS)
    return [row["RECORDNO"] for row in ROWS if predicate(row)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["1", "2", "10"]),
        ("STATUS = 'active'", ["1", "2"]),
        ("STATUS != 'active'", ["10"]),
        ("STATUS <> 'active'", ["10"]),
        ("RECORDNO > 2", ["10"]),  # numbers compare as numbers
        ("RECORDNO <= 2", ["1", "2"]),
        ("AMOUNT >= 20", ["2", "10"]),
        ("WHEN < '02/01/2024'", ["1", "2"]),  # dates compare as dates
        ("NAME = 'Bob\\'s Pizza'", ["1"]),  # backslash-escaped quote
        ("NAME like 'Acme%'", ["2"]),  # case-sensitive
        ("NAME LIKE '_cme%'", ["2", "10"]),
        ("NAME not like 'A%'", ["1", "10"]),
        ("RECORDNO in (1, '10')", ["1", "10"]),
        ("RECORDNO NOT IN (1,2)", ["10"]),
        ("NOTE IS NULL", ["1", "10"]),
        ("NOTE is not null", ["2"]),
        ("NOT STATUS = 'active'", ["10"]),
        ("STATUS = 'active' AND (NAME = 'Acme' OR AMOUNT < 10)", ["1", "2"]),
        ("STATUS = 'inactive' or RECORDNO = 1 and NAME = 'nobody'", ["10"]),  # AND binds tighter
        ("status = 'active' AND recordno = 2", ["2"]),  # field names are not case-sensitive
    ],
)
def test_query_strings(query: str, expected: list[str]) -> None:
    assert matching(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("STATUS='active'", "needs a space"),
        ("STATUS = ", "expected a value"),
        ("COLOUR = 'red'", "unknown field COLOUR"),
        ("(STATUS = 'active'", r"expected '\)'"),
        ("STATUS = 'active' AND", "expected a field name"),
        ("STATUS IS 'x'", "expected NULL"),
        ("STATUS = 'open", "unexpected character"),
    ],
)
def test_bad_query_strings(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_where(query, FIELDS)


@pytest.fixture
def client(trelica: Simulator) -> Client:
    return Client(trelica.endpoint, trelica.primary_login).open()


def ids(result: etree._Element, field: str = "DEPARTMENTID") -> list[str]:
    assert result.findtext("status") == "success", etree.tostring(result)
    return [element.text for element in result.iter(field)]


def dept_query(filter_xml: str = "", extra: str = "") -> str:
    filter_block = f"<filter>{filter_xml}</filter>" if filter_xml else ""
    select = "<select><field>DEPARTMENTID</field></select>"
    return f"<query><object>DEPARTMENT</object>{select}{filter_block}{extra}</query>"


@pytest.mark.parametrize(
    ("filter_xml", "expected"),
    [
        ("<equalto><field>STATUS</field><value>active</value></equalto>", ["100", "200", "210"]),
        ("<notequalto><field>STATUS</field><value>active</value></notequalto>", ["900"]),
        ("<between><field>RECORDNO</field><value>2</value><value>3</value></between>", ["200", "210"]),
        ("<in><field>DEPARTMENTID</field><value>100</value><value>900</value></in>", ["100", "900"]),
        ("<notin><field>DEPARTMENTID</field><value>100</value></notin>", ["200", "210", "900"]),
        ("<like><field>TITLE</field><value>Sales%</value></like>", ["200", "210"]),
        ("<notlike><field>TITLE</field><value>Sales%</value></notlike>", ["100", "900"]),
        ("<isnull><field>PARENTID</field></isnull>", ["100", "200", "900"]),
        ("<isnotnull><field>PARENTID</field></isnotnull>", ["210"]),
        ("<lessthan><field>RECORDNO</field><value>2</value></lessthan>", ["100"]),
        (
            "<greaterthanorequalto><field>RECORDNO</field><value>3</value></greaterthanorequalto>",
            ["210", "900"],
        ),
        (
            "<and><equalto><field>STATUS</field><value>active</value></equalto>"
            "<or><equalto><field>DEPARTMENTID</field><value>100</value></equalto>"
            "<equalto><field>DEPARTMENTID</field><value>210</value></equalto></or></and>",
            ["100", "210"],
        ),
    ],
)
def test_query_filters(client: Client, filter_xml: str, expected: list[str]) -> None:
    assert ids(client.result(dept_query(filter_xml))) == expected


def test_case_insensitive_option(client: Client) -> None:
    filter_xml = "<equalto><field>TITLE</field><value>ENGINEERING</value></equalto>"
    assert ids(client.result(dept_query(filter_xml))) == []
    options = "<options><caseinsensitive>true</caseinsensitive></options>"
    assert ids(client.result(dept_query(filter_xml, options))) == ["100"]


def test_orderby_descending(client: Client) -> None:
    order = "<orderby><order><field>TITLE</field><descending/></order></orderby>"
    assert ids(client.result(dept_query(extra=order))) == ["210", "200", "900", "100"]


@pytest.mark.parametrize(
    "body",
    [
        dept_query("<and><equalto><field>STATUS</field><value>active</value></equalto></and>"),
        dept_query("<between><field>RECORDNO</field><value>1</value></between>"),
        dept_query("<equalto><field>COLOUR</field><value>red</value></equalto>"),
        "<query><object>DEPARTMENT</object><select><field>*</field></select></query>",
        "<query><object>DEPARTMENT</object></query>",
    ],
)
def test_invalid_queries_fail_the_function(client: Client, body: str) -> None:
    result = client.result(body)
    assert result.findtext("status") == "failure"
    assert result.findtext("errormessage/error/errorno") == "Query Failed"


def test_readbyquery_filters_and_selects_fields(client: Client) -> None:
    result = client.result(
        read_by_query("EMPLOYEE", "STATUS = 'active' AND DEPARTMENTID = '100'", "EMPLOYEEID,CONTACT.EMAIL1")
    )
    (employee,) = result.find("data")
    assert [(child.tag, child.text) for child in employee] == [
        ("EMPLOYEEID", "E001"),
        ("CONTACT.EMAIL1", "jane.smith@trelica-demo.example"),
    ]


def test_readbyquery_rejects_unknown_fields_and_bad_syntax(client: Client) -> None:
    for body in (read_by_query("DEPARTMENT", fields="NOPE"), read_by_query("DEPARTMENT", "STATUS='active'")):
        result = client.result(body)
        assert (result.findtext("status"), result.findtext("errormessage/error/errorno")) == (
            "failure",
            "Query Failed",
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "STATUS = 'F' AND ONETIME = 'T'" (developer.intacct.com/web-services/queries, boolean values).
        ("STATUS = 'T'", ["100", "200", "210"]),
        ("STATUS = 'F'", ["900"]),
        ("STATUS IN ('T', 'F')", ["100", "200", "210", "900"]),
        ("STATUS != 'T'", ["900"]),
        ("STATUS = 'active'", ["100", "200", "210"]),  # what the SDKs and fylein's client send
        ("STATUS like 'T%'", []),  # codes stand for whole values, not patterns
    ],
)
def test_readbyquery_takes_the_database_codes_of_status(
    client: Client, query: str, expected: list[str]
) -> None:
    assert ids(client.result(read_by_query("DEPARTMENT", query, "DEPARTMENTID"))) == expected


def test_readbyquery_takes_the_user_type_letters(client: Client) -> None:
    business = client.result(read_by_query("USERINFO", "USERTYPE = 'B'", "LOGINID"))
    assert ids(business, "LOGINID") == ["trelica_ws", "jsmith"]
    assert ids(client.result(read_by_query("USERINFO", "USERTYPE = 'E'", "LOGINID")), "LOGINID") == []


def test_query_filters_compare_labels_not_codes(client: Client) -> None:
    filter_xml = "<equalto><field>STATUS</field><value>T</value></equalto>"
    assert ids(client.result(dept_query(filter_xml))) == []


@pytest.fixture
def managed(intacct_simulator: StartSimulator) -> Client:
    simulator = intacct_simulator(DATA / "clients.toml")
    return Client(simulator.endpoint, simulator.primary_login).open()


def test_query_reaches_related_fields_in_select_filter_and_order(managed: Client) -> None:
    result = managed.result(
        "<query><object>EMPLOYEE</object><select><field>EMPLOYEEID</field><field>MANAGER.EMPLOYEEID</field>"
        "<field>LOCATION.NAME</field></select>"
        "<filter><equalto><field>MANAGER.EMPLOYEEID</field><value>E001</value></equalto></filter>"
        "<orderby><order><field>LOCATION.NAME</field></order></orderby></query>"
    )
    rows = [[(child.tag, child.text) for child in employee] for employee in result.find("data")]
    assert rows == [
        [("EMPLOYEEID", "E002"), ("MANAGER.EMPLOYEEID", "E001"), ("LOCATION.NAME", "United Kingdom")],
        [("EMPLOYEEID", "E003"), ("MANAGER.EMPLOYEEID", "E001"), ("LOCATION.NAME", "United States")],
    ]


@pytest.mark.parametrize(
    "body",
    [
        # readByQuery does no joins (developer.intacct.com/web-services/queries).
        read_by_query("EMPLOYEE", "MANAGER.EMPLOYEEID = 'E001'", "EMPLOYEEID"),
        read_by_query("EMPLOYEE", fields="MANAGER.EMPLOYEEID"),
        # One level only; and only the relationships the object has.
        "<query><object>EMPLOYEE</object><select><field>MANAGER.CONTACT.EMAIL1</field></select></query>",
        "<query><object>EMPLOYEE</object><select><field>VENDOR.NAME</field></select></query>",
        "<query><object>DEPARTMENT</object><select><field>MANAGER.EMPLOYEEID</field></select></query>",
    ],
)
def test_unsimulated_related_fields_fail_the_function(managed: Client, body: str) -> None:
    result = managed.result(body)
    assert (result.findtext("status"), result.findtext("errormessage/error/errorno")) == (
        "failure",
        "Query Failed",
    )
