"""Scenario files: locate, read (``tomllib``), resolve ``extends``, deep-merge, validate.

A bad file raises :class:`ScenarioError` naming the file, the key and its line; ``tomllib`` reports lines
only for syntax errors, so :func:`find_line` finds a key's line by scanning the text.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..safety.files import InputFileError, read_input
from ..safety.limits import MAX_CONFIG_FILE_BYTES
from .model import Scenario
from .schema import ModelError, build

SCENARIO_DIR = Path(__file__).parent / "scenarios"
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SYNTAX_LINE = re.compile(r"at line (\d+)")


class ScenarioError(Exception):
    """A scenario cannot be loaded; the message names the file, the key and the line."""

    def __init__(self, message: str, file: str = "", key: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.file = file
        self.key = key
        self.line = line


@dataclass(frozen=True)
class _Source:
    path: Path
    text: str
    data: dict[str, Any]


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def load_scenario(source: Scenario | str | os.PathLike[str]) -> Scenario:
    """Load a shipped scenario by name (``"trelica-ready"``) or a scenario file by path.

    A :class:`Scenario` is returned as it is, so callers can take either.
    """
    if isinstance(source, Scenario):
        return source
    path = _resolve(source, None)
    chain = _chain(path, [])
    merged: dict[str, Any] = {}
    for item in chain:
        merged = merge(merged, item.data)
    try:
        return build(path.stem, str(path), merged)
    except ModelError as error:
        key = ".".join(_key_part(part) for part in error.path) or "(top level)"
        file, line = _locate(chain, error.path)
        raise ScenarioError(f"{file}:{line}: key {key}: {error.message}", str(file), key, line) from None


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: tables merge key by key, an empty table clears, arrays and scalars replace."""
    result = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and value and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def _resolve(source: str | os.PathLike[str], relative_to: Path | None) -> Path:
    text = os.fspath(source)
    looks_like_path = (
        isinstance(source, os.PathLike) or text.endswith(".toml") or "/" in text or os.sep in text
    )
    if looks_like_path:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if not path.is_file():
            raise ScenarioError(f"{path}: scenario file not found", str(path))
        return path
    if relative_to is not None and (relative_to / f"{text}.toml").is_file():
        return relative_to / f"{text}.toml"
    path = SCENARIO_DIR / f"{text}.toml"
    if not path.is_file():
        known = ", ".join(available_scenarios())
        raise ScenarioError(f"unknown scenario {text!r} (shipped scenarios: {known}; or pass a .toml path)")
    return path


def _chain(path: Path, seen: list[Path]) -> list[_Source]:
    """The file and its ``extends`` ancestors, base first."""
    if path.resolve() in seen:
        raise ScenarioError(f"{path}:1: key extends: circular extends", str(path), "extends", 1)
    try:
        text = read_input("scenario", path, MAX_CONFIG_FILE_BYTES)
    except InputFileError as error:
        raise ScenarioError(f"{path}:1: {error.reason}", str(path), "", 1) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _SYNTAX_LINE.search(str(error))
        line = int(match.group(1)) if match else 0
        raise ScenarioError(f"{path}:{line}: TOML syntax error: {error}", str(path), "", line) from None
    except RecursionError:
        raise ScenarioError(f"{path}:1: TOML nested too deeply to read", str(path), "", 1) from None
    source = _Source(path, text, data)
    parents = data.get("extends")
    if parents is None:
        return [source]
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not parents or not all(isinstance(p, str) for p in parents):
        line = find_line(text, ("extends",))[0]
        raise ScenarioError(
            f"{path}:{line}: key extends: expected a scenario name or path, or a list of them",
            str(path),
            "extends",
            line,
        )
    chain: list[_Source] = []
    for parent in parents:
        try:
            base = _resolve(parent, path.parent)
        except ScenarioError as error:
            line = find_line(text, ("extends",))[0]
            raise ScenarioError(f"{path}:{line}: key extends: {error}", str(path), "extends", line) from None
        # Several parents sharing an ancestor merge it once, where it first comes (base first).
        known = {ancestor.path.resolve() for ancestor in chain}
        chain += [
            ancestor
            for ancestor in _chain(base, [*seen, path.resolve()])
            if ancestor.path.resolve() not in known
        ]
    return [*chain, source]


def _key_part(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return part if _BARE.fullmatch(part) else f'"{part}"'


def _locate(chain: list[_Source], path: tuple[str | int, ...]) -> tuple[Path, int]:
    """The file (most specific first) whose text holds the deepest part of ``path``, and that line."""
    best = (chain[-1].path, 1, -1)
    for source in reversed(chain):
        line, depth = find_line(source.text, path)
        if depth > best[2]:
            best = (source.path, line, depth)
    return best[0], best[1]


# --- a small TOML line scanner -------------------------------------------------------------------


def _parse_key(text: str, index: int) -> tuple[list[str], int] | None:
    """Parse a dotted key starting at ``index``; return the parts and the index after it."""
    parts = []
    while True:
        while index < len(text) and text[index] in " \t":
            index += 1
        if index >= len(text):
            return None
        if text[index] in "\"'":
            quote = text[index]
            end = index + 1
            while end < len(text) and text[end] != quote:
                end += 2 if quote == '"' and text[end] == "\\" else 1
            if end >= len(text):
                return None
            parts.append(text[index + 1 : end].replace('\\"', '"').replace("\\\\", "\\"))
            index = end + 1
        else:
            match = _BARE.match(text, index)
            if not match:
                return None
            parts.append(match.group())
            index = match.end()
        while index < len(text) and text[index] in " \t":
            index += 1
        if index < len(text) and text[index] == ".":
            index += 1
            continue
        return parts, index


def _code(line: str) -> str:
    """The line without string contents and comment, to count brackets."""
    out, quote, index = [], "", 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _mentions(line: str, key: str) -> bool:
    quoted = re.escape(key)
    return re.search(rf"(^|[\s{{,]){quoted}\s*=|[\"']{quoted}[\"']\s*=", line) is not None


def find_line(text: str, path: tuple[str | int, ...]) -> tuple[int, int]:
    """Line of the deepest prefix of ``path`` defined in ``text``, and how many parts matched."""
    target = list(path)
    best = (1, 0)
    header: list[str | int] = []
    arrays: dict[tuple[str | int, ...], int] = {}
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        stripped = line.strip()
        number += 1
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            is_array = stripped.startswith("[[")
            parsed = _parse_key(stripped, 2 if is_array else 1)
            if parsed is None:
                continue
            header = _header_path(parsed[0], arrays, is_array)
            depth = _common(header, target)
            if depth == len(header) and depth > best[1]:
                best = (number, depth)
            continue
        parsed = _parse_key(stripped, 0)
        if parsed is None or parsed[1] >= len(stripped) or stripped[parsed[1]] != "=":
            continue
        full = [*header, *parsed[0]]
        depth = _common(full, target)
        # A value spanning several lines (array or inline table) is scanned for the remaining keys.
        extent = [stripped[parsed[1] + 1 :]]
        balance = _balance(extent[0])
        while balance > 0 and number < len(lines):
            extent.append(lines[number])
            balance += _balance(lines[number])
            number += 1
        if depth != len(full) or depth <= best[1] - 1:
            continue
        found = (number - len(extent) + 1, depth)
        offset = 0
        for part in target[depth:]:
            if isinstance(part, int):
                depth += 1
                found = (found[0], depth)
                continue
            for position in range(offset, len(extent)):
                if _mentions(extent[position], part):
                    offset, depth = position, depth + 1
                    found = (number - len(extent) + 1 + position, depth)
                    break
            else:
                break
        if found[1] > best[1]:
            best = found
    return best


def _balance(line: str) -> int:
    code = _code(line)
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def _header_path(
    keys: list[str], arrays: dict[tuple[str | int, ...], int], is_array: bool
) -> list[str | int]:
    resolved: list[str | int] = []
    for position, key in enumerate(keys):
        resolved.append(key)
        last = position == len(keys) - 1
        if last and is_array:
            arrays[tuple(resolved)] = arrays.get(tuple(resolved), -1) + 1
        if tuple(resolved) in arrays:
            resolved.append(arrays[tuple(resolved)])
    return resolved


def _common(left: list[str | int], right: list[str | int]) -> int:
    depth = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        depth += 1
    return depth
