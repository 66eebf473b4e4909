"""The parameter of a requirement's test: (environment or home, requirement), its id and its marks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from pytest_intacct.identity import ACROSS_ENVIRONMENTS
from pytest_intacct.profiles import AREAS, Requirement
from pytest_intacct.profiles.names import marker_name

NO_ENVIRONMENT = pytest.param(
    None,
    id="no-environment",
    marks=pytest.mark.skip(
        reason="no --intacct-env given: the acceptance suites need one (try --intacct-env=demo)"
    ),
)


# A test's parameter id at the end of its node id (``--dist loadgroup`` may add "@group" after it).
PARAM_ID = re.compile(r"\[([^\[\]]*)\](?:@[^\[\]]*)?$")


def param_id(name: str, requirement_id: str) -> str:
    """The pytest id of a requirement's test: ``prod-user-login``, ``sender-id-consistent`` (home ``*``)."""
    return requirement_id if name == ACROSS_ENVIRONMENTS else f"{name}-{requirement_id}"


def area_of(node: pytest.Item | pytest.Function) -> str | None:
    """The area a suite file declares with ``pytestmark = pytest.mark.intacct_area(...)``."""
    marker = node.get_closest_marker("intacct_area")
    return marker.args[0] if marker else None


def requirement_params(pairs: Iterable[tuple[str, Requirement]], area: str | None) -> list[Any]:
    """One parameter per (environment or home, requirement) of ``area`` (every area when None), marked
    with its area and severity so ``-m permissions`` and ``-m critical`` select them."""
    if area is not None and area not in AREAS:
        pytest.fail(f"intacct_area({area!r}): unknown area; areas: {', '.join(AREAS)}", pytrace=False)
    return [
        pytest.param(
            (name, requirement),
            id=param_id(name, requirement.id),
            marks=[
                getattr(pytest.mark, marker_name(requirement.area)),
                getattr(pytest.mark, requirement.severity),
            ],
        )
        for name, requirement in pairs
        if area in (None, requirement.area)
    ]


def requirement_of(item: pytest.Item) -> tuple[str, Requirement] | None:
    """The (environment or home, requirement) an item judges; None for a test of the user's own."""
    param = getattr(getattr(item, "callspec", None), "params", {}).get("intacct_requirement")
    return param if isinstance(param, tuple) else None
