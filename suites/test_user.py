"""User: the Web Services user is set up as the runbook prescribes."""

import pytest

from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("user")


def test_user(intacct_requirement):
    assert_requirement_met(intacct_requirement)
