"""Set-up: what the company itself must hold for the integration (subscriptions, numbering, records)."""

import pytest

from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("setup")


def test_setup(intacct_requirement):
    assert_requirement_met(intacct_requirement)
