"""Which company, as whom: the one record of an environment's identity.

Settings build it once; snapshots carry it; the report model shows it. It holds no secret. A report may
know less of an environment than a run does (a cross-environment home, a hand-built report): a field it
does not know is empty (``""``, or ``None`` for ``production``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_GROUP = "default"  # the one group of a run without a fleet
PRODUCTION_NAMES = frozenset({"prod", "production"})
# Where results of cross-environment requirements are kept: never an environment's name (results/homes.py).
ACROSS_ENVIRONMENTS = "*"
DEMO_PREFIX = "demo:"  # the embedded simulator's named logins: demo:LOGIN
# Names become file names (.env.NAME), variable prefixes and test ids: short, plain, never a home's "*".
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_RULE = "letters, digits, '.', '_' or '-' (1 to 64, starting with a letter or digit)"
MAX_SHARDS = 1000  # far more machines than any CI matrix runs
# K/N in the digits 0-9 only, as a CI matrix writes them
_SHARD = re.compile(r"\s*([0-9]{1,9})\s*/\s*([0-9]{1,9})\s*")


@dataclass(frozen=True)
class Identity:
    """An environment: its name and group, the company and endpoint it reads, the user and sender it
    signs in as, and whether it is a production company."""

    name: str
    company_id: str = ""
    user_id: str = ""
    sender_id: str = ""
    endpoint: str = ""
    production: bool | None = None
    group: str = DEFAULT_GROUP

    @property
    def kind(self) -> str:
        """``production``, ``test``, or ``""`` when not known."""
        return {True: "production", False: "test", None: ""}[self.production]

    def variable(self, key: str) -> str:
        """The process variable that sets ``key`` for this environment (see :func:`env_var_name`)."""
        return env_var_name(self.name, key)


def is_plain_name(name: str) -> bool:
    """Whether ``name`` may name a group, or an environment outside the demo (see :data:`NAME_RULE`)."""
    return bool(_NAME.fullmatch(name))


def is_environment_name(name: str) -> bool:
    """Whether ``name`` may name an environment: a plain name, or ``demo:`` and one."""
    return is_plain_name(name.removeprefix(DEMO_PREFIX))


def env_var_name(environment: str, key: str) -> str:
    """``INTACCT_<NAME>_<KEY>``: ``prod-eu`` + ``INTACCT_USER_ID`` gives ``INTACCT_PROD_EU_USER_ID``."""
    name = re.sub(r"[^A-Za-z0-9]", "_", environment).upper()
    return f"INTACCT_{name}_{key.removeprefix('INTACCT_')}"


def looks_like_production(name: str) -> bool:
    """Whether a name says production: ``prod``, ``PROD_US``, ``eu-production-2`` do, ``sandbox`` does not."""
    return any(word in PRODUCTION_NAMES for word in re.split(r"[^a-z0-9]+", name.lower()))


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (from 1): the groups whose names hash to it, with all their
    environments (:func:`group_slot`), so a customer's environments are always checked together."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count <= MAX_SHARDS:
            limits = f"1 <= K <= N <= {MAX_SHARDS}"
            raise ValueError(f"a shard is K/N with {limits}, not {self.index}/{self.count}")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"``; ValueError for anything else."""
        found = _SHARD.fullmatch(text)
        if not found:
            raise ValueError(f"a shard is K/N (e.g. 2/4), not {text!r}")
        return cls(int(found[1]), int(found[2]))

    def holds(self, group: str) -> bool:
        """Whether the group's environments are this shard's."""
        return group_slot(group, self.count) == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class ShardOf:
    """A shard and the selection it was cut from: how many environments the selection holds, and a digest
    of its (group, name) pairs that every shard of the same selection shares (the merge checks it)."""

    shard: Shard
    environments: int
    selection: str  # "sha256:" and the hex digest

    @classmethod
    def cut(cls, shard: Shard, selection: Iterable[tuple[str, str]]) -> ShardOf:
        pairs = sorted(set(selection))
        text = "\n".join(f"{group}\t{name}" for group, name in pairs)
        return cls(shard, len(pairs), "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest())


def group_slot(group: str, slots: int) -> int:
    """Which of ``slots`` (from 0) a group falls in: a hash of its name, so the same on every machine and
    every night, whatever else the fleet holds (shards, and pytest-xdist's groups of work)."""
    digest = hashlib.sha256(group.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % slots
