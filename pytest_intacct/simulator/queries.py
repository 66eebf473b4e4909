"""Record selection: the readByQuery query-string grammar, ``query``'s XML filters, and ordering
(docs/gateway.md#paging, developer.intacct.com/web-services/queries).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

Row = Mapping[str, str]
Predicate = Callable[[Row], bool]

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>'(?:\\.|[^'\\])*')
      | (?P<op><=|>=|<>|!=|=|<|>)
      | (?P<lparen>\()|(?P<rparen>\))|(?P<comma>,)
      | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
      | (?P<word>[A-Za-z_][\w.]*)""",
    re.VERBOSE,
)
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


class QueryError(Exception):
    """The query cannot be parsed or names an unknown field."""


# --- typed comparison ----------------------------------------------------------------------------


def _typed(value: str) -> tuple[int, object]:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite():  # 'NaN' and 'Infinity' are words, not numbers
        return 0, number
    for pattern in _DATE_FORMATS:
        try:
            return 1, dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    return 2, value


def compare(left: str, right: str, case_insensitive: bool = False) -> int:
    """Numbers as numbers, ``MM/DD/YYYY[ HH:MM:SS]`` as dates, otherwise case-sensitive text
    (docs/gateway.md#paging)."""
    if case_insensitive:
        left, right = left.lower(), right.lower()
    (left_kind, left_value), (right_kind, right_value) = _typed(left), _typed(right)
    if left_kind != right_kind:
        left_value, right_value = left, right
    return (left_value > right_value) - (left_value < right_value)  # type: ignore[operator]


def like(value: str, pattern: str, case_insensitive: bool = False) -> bool:
    """SQL LIKE with ``%`` and ``_`` wildcards."""
    expression = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(expression, value, re.DOTALL | (re.IGNORECASE if case_insensitive else 0)) is not None


_COMPARISONS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def _comparison(field: str, test: Callable[[int], bool], literal: str, ci: bool = False) -> Predicate:
    # An empty field is NULL: every comparison with it is false, as in SQL.
    return lambda row: bool(row.get(field)) and test(compare(row[field], literal, ci))


def _membership(field: str, literals: list[str], negate: bool, ci: bool = False) -> Predicate:
    def check(row: Row) -> bool:
        value = row.get(field)
        if not value:
            return False
        return any(compare(value, literal, ci) == 0 for literal in literals) != negate

    return check


def _like(field: str, pattern: str, negate: bool, ci: bool = False) -> Predicate:
    return lambda row: bool(row.get(field)) and like(row[field], pattern, ci) != negate


def _null(field: str, negate: bool) -> Predicate:
    return lambda row: (not row.get(field)) != negate


# --- readByQuery query strings -------------------------------------------------------------------


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str, bool]] = []  # kind, text, preceded by whitespace
        position, spaced = 0, True
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                raise QueryError(
                    f"Invalid query: unexpected character {text[position]!r} at position {position}"
                )
            kind = match.lastgroup or ""
            if kind == "space":
                spaced = True
            else:
                self.items.append((kind, match.group(), spaced))
                spaced = False
            position = match.end()
        self.items.append(("end", "", True))
        self.index = 0

    def peek(self, offset: int = 0) -> tuple[str, str, bool]:
        return self.items[min(self.index + offset, len(self.items) - 1)]

    def take(self) -> tuple[str, str, bool]:
        item = self.peek()
        self.index += 1
        return item

    def keyword(self, *words: str) -> bool:
        kind, text, _ = self.peek()
        if kind == "word" and text.upper() in words:
            self.index += 1
            return True
        return False

    def expect(self, kind: str, what: str) -> str:
        found_kind, text, _ = self.take()
        if found_kind != kind:
            raise QueryError(f"Invalid query: expected {what}, found {text or 'end of query'!r}")
        return text


@dataclass(frozen=True)
class _Scope:
    """The fields a query may name, and the one-letter codes it may compare them with."""

    fields: Collection[str]
    codes: Mapping[str, Mapping[str, str]]

    def literal(self, field: str, value: str) -> str:
        return self.codes.get(field, {}).get(value, value)


def parse_where(
    text: str, fields: Collection[str], codes: Mapping[str, Mapping[str, str]] | None = None
) -> Predicate:
    """Compile a readByQuery ``<query>``; an empty query selects every record. ``codes`` maps a field's
    database codes to the values it holds (``STATUS = 'T'`` means active)."""
    if not text.strip():
        return lambda row: True
    tokens = _Tokens(text)
    predicate = _or(tokens, _Scope(fields, codes or {}))
    if tokens.peek()[0] != "end":
        raise QueryError(f"Invalid query: unexpected {tokens.peek()[1]!r}")
    return predicate


def _or(tokens: _Tokens, scope: _Scope) -> Predicate:
    parts = [_and(tokens, scope)]
    while tokens.keyword("OR"):
        parts.append(_and(tokens, scope))
    return parts[0] if len(parts) == 1 else (lambda row: any(part(row) for part in parts))


def _and(tokens: _Tokens, scope: _Scope) -> Predicate:
    parts = [_not(tokens, scope)]
    while tokens.keyword("AND"):
        parts.append(_not(tokens, scope))
    return parts[0] if len(parts) == 1 else (lambda row: all(part(row) for part in parts))


def _not(tokens: _Tokens, scope: _Scope) -> Predicate:
    if tokens.keyword("NOT"):
        inner = _not(tokens, scope)
        return lambda row: not inner(row)
    if tokens.peek()[0] == "lparen":
        tokens.take()
        inner = _or(tokens, scope)
        tokens.expect("rparen", "')'")
        return inner
    return _condition(tokens, scope)


def _literal(tokens: _Tokens) -> str:
    kind, text, _ = tokens.take()
    if kind == "string":
        return re.sub(r"\\(.)", r"\1", text[1:-1])  # 'Erin\'s Software' (docs/gateway.md#paging)
    if kind in ("number", "word"):
        return text
    raise QueryError(f"Invalid query: expected a value, found {text or 'end of query'!r}")


def check_field(name: str, fields: Collection[str]) -> str:
    field = name.upper()
    if field not in fields:
        raise QueryError(f"Invalid query: unknown field {name}")
    return field


def _condition(tokens: _Tokens, scope: _Scope) -> Predicate:
    field = check_field(tokens.expect("word", "a field name"), scope.fields)
    kind, text, spaced = tokens.peek()
    if kind == "op":
        tokens.take()
        # "The spaces before and after the operator are required" (docs/gateway.md#paging).
        if not spaced or not tokens.peek()[2]:
            raise QueryError(f"Invalid query: operator {text} needs a space on each side")
        return _comparison(field, _COMPARISONS[text], scope.literal(field, _literal(tokens)))
    negate = tokens.keyword("NOT")
    if tokens.keyword("LIKE"):
        return _like(field, _literal(tokens), negate)
    if tokens.keyword("IN"):
        tokens.expect("lparen", "'('")
        literals = [scope.literal(field, _literal(tokens))]
        while tokens.peek()[0] == "comma":
            tokens.take()
            literals.append(scope.literal(field, _literal(tokens)))
        tokens.expect("rparen", "')'")
        return _membership(field, literals, negate)
    if not negate and tokens.keyword("IS"):
        is_not = tokens.keyword("NOT")
        if not tokens.keyword("NULL"):
            raise QueryError("Invalid query: expected NULL after IS")
        return _null(field, is_not)
    raise QueryError(f"Invalid query: expected an operator after {field}, found {text or 'end of query'!r}")


# --- query filters (XML) -------------------------------------------------------------------------

_FILTER_OPERATORS = {
    "equalto": "=",
    "notequalto": "!=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
}


def parse_filter(element: etree._Element, fields: Collection[str], case_insensitive: bool) -> Predicate:
    """Compile ``<filter>``, which holds exactly one operator (developer.intacct.com/web-services/queries)."""
    operators = [child for child in element if isinstance(child.tag, str)]
    if len(operators) != 1:
        raise QueryError("filter must contain exactly one operator")
    return _operator(operators[0], fields, case_insensitive)


def _operator(element: etree._Element, fields: Collection[str], ci: bool) -> Predicate:
    tag = element.tag
    if tag in ("and", "or"):
        parts = [_operator(child, fields, ci) for child in element if isinstance(child.tag, str)]
        if len(parts) < 2:
            raise QueryError(f"{tag} needs at least two conditions")
        if tag == "and":
            return lambda row: all(part(row) for part in parts)
        return lambda row: any(part(row) for part in parts)
    names = [child.text or "" for child in element.iterfind("field")]
    if len(names) != 1:
        raise QueryError(f"{tag} needs exactly one field")
    field = check_field(names[0].strip(), fields)
    values = [child.text or "" for child in element.iterfind("value")]
    if tag in _FILTER_OPERATORS:
        _count(tag, values, 1, 1)
        return _comparison(field, _COMPARISONS[_FILTER_OPERATORS[tag]], values[0], ci)
    if tag == "between":
        _count(tag, values, 2, 2)
        low, high = values
        return lambda row: (
            bool(row.get(field)) and compare(low, row[field], ci) <= 0 <= compare(high, row[field], ci)
        )
    if tag in ("in", "notin"):
        _count(tag, values, 1, 1000)
        return _membership(field, values, tag == "notin", ci)
    if tag in ("like", "notlike"):
        _count(tag, values, 1, 1)
        return _like(field, values[0], tag == "notlike", ci)
    if tag in ("isnull", "isnotnull"):
        _count(tag, values, 0, 0)
        return _null(field, tag == "isnotnull")
    raise QueryError(f"unknown filter operator {tag}")


def _count(tag: str, values: list[str], low: int, high: int) -> None:
    if not low <= len(values) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise QueryError(f"{tag} takes {expected} value(s), got {len(values)}")


# --- ordering ------------------------------------------------------------------------------------


def order_rows(
    rows: list[dict[str, str]], keys: list[tuple[str, bool]], case_insensitive: bool = False
) -> list[dict[str, str]]:
    """Sort by ``(field, descending)`` keys; empty values sort last."""

    def order(left: Row, right: Row) -> int:
        for field, descending in keys:
            a, b = left.get(field, ""), right.get(field, "")
            if not a or not b:
                result = (not a) - (not b)
            else:
                result = compare(a, b, case_insensitive) * (-1 if descending else 1)
            if result:
                return result
        return 0

    return sorted(rows, key=functools.cmp_to_key(order))


def parse_orderby(element: etree._Element | None, fields: Collection[str]) -> list[tuple[str, bool]]:
    """``<orderby><order><field>X</field><descending/></order>...``; default RECORDNO ascending."""
    keys = []
    for order in [] if element is None else element.iterfind("order"):
        field = check_field((order.findtext("field") or "").strip(), fields)
        keys.append((field, order.find("descending") is not None))
    return keys or [("RECORDNO", False)]
