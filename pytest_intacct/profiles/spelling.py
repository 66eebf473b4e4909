"""How names are compared: the one normal form of an Intacct label, and the near miss of a known name.

Labels match case-folded, whitespace-collapsed, with '&' and 'and' alike ("Time & Expenses" is "time and
expenses"): the API writes the UI's labels, whose exact case is undocumented (docs/gateway.md#permissions).
A near miss is a name one slip away from a known one (a letter missing, added, changed or two swapped:
``Departmens``, ``Veiw``, ``Compnay``, ``DEPARTMNT``), or very like it; anything further is unknown.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# How alike (difflib's ratio) a longer name must be to a known one to count as a near miss of it.
NEAR_RATIO = 0.85


def normalize(label: str) -> str:
    """A label's normal form: case-folded, whitespace collapsed, '&' read as 'and'."""
    label = label.casefold().replace("&", " and ")
    return re.sub(r"\s+", " ", label).strip()


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is a near miss of (never one it equals in normal form), or None."""
    wanted = normalize(name)
    best: tuple[float, str] | None = None
    for candidate in known:
        other = normalize(candidate)
        if other == wanted:
            return None
        slips = _slips(wanted, other)
        ratio = difflib.SequenceMatcher(None, wanted, other).ratio()
        if slips <= (1 if len(other) <= 5 else 2) or ratio >= NEAR_RATIO:
            score = ratio - slips
            if best is None or score > best[0]:
                best = (score, candidate)
    return best[1] if best else None


def _slips(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``, a swap of two neighbours counting as one (optimal string alignment)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]
