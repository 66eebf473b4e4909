"""Permissions: each module right the integration needs, declared and effective."""

import pytest

from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("permissions")


def test_permission(intacct_requirement):
    assert_requirement_met(intacct_requirement)
