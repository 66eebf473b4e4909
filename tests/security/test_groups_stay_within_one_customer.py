"""Fleet groups stay within one customer: cross-environment requirements never judge one customer's
environments with another's (docs/security.md section 14, docs/fleet.md).
"""

from __future__ import annotations

import pytest

from pytest_intacct.results.homes import homes
from pytest_intacct.settings.fleet import FleetError, load_fleet
from tests.helpers.environments import write_fleet

pytestmark = pytest.mark.usefixtures("no_intacct_variables")


def test_an_entry_without_group_is_not_merged_into_a_group_of_the_same_name(tmp_path):
    """An ungrouped entry cannot silently join another customer's group that takes its name."""
    # An entry without group is a group of its own; another entry naming that group is ambiguous.
    path = write_fleet(
        tmp_path,
        '[[environment]]\nname = "acme"\ncompany = "acme"\n\n'
        '[[environment]]\nname = "initech-prod"\ngroup = "acme"\ncompany = "initech"\n',
    )
    with pytest.raises(
        FleetError, match="'acme': key 'group': missing, and 'initech-prod' names group 'acme'"
    ):
        load_fleet(path)


def test_an_ungrouped_entry_named_like_the_default_group_stays_out_of_plain_runs_home(tmp_path):
    """An entry named "default" stays a group of its own, out of a plain run's home."""
    # Held: "default" is the plain run's group (home "*"); as a fleet name it is still its own group.
    fleet = load_fleet(write_fleet(tmp_path, '[[environment]]\nname = "default"\ncompany = "acme"\n'))
    [home] = homes((e.name, e.group, "calance") for e in fleet.entries)
    assert home.members == ("default",)
