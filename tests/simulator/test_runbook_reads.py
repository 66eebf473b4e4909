"""What the runbook kinds read, served as the public pages show it: a company's subscriptions
(``get_applications``) and a user's entity restrictions (``USERINFO.USERLOCATIONS``)."""

from __future__ import annotations

import pytest

from pytest_intacct.simulator import ScenarioError, Simulator, load_scenario

from .conftest import StartSimulator
from .gateway_client import Client


def test_get_applications_lists_the_company_s_subscription_codes(intacct_simulator: StartSimulator) -> None:
    simulator: Simulator = intacct_simulator("expensify-ready")
    result = Client(simulator.endpoint, simulator.primary_login).open().result("<get_applications/>")
    assert result.findtext("status") == "success"
    data = result.find("data")
    assert dict(data.attrib) == {}  # as on developer.intacct.com: <data><application>CO</application>...
    assert [el.text for el in data] == ["CO", "CM", "GL", "AP", "EE", "PA"]
    (entry,) = [e for e in simulator.journal.entries if "get_applications" in e.functions]
    assert (entry.outcome, entry.write) == ("success", False)


def test_a_company_that_names_no_subscriptions_has_the_documented_example(trelica: Simulator) -> None:
    result = Client(trelica.endpoint, trelica.primary_login).open().result("<get_applications/>")
    assert [el.text for el in result.find("data")] == ["CO", "CM", "GL", "AP"]


def test_user_locations_are_written_nested_as_create_takes_them(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("brex-ready")
    client = Client(simulator.endpoint, simulator.primary_login).open()
    result = client.result(
        "<readByName><object>USERINFO</object><keys>brex_ws</keys><fields>*</fields></readByName>"
    )
    locations = result.find("data/USERINFO/USERLOCATIONS")
    assert [(el.tag, el.text) for el in locations] == [("LOCATIONID", "US"), ("LOCATIONID", "UK")]


def test_an_unrestricted_user_has_empty_user_locations(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    result = client.result(
        "<readByName><object>USERINFO</object><keys>trelica_ws</keys><fields>USERLOCATIONS</fields></readByName>"
    )
    locations = result.find("data/USERINFO/USERLOCATIONS")
    assert locations is not None
    assert len(locations) == 0


def test_a_user_restricted_to_an_entity_the_company_lacks_is_refused(write_scenario) -> None:
    path = write_scenario(
        'extends = "brex-ready"\n[companies.BREX-DEMO.users.brex_ws]\nentities = ["US", "FR"]\n'
    )
    with pytest.raises(ScenarioError, match=r":3: key .*brex_ws\.entities\.\[1\]: no entity 'FR'"):
        load_scenario(path)
