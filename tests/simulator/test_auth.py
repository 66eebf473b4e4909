"""Authentication in the real order: sender, company, sender authorization, subscription, IP filter, user."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from pytest_intacct.simulator import ScenarioLogin, Simulator

from .conftest import StartSimulator
from .gateway_client import Client, envelope, function, login_request, post, xml

WriteScenario = Callable[..., Path]
GET_SESSION = [function("<getAPISession/>")]


def sign_in(simulator: Simulator, login: ScenarioLogin | None = None) -> requests.Response:
    return post(simulator.endpoint, login_request(login or simulator.primary_login, GET_SESSION))


def assert_generic_sign_in_failure(response: requests.Response) -> None:
    """The undocumented refusals look exactly like a bad password by default."""
    __tracebackhide__ = True
    assert response.status_code == 401
    root = xml(response)
    assert [child.tag for child in root.find("control")] == ["status"]
    assert root.findtext("errormessage/error/errorno") == "XMLGW_JPP0002"


def auth_error(response: requests.Response) -> tuple[str, str, str]:
    root = xml(response)
    assert response.status_code == 200
    assert root.findtext("control/status") == "success"
    assert root.findtext("operation/authentication/status") == "failure"
    assert root.find("operation/result") is None
    error = root.find("operation/errormessage/error")
    return error.findtext("errorno"), error.findtext("description"), error.findtext("description2")


def descriptive(write_scenario: WriteScenario, base: str) -> Path:
    return write_scenario(f'extends = "{base}"\n[gateway]\ndescriptive_errors = true\n')


def test_a_ready_company_signs_in(trelica: Simulator) -> None:
    root = xml(sign_in(trelica))
    assert root.findtext("operation/authentication/status") == "success"
    assert root.find("operation/authentication/sessionid") is None  # never in the authentication block


def test_sender_credentials_are_checked_before_the_company(trelica: Simulator) -> None:
    login = dataclasses.replace(trelica.primary_login, sender_password="wrong", company_id="NO-SUCH-CO")
    root = xml(sign_in(trelica, login))
    assert root.findtext("control/status") == "failure"
    assert root.findtext("errormessage/error/description2") == "Incorrect Intacct XML Partner ID or password."


def test_unknown_company_is_a_400_invalid_request(trelica: Simulator) -> None:
    response = sign_in(trelica, dataclasses.replace(trelica.primary_login, company_id="NO-SUCH-CO"))
    assert response.status_code == 400
    assert response.headers["Content-Type"] == 'text/xml; encoding="UTF-8"'
    root = xml(response)
    assert (root.findtext("errormessage/error/errorno"), root.findtext("errormessage/error/description")) == (
        "invalidRequest",
        "Invalid Request",
    )


def test_unknown_sender_is_a_control_failure(trelica: Simulator) -> None:
    root = xml(sign_in(trelica, dataclasses.replace(trelica.primary_login, sender_id="SOMEONE")))
    assert root.findtext("errormessage/error/errorno") == "XL03000006"


def test_sender_authorization_is_checked_before_the_user(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("sender-not-authorized")
    response = sign_in(simulator, dataclasses.replace(simulator.primary_login, user_password="wrong"))
    assert auth_error(response)[1] == "Invalid Web Services Authorization"


def test_an_inactive_authorization_does_not_authorize(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[companies.TRELICA-DEMO]\n'
        'authorized_senders = { TrelicaMPP = "inactive" }\n'
    )
    assert auth_error(sign_in(intacct_simulator(path)))[1] == "Invalid Web Services Authorization"


@pytest.mark.parametrize("scenario", ["ip-blocked", "user-inactive"])
def test_undocumented_refusals_look_like_a_bad_password(
    intacct_simulator: StartSimulator, scenario: str
) -> None:
    assert_generic_sign_in_failure(sign_in(intacct_simulator(scenario)))


def test_no_web_services_subscription_looks_like_a_bad_password(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario('extends = "trelica-ready"\n[companies.TRELICA-DEMO]\nweb_services = false\n')
    assert_generic_sign_in_failure(sign_in(intacct_simulator(path)))


def test_locked_out_user_looks_like_a_bad_password(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        'extends = "trelica-ready"\n[companies.TRELICA-DEMO.users.trelica_ws]\nstatus = "lockedout"\n'
    )
    assert_generic_sign_in_failure(sign_in(intacct_simulator(path)))


@pytest.mark.parametrize(
    ("base", "text"),
    [
        ("ip-blocked", "Sign-in from IP address '127.0.0.1' is not allowed for company ID 'TRELICA-DEMO'."),
        ("user-inactive", "User ID 'trelica_ws' is inactive."),
    ],
)
def test_descriptive_errors_are_an_opt_in(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario, base: str, text: str
) -> None:
    simulator = intacct_simulator(descriptive(write_scenario, base))
    assert auth_error(sign_in(simulator)) == ("XL03000006", "Sign-in failed", text)


def test_loopback_counts_as_127_0_0_1_in_the_ip_filter(
    intacct_simulator: StartSimulator, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        'extends = "ip-blocked"\n[companies.TRELICA-DEMO.ip_filter]\nallowed = ["127.0.0.0/8"]\n'
    )
    assert xml(sign_in(intacct_simulator(path))).findtext("operation/authentication/status") == "success"


def test_company_and_user_ids_match_case_insensitively(trelica: Simulator) -> None:
    login = dataclasses.replace(trelica.primary_login, company_id="trelica-demo", user_id="TRELICA_WS")
    root = xml(sign_in(trelica, login))
    assert root.findtext("operation/authentication/userid") == "trelica_ws"


def test_unknown_entity_is_refused(trelica: Simulator) -> None:
    assert_generic_sign_in_failure(
        sign_in(trelica, dataclasses.replace(trelica.primary_login, entity_id="MARS"))
    )


def test_both_calance_logins_work_and_are_not_interchangeable(intacct_simulator: StartSimulator) -> None:
    simulator = intacct_simulator("calance-ready")
    test, production = simulator.logins["test"], simulator.logins["production"]
    for login in (test, production):
        assert (
            xml(sign_in(simulator, login)).findtext("operation/authentication/companyid") == login.company_id
        )
    assert_generic_sign_in_failure(
        sign_in(simulator, dataclasses.replace(production, user_password=test.user_password))
    )


def test_session_requests_recheck_the_sender(trelica: Simulator) -> None:
    client = Client(trelica.endpoint, trelica.primary_login).open()
    body = envelope(
        client.login.sender_id, "wrong", f"<sessionid>{client.session_id}</sessionid>", GET_SESSION
    )
    assert xml(post(client.endpoint, body)).findtext("control/status") == "failure"
