"""Settings names that are almost right: ``INTACCT_ENDPIONT`` would silently leave the default endpoint in
place, and ``INTACCT_SENDR_PASSWORD`` make the password look missing. Each is matched to the nearest known
name (difflib). Only names are handled here, never values.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping

from pytest_intacct.identity import env_var_name

# How alike two names must be (difflib's ratio) for one to be suggested for the other.
CUTOFF = 0.6


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name``, if any is alike enough; the start they all share
    (``INTACCT_PROD_``) is left out of the likeness, or every name would look alike."""
    candidates = list(candidates)
    start = _shared_start([name, *candidates])
    rests = {candidate[start:]: candidate for candidate in candidates}
    found = difflib.get_close_matches(name[start:], list(rests), n=1, cutoff=CUTOFF)
    return rests[found[0]] if found else None


def _shared_start(texts: list[str]) -> int:
    """How many characters every text starts with (those of the first and last in sorted order)."""
    first, last = min(texts), max(texts)
    return next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))


def unknown_variables(
    names: Collection[str], variables: Iterable[str], keys: Collection[str]
) -> Mapping[str, tuple[str, str | None]]:
    """Process variables ``INTACCT_<NAME>_<KEY>`` of the selected environments ``names`` whose ``KEY`` is
    not one of ``keys``: variable -> (environment, the nearest variable it may have meant, or None).

    ``INTACCT_PROD_`` is also the start of ``INTACCT_PROD_EU_``: a variable that reads as a setting of
    another environment (``INTACCT_PROD_EU_USER_ID``), or as a mistyped one (``INTACCT_PROD_EU_ENDPIONT``),
    belongs to that environment, and is left alone unless it is selected too.
    """
    prefixes = {env_var_name(name, ""): name for name in names}
    found: dict[str, tuple[str, str | None]] = {}
    for variable in sorted(variables):
        prefix = max((p for p in prefixes if variable.startswith(p)), key=len, default=None)
        if prefix is None:
            continue
        own = [env_var_name(prefixes[prefix], key) for key in keys]
        if variable in own:
            continue
        others = _other_environments(variable, prefix, keys)
        if others is None:
            continue  # another environment's setting, exactly
        guess = nearest(variable, [*own, *others])
        if guess is None or guess in own:
            found[variable] = (prefixes[prefix], guess)
    return found


def _other_environments(variable: str, prefix: str, keys: Collection[str]) -> list[str] | None:
    """The settings of environments whose prefix is ``prefix`` and more name words that ``variable`` may be
    of; None when it is exactly one of them."""
    words = variable.removeprefix(prefix).split("_")
    candidates = []
    for cut in range(1, len(words)):
        longer = prefix + "_".join(words[:cut]) + "_"
        settings = [longer + key.removeprefix("INTACCT_") for key in keys]
        if variable in settings:
            return None
        candidates += settings
    return candidates
