"""The REST query service (``POST /services/core/query``) over one object's records: fields by name (nested
ones as dotted paths), filters, a filter expression, ordering and ``start``/``size`` paging with
``ia::meta`` (Sage's common-resources OpenAPI; the exact body one independent client sends is in
docs/rest.md). A body the service would refuse raises :class:`QueryError`, answered as 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]
MAX_SIZE = 4000  # "size is at most 4000" (common-resources OpenAPI)
DEFAULT_SIZE = 100
BODY_KEYS = frozenset(
    {"object", "fields", "filters", "filterExpression", "filterParameters", "orderBy", "start", "size"}
)
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*")


class QueryError(Exception):
    """A query the service refuses; its text is the error's message."""


def flatten(record: Record, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted field names (``webServices.isRestricted``); an array is one field."""
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _text(value: Any, sensitive: bool) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return text if sensitive else text.casefold()


def _compare(op: str, left: Any, right: Any, sensitive: bool) -> bool:
    if op in ("$in", "$notIn"):
        if not isinstance(right, list):
            raise QueryError(f"{op} takes an array of values")
        found = _text(left, sensitive) in {_text(item, sensitive) for item in right}
        return found if op == "$in" else not found
    if op in ("$between", "$notBetween"):
        if not isinstance(right, list) or len(right) != 2:
            raise QueryError(f"{op} takes an array of two values")
        inside = _order(right[0], sensitive) <= _order(left, sensitive) <= _order(right[1], sensitive)
        return inside if op == "$between" else not inside
    if isinstance(right, list | dict):
        raise QueryError(f"{op} takes one value")
    a, b = _text(left, sensitive), _text(right, sensitive)
    tests: dict[str, Callable[[], bool]] = {
        "$eq": lambda: a == b,
        "$ne": lambda: a != b,
        "$contains": lambda: b in a,
        "$notContains": lambda: b not in a,
        "$startsWith": lambda: a.startswith(b),
        "$notStartsWith": lambda: not a.startswith(b),
        "$endsWith": lambda: a.endswith(b),
        "$notEndsWith": lambda: not a.endswith(b),
        "$lt": lambda: _order(left, sensitive) < _order(right, sensitive),
        "$lte": lambda: _order(left, sensitive) <= _order(right, sensitive),
        "$gt": lambda: _order(left, sensitive) > _order(right, sensitive),
        "$gte": lambda: _order(left, sensitive) >= _order(right, sensitive),
    }
    if op not in tests:
        raise QueryError(f"unknown filter operator {op!r}")
    return tests[op]()


def _order(value: Any, sensitive: bool = True) -> tuple[int, Any]:
    """A sort key that orders numbers as numbers and everything else as text, never comparing the two."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    text = _text(value, sensitive)
    return (0, int(text)) if text.isdigit() else (1, text)


def _expression(text: str | None, count: int) -> Callable[[Sequence[bool]], bool]:
    """``and``, ``or`` (or none: and) over every filter, or a numbered expression: ``1 and (2 or 3)``."""
    if text is None or text.strip() in ("", "and"):
        return all
    if text.strip() == "or":
        return any
    tokens = re.findall(r"\d+|and|or|\(|\)|\S", text.strip().lower())
    position = 0

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise QueryError(f"filterExpression {text!r} ends too early")
        position += 1
        return tokens[position - 1]

    def term() -> Callable[[Sequence[bool]], bool]:
        word = take()
        if word == "(":
            inner = disjunction()
            if take() != ")":
                raise QueryError(f"filterExpression {text!r}: a parenthesis is not closed")
            return inner
        if word.isdigit() and 1 <= int(word) <= count:
            index = int(word) - 1
            return lambda values: values[index]
        raise QueryError(f"filterExpression {text!r}: {word!r} is not a filter number from 1 to {count}")

    def conjunction() -> Callable[[Sequence[bool]], bool]:
        parts = [term()]
        while position < len(tokens) and tokens[position] == "and":
            take()
            parts.append(term())
        return lambda values: all(part(values) for part in parts)

    def disjunction() -> Callable[[Sequence[bool]], bool]:
        parts = [conjunction()]
        while position < len(tokens) and tokens[position] == "or":
            take()
            parts.append(conjunction())
        return lambda values: any(part(values) for part in parts)

    result = disjunction()
    if position != len(tokens):
        raise QueryError(f"filterExpression {text!r} is not an expression of filter numbers")
    return result


def _test(op: str, name: str, value: Any, sensitive: bool) -> Callable[[dict[str, Any]], bool]:
    def test(row: dict[str, Any]) -> bool:
        return _compare(op, row.get(name), value, sensitive)

    return test


def _sort_key(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(row: dict[str, Any]) -> tuple[int, Any]:
        return _order(row.get(name))

    return key


def run(records: Sequence[Record], body: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The page of rows the body asks for, and its ``ia::meta``."""
    unknown = sorted(set(body) - BODY_KEYS)
    if unknown:
        raise QueryError(f"unknown query key {unknown[0]!r}")
    fields = body.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise QueryError("fields must be a non-empty array of field names")
    flat = [flatten(record) for record in records]
    known = {"key", "id", "href"}.union(*(row.keys() for row in flat))

    def field(name: object) -> str:
        if not isinstance(name, str) or not _FIELD.fullmatch(name) or (flat and name not in known):
            raise QueryError(f"unknown field {name!r}")
        return name

    for name in fields:
        field(name)
    filters = body.get("filters") or []
    parameters = body.get("filterParameters") or {}
    if not isinstance(filters, list) or not isinstance(parameters, dict):
        raise QueryError("filters must be an array and filterParameters an object")
    sensitive = parameters.get("caseSensitiveComparison", True) is not False
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for item in filters:
        if not isinstance(item, dict) or len(item) != 1:
            raise QueryError("each filter is an object with one operator, such as {'$eq': {'id': 'x'}}")
        ((op, operand),) = item.items()
        if not isinstance(operand, dict) or len(operand) != 1:
            raise QueryError(f"{op} takes one field and its value")
        ((name, value),) = operand.items()
        field(name)
        _compare(op, None, value, sensitive)  # refuses an unknown operator before any row is read
        tests.append(_test(op, name, value, sensitive))
    expression = body.get("filterExpression")
    if expression is not None and not isinstance(expression, str):
        raise QueryError("filterExpression must be a string or null")
    combine = _expression(expression, len(tests))
    matching = [row for row in flat if combine([test(row) for test in tests])]
    for item in reversed(body.get("orderBy") or []):
        if not isinstance(item, dict) or len(item) != 1:
            raise QueryError("each orderBy item is an object such as {'id': 'asc'}")
        ((name, direction),) = item.items()
        if direction not in ("asc", "desc"):
            raise QueryError(f"orderBy direction {direction!r} is not asc or desc")
        matching.sort(key=_sort_key(field(name)), reverse=direction == "desc")
    start, size = body.get("start", 1), body.get("size", DEFAULT_SIZE)
    if type(start) is not int or start < 1 or type(size) is not int or not 1 <= size <= MAX_SIZE:
        raise QueryError(f"start must be 1 or more and size from 1 to {MAX_SIZE}")
    page = matching[start - 1 : start - 1 + size]
    rows = [{name: row.get(name) for name in fields} for row in page]
    more = start - 1 + len(page) < len(matching)
    meta = {
        "totalCount": len(matching),
        "start": start,
        "pageSize": size,
        "next": start + len(page) if more else None,
        "previous": max(1, start - size) if start > 1 else None,
    }
    return rows, meta
