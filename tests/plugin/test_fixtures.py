"""The fixtures a user's own tests get: per-environment client and snapshot, and the simulator."""

from __future__ import annotations

USER_TESTS = """
import pytest
from lxml import etree

from pytest_intacct.client import WriteRefused
from pytest_intacct.client.functions import Function


def test_departments_are_readable(intacct_client):
    assert intacct_client.read_by_query("DEPARTMENT", fields=["DEPARTMENTID"])


def test_the_client_refuses_writes(intacct_client):
    create = Function("create", etree.fromstring("<create><DEPARTMENT/></create>"))
    with pytest.raises(WriteRefused):
        intacct_client.execute([create])


def test_the_snapshot_is_this_environments(intacct_snapshot, intacct_env):
    assert intacct_snapshot.environment == intacct_env.name
    assert intacct_snapshot.sign_in.ok
    assert intacct_snapshot.production is (intacct_env.name == "demo:production")
"""


def test_user_tests_run_once_per_environment(pytester):
    pytester.makepyfile(test_mine=USER_TESTS)
    result = pytester.runpytest(
        "test_mine.py", "--intacct-env=demo:test,demo:production", "--intacct-scenario=calance-ready", "-v"
    )
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(
        [
            "*test_departments_are_readable[[]demo:test[]] PASSED*",
            "*test_departments_are_readable[[]demo:production[]] PASSED*",
        ]
    )


def test_the_simulator_fixture_rehearses_a_scenario(pytester):
    pytester.makepyfile(
        """
        import pytest
        from pytest_intacct.client import Credentials, ErrorKind, FunctionFailed, IntacctClient
        from pytest_intacct.safety.redaction import Secret


        def test_missing_adjustments(intacct_simulator):
            sim = intacct_simulator("missing-permissions")
            login = sim.primary_login
            client = IntacctClient(Credentials(
                login.sender_id, Secret(login.sender_password), login.company_id,
                login.user_id, Secret(login.user_password), sim.endpoint,
            ))
            with pytest.raises(FunctionFailed) as info:
                client.read_by_query("APADJUSTMENT")
            assert info.value.kind is ErrorKind.PERMISSION_DENIED
            functions = [entry.functions for entry in sim.journal.entries]
            assert functions == [("getAPISession",), ("readByQuery",)]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
