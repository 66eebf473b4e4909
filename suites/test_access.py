"""Access: the company takes Web Services requests from the integration's sender and user."""

import pytest

from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("access")


def test_access(intacct_requirement):
    assert_requirement_met(intacct_requirement)
