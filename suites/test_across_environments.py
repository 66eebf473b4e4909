"""Across environments: what must hold between the environments of one run."""

import pytest

from pytest_intacct.plugin import assert_requirement_met

pytestmark = pytest.mark.intacct_area("across-environments")


def test_across_environments(intacct_requirement):
    assert_requirement_met(intacct_requirement)
