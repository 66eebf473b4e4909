"""Evidence packs: a run's snapshots written to a file, and read back to judge a profile offline.

``--intacct-record=PATH`` writes what every environment was judged on (redacted, versioned);
``--intacct-replay=PATH`` re-evaluates a profile from such a file with no network and no credentials,
giving the outcomes the recorded run gave. Shape::

    {"format": "pytest-intacct-evidence", "version": 3, "generated_at": "...Z", "plugin_version": "...",
     "profile": {"name": "trelica", "path": "..."}, "snapshots": [<Snapshot.to_dict()>, ...]}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_intacct import __version__
from pytest_intacct.evidence.snapshot import Snapshot
from pytest_intacct.identity import NAME_RULE, is_environment_name
from pytest_intacct.profiles import Profile
from pytest_intacct.safety.files import InputFileError, read_input, write_text
from pytest_intacct.safety.limits import MAX_DATA_FILE_BYTES
from pytest_intacct.safety.redaction import redact_values
from pytest_intacct.safety.text import outside_text

PACK_FORMAT = "pytest-intacct-evidence"
# 3: snapshots of format 3 (the REST API's token and readings); 2: each reading names the login that
# read it. Older packs stay readable: their snapshots simply have no REST readings.
PACK_VERSION = 3
READABLE_PACK_VERSIONS = (1, 2, 3)
_UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class PackError(ValueError):
    """An evidence pack that cannot be replayed; the message names the file."""


@dataclass(frozen=True)
class EvidencePack:
    """What a recorded run read: its profile's name and file, and one snapshot per environment."""

    profile_name: str
    profile_path: str
    snapshots: tuple[Snapshot, ...]
    recorded_at: str = ""

    def describe(self, path: str) -> str:
        """What every report of a replay says about it (a pack is evidence, not proof it is untouched)."""
        return f"replay of evidence pack {path}, recorded {self.recorded_at or 'at an unknown time'}"

    def select(self, names: Sequence[str] = ()) -> list[Snapshot]:
        """The recorded snapshots (all, or those of ``names``, in that order); ValueError for a name the
        pack does not hold."""
        recorded = {snapshot.environment: snapshot for snapshot in self.snapshots}
        unknown = [name for name in names if name not in recorded]
        if unknown:
            raise PackError(
                f"the evidence pack holds no environment {', '.join(map(repr, unknown))}; "
                f"it holds {', '.join(map(repr, recorded))}"
            )
        return [recorded[name] for name in (names or recorded)]


def record(path: str | os.PathLike[str], profile: Profile, snapshots: Sequence[Snapshot]) -> None:
    """Write ``snapshots`` as an evidence pack; every known secret is blanked on the way out."""
    document = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "plugin_version": __version__,
        "profile": {"name": profile.name, "path": str(profile.path)},
        "snapshots": [snapshot.to_dict() for snapshot in snapshots],
    }
    text = json.dumps(redact_values(document), indent=2, ensure_ascii=False, allow_nan=False)
    write_text(path, text + "\n")


def load_pack(path: str | os.PathLike[str]) -> EvidencePack:
    """Read an evidence pack; :class:`PackError` naming the file for anything else."""
    where = f"--intacct-replay={path}"
    try:
        document = json.loads(read_input("--intacct-replay", Path(path), MAX_DATA_FILE_BYTES))
    except InputFileError as exc:
        raise PackError(f"{where}: cannot read the file ({exc.reason})") from None
    except (ValueError, RecursionError) as exc:
        raise PackError(f"{where}: not JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != PACK_FORMAT:
        raise PackError(f"{where}: not an evidence pack written by --intacct-record")
    version = document.get("version")
    if type(version) is not int or version not in READABLE_PACK_VERSIONS:
        readable = ", ".join(map(str, READABLE_PACK_VERSIONS[:-1])) + f" and {READABLE_PACK_VERSIONS[-1]}"
        raise PackError(f"{where}: evidence pack version {version!r}; this plugin reads {readable}")
    try:
        profile = _mapping(document["profile"])
        snapshots = tuple(Snapshot.from_dict(_mapping(item)) for item in document["snapshots"])
        recorded_at = document.get("generated_at", "")
        if not isinstance(recorded_at, str) or (recorded_at and not _UTC_TIME.fullmatch(recorded_at)):
            raise ValueError("generated_at is not a UTC time such as 2026-12-03T07:26:58Z")
        pack = EvidencePack(str(profile["name"]), str(profile["path"]), snapshots, recorded_at)
    except (KeyError, TypeError, ValueError) as exc:
        raise PackError(f"{where}: malformed evidence pack ({outside_text(exc, 300)})") from None
    if not snapshots:
        raise PackError(f"{where}: the evidence pack holds no environment")
    # What a pack names is judged by the rules live settings follow, before anything is judged.
    names = [snapshot.environment for snapshot in snapshots]
    for name in names:
        if not is_environment_name(name):
            raise PackError(f"{where}: environment {outside_text(name, 80)!r}: a name is {NAME_RULE}")
    if len(set(names)) < len(names):
        raise PackError(f"{where}: an environment is recorded twice")
    return pack


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {type(value).__name__}")
    return value
