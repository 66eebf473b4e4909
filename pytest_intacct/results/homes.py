"""Where cross-environment requirements are judged: within each group of one profile.

A group is one customer's environments (a fleet entry's ``group``); a run without a fleet is one group,
``default``. Each (group, profile) with environments gets one *home*, the pseudo-environment its
cross-environment results are keyed by (plain strings, so they travel through xdist and JSON):

- ``*`` for the default group when all its environments share one profile (a plain run, as always),
- ``*GROUP`` for a fleet group whose environments share one profile,
- ``*GROUP@PROFILE`` (``*@PROFILE`` in the default group) for each profile of a group that mixes profiles.

Environment names never start with ``*`` (see
:func:`pytest_intacct.settings.environments.parse_environment_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pytest_intacct.identity import ACROSS_ENVIRONMENTS, DEFAULT_GROUP


@dataclass(frozen=True)
class Home:
    """One group's environments of one profile, and the name their cross-environment results carry."""

    name: str
    group: str
    profile: str
    members: tuple[str, ...]


def is_home(name: str) -> bool:
    """Whether ``name`` keys cross-environment results rather than naming an environment."""
    return name.startswith(ACROSS_ENVIRONMENTS)


def homes(environments: Iterable[tuple[str, str, str]]) -> list[Home]:
    """The homes of ``(name, group, profile name)`` environments, in the order groups first appear."""
    partitions: dict[tuple[str, str], list[str]] = {}
    for name, group, profile in environments:
        partitions.setdefault((group, profile), []).append(name)
    profiles_of: dict[str, set[str]] = {}
    for group, profile in partitions:
        profiles_of.setdefault(group, set()).add(profile)
    found = []
    for (group, profile), members in partitions.items():
        name = ACROSS_ENVIRONMENTS if group == DEFAULT_GROUP else f"{ACROSS_ENVIRONMENTS}{group}"
        if len(profiles_of[group]) > 1:
            name = f"{ACROSS_ENVIRONMENTS}{'' if group == DEFAULT_GROUP else group}@{profile}"
        found.append(Home(name, group, profile, tuple(members)))
    return found


def label(name: str) -> str:
    """How reports name an environment or a home: ``across environments of acme (calance)``."""
    if not is_home(name):
        return name
    rest = name.removeprefix(ACROSS_ENVIRONMENTS)
    group, _, profile = rest.rpartition("@") if "@" in rest else (rest, "", "")
    return "across environments" + (f" of {group}" if group else "") + (f" ({profile})" if profile else "")
