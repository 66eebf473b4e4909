"""Paging: readByQuery + readMore by resultId (pagesize 1-1000), query by offset (pagesize 1-2000)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pytest_intacct.simulator import Simulator

from .conftest import StartSimulator
from .gateway_client import Client, read_by_query

WriteScenario = Callable[..., Path]
TOTAL = 250


@pytest.fixture
def many(intacct_simulator: StartSimulator, write_scenario: WriteScenario) -> Client:
    rows = "".join(
        f'[[records.DEPARTMENT]]\nRECORDNO = {n}\nDEPARTMENTID = "D{n:03}"\n'
        f'TITLE = "Dept {n}"\nSTATUS = "active"\n'
        for n in range(1, TOTAL + 1)
    )
    simulator: Simulator = intacct_simulator(write_scenario(f'extends = "trelica-ready"\n{rows}'))
    return Client(simulator.endpoint, simulator.primary_login).open()


def data(result: etree._Element) -> dict[str, str]:
    assert result.findtext("status") == "success", etree.tostring(result)
    return dict(result.find("data").attrib)


def query(pagesize: int | None = None, offset: int | None = None) -> str:
    size = "" if pagesize is None else f"<pagesize>{pagesize}</pagesize>"
    start = "" if offset is None else f"<offset>{offset}</offset>"
    return (
        f"<query><object>DEPARTMENT</object><select><field>DEPARTMENTID</field></select>{size}{start}</query>"
    )


def test_readbyquery_pages_with_the_default_size_and_readmore_continues(many: Client) -> None:
    first = many.result(read_by_query("DEPARTMENT", fields="DEPARTMENTID"))
    attributes = data(first)
    assert (attributes["count"], attributes["totalcount"], attributes["numremaining"]) == (
        "100",
        "250",
        "150",
    )
    assert [child.tag for child in first.find("data")][:1] == ["department"]
    result_id = attributes["resultId"]
    seen = [e.text for e in first.iter("DEPARTMENTID")]
    for remaining in ("50", "0"):
        more = many.result(f"<readMore><resultId>{result_id}</resultId></readMore>")
        assert data(more)["numremaining"] == remaining
        assert data(more)["resultId"] == result_id
        seen += [e.text for e in more.iter("DEPARTMENTID")]
    assert seen == [f"D{n:03}" for n in range(1, TOTAL + 1)]
    exhausted = many.result(f"<readMore><resultId>{result_id}</resultId></readMore>")
    assert exhausted.findtext("status") == "failure"


def test_readmore_by_object_continues_the_latest_query(many: Client) -> None:
    data(many.result(read_by_query("DEPARTMENT", fields="DEPARTMENTID", pagesize=200)))
    more = many.result("<readMore><object>DEPARTMENT</object></readMore>")
    assert data(more)["count"] == "50"


def test_a_query_that_fits_on_one_page_has_an_empty_result_id(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    attributes = data(client.result(read_by_query("DEPARTMENT")))
    assert attributes == {
        "listtype": "department",
        "count": "4",
        "totalcount": "4",
        "numremaining": "0",
        "resultId": "",
    }


@pytest.mark.parametrize(
    ("pagesize", "ok"), [(1, True), (1000, True), (0, False), (1001, False), ("ten", False)]
)
def test_readbyquery_pagesize_bounds(many: Client, pagesize: object, ok: bool) -> None:
    result = many.result(read_by_query("DEPARTMENT", fields="RECORDNO", pagesize=pagesize))  # type: ignore[arg-type]
    assert (result.findtext("status") == "success") is ok
    if ok:
        assert data(result)["count"] == str(min(int(pagesize), TOTAL))  # type: ignore[call-overload]


@pytest.mark.parametrize(("pagesize", "ok"), [(1, True), (2000, True), (0, False), (2001, False)])
def test_query_pagesize_bounds(many: Client, pagesize: int, ok: bool) -> None:
    assert (many.result(query(pagesize)).findtext("status") == "success") is ok


def test_query_pages_by_offset(many: Client) -> None:
    assert data(many.result(query())) == {
        "listtype": "DEPARTMENT",
        "totalcount": "250",
        "offset": "0",
        "count": "100",
        "numremaining": "150",
    }
    last = many.result(query(100, 200))
    assert (data(last)["count"], data(last)["numremaining"]) == ("50", "0")
    assert next(e.text for e in last.iter("DEPARTMENTID")) == "D201"
    beyond = many.result(query(100, 300))
    assert (data(beyond)["count"], data(beyond)["numremaining"]) == ("0", "0")


def test_count_aggregate_for_a_cheap_total(many: Client) -> None:
    result = many.result("<query><object>DEPARTMENT</object><select><count>RECORDNO</count></select></query>")
    assert result.findtext("data/DEPARTMENT/COUNT.RECORDNO") == "250"
