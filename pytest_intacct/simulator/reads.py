"""Record-reading functions: readByQuery, readMore, query, read, readByName (docs/gateway.md#paging)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from lxml import etree

from .catalog import QUERY_CODES, ObjectType
from .context import (
    Failure,
    FunctionAnswer,
    RequestContext,
    bounded_int,
    require,
    resolve_object,
    rows_element,
    select_fields,
    text,
)
from .errors import processing_error, query_failed
from .queries import QueryError, compare, order_rows, parse_filter, parse_orderby, parse_where
from .wire import RequestFunction

_AGGREGATES = ("count", "sum", "avg", "min", "max")


def _xml_only(value: str) -> None:
    if value and value.lower() != "xml":
        raise Failure(processing_error(f"returnFormat '{value}' is not simulated; only xml is"))


def read_by_query(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Lower-case ``<department>`` elements and ``resultId`` paging, pagesize 1-1000
    (docs/gateway.md#paging)."""
    element = fn.element
    ot = resolve_object(text(element, "object"))
    require(ctx, ot, "READ_BY_QUERY", ot.read_rights)
    fields = select_fields(ctx, ot, text(element, "fields"))
    _xml_only(text(element, "returnFormat"))
    pagesize = bounded_int(text(element, "pagesize"), 100, 1, 1000, "pagesize")
    try:
        where = parse_where(element.findtext("query") or "", ctx.store.fields(ctx.company, ot), QUERY_CODES)
    except QueryError as error:
        raise Failure(query_failed(str(error))) from None
    rows = [row for row in ctx.store.rows(ctx.company, ot) if where(row)]
    page, rest = rows[:pagesize], rows[pagesize:]
    result_id = ""
    if rest:
        result_id = ctx.results.open(ctx.owner, ot.name, fields, rest, len(rows), pagesize).result_id
    data = rows_element(
        ot.name.lower(),
        page,
        fields,
        listtype=ot.name.lower(),
        count=len(page),
        totalcount=len(rows),
        numremaining=len(rest),
        resultId=result_id,
    )
    return FunctionAnswer(fn, data, object_name=ot.name)


def read_more(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Continue a readByQuery by ``resultId`` (or by ``object``); the last page keeps the same resultId."""
    result_id = text(fn.element, "resultId")
    if result_id:
        result_set = ctx.results.find(result_id, ctx.owner)
    else:
        result_set = ctx.results.latest(ctx.owner, resolve_object(text(fn.element, "object")).name)
    if result_set is None:
        # Assumption: the error for an unknown or exhausted resultId is undocumented (docs/simulator.md,
        # assumption 16).
        raise Failure(processing_error(f"Invalid resultId '{result_id}' or no more records to read"))
    page, remaining = ctx.results.next_page(result_set)
    data = rows_element(
        result_set.object_name.lower(),
        page,
        result_set.fields,
        listtype=result_set.object_name.lower(),
        count=len(page),
        totalcount=result_set.total,
        numremaining=remaining,
        resultId=result_set.result_id,
    )
    return FunctionAnswer(fn, data, object_name=result_set.object_name)


def query(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """The newer ``query``: select, filter, orderby, options, offset paging with pagesize 1-2000
    (developer.intacct.com/web-services/queries)."""
    element = fn.element
    ot = resolve_object(text(element, "object"))
    require(ctx, ot, "QUERY", ot.read_rights)
    # Related fields are reachable with the dot operator in query only; readByQuery does no joins
    # (developer.intacct.com/web-services/queries).
    available, all_rows = ctx.store.joined(ctx.company, ot)
    options = element.find("options")
    case_insensitive = options is not None and text(options, "caseinsensitive").lower() == "true"
    if options is not None:
        _xml_only(text(options, "returnformat"))
    pagesize = bounded_int(text(element, "pagesize"), 100, 1, 2000, "pagesize")
    offset = bounded_int(text(element, "offset"), 0, 0, 10**9, "offset")
    try:
        selection = _selection(element.find("select"), available)
        filter_element = element.find("filter")
        where = (
            (lambda row: True)
            if filter_element is None
            else parse_filter(filter_element, available, case_insensitive)
        )
        order = parse_orderby(element.find("orderby"), available)
    except QueryError as error:
        raise Failure(query_failed(str(error))) from None
    rows = order_rows([row for row in all_rows if where(row)], order, case_insensitive)
    if any(kind != "field" for kind, _ in selection):
        rows = _aggregate(rows, selection)
    fields = tuple(name if kind == "field" else f"{kind.upper()}.{name}" for kind, name in selection)
    page = rows[offset : offset + pagesize]
    data = rows_element(
        ot.name,
        page,
        fields,
        listtype=ot.name,
        totalcount=len(rows),
        offset=offset,
        count=len(page),
        numremaining=max(0, len(rows) - offset - len(page)),
    )
    return FunctionAnswer(fn, data, object_name=ot.name)


def _selection(select: etree._Element | None, available: tuple[str, ...]) -> list[tuple[str, str]]:
    """``[(kind, FIELD)]`` where kind is ``field`` or an aggregate; ``*`` is not supported
    (developer.intacct.com/web-services/queries)."""
    if select is None or not len(select):
        raise QueryError("select must name at least one field")
    selection = []
    for child in select:
        if not isinstance(child.tag, str) or child.tag not in ("field", *_AGGREGATES):
            raise QueryError(f"unexpected element {child.tag} in select")
        name = (child.text or "").strip().upper()
        if name == "*" or name not in available:
            raise QueryError(f"Invalid field {name or '(empty)'} in select")
        selection.append((child.tag, name))
    return selection


def _aggregate(rows: list[dict[str, str]], selection: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Aggregates with the plain fields as the grouping, ``<COUNT.RECORDNO>`` style
    (developer.intacct.com/web-services/queries)."""
    plain = [name for kind, name in selection if kind == "field"]
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(name, "") for name in plain), []).append(row)
    if not groups and not plain:
        groups[()] = []
    out = []
    for key, members in groups.items():
        result = dict(zip(plain, key, strict=True))
        for kind, name in selection:
            if kind != "field":
                values = [row[name] for row in members if row.get(name)]
                result[f"{kind.upper()}.{name}"] = _AGGREGATORS[kind](values)
        out.append(result)
    return out


def _numbers(values: list[str]) -> list[Decimal]:
    try:
        return [Decimal(value) for value in values]
    except InvalidOperation:
        raise Failure(query_failed("sum and avg need numeric fields")) from None


def _extreme(values: list[str], sign: int) -> str:
    best = ""
    for value in values:
        if not best or compare(value, best) * sign > 0:
            best = value
    return best


_AGGREGATORS: dict[str, Callable[[list[str]], str]] = {
    "count": lambda values: str(len(values)),
    "sum": lambda values: str(sum(_numbers(values), Decimal(0))),
    "avg": lambda values: str(sum(_numbers(values), Decimal(0)) / len(values)) if values else "",
    "min": lambda values: _extreme(values, -1),
    "max": lambda values: _extreme(values, 1),
}


def _keyed(
    ctx: RequestContext, fn: RequestFunction, operation: str, key_field: Callable[[ObjectType], str]
) -> FunctionAnswer:
    element = fn.element
    ot = resolve_object(text(element, "object"))
    require(ctx, ot, operation, ot.read_rights)
    fields = select_fields(ctx, ot, text(element, "fields"))
    _xml_only(text(element, "returnFormat"))
    keys = [key.strip() for key in text(element, "keys").split(",") if key.strip()]
    rows = ctx.store.rows(ctx.company, ot)
    if keys:
        field = key_field(ot)
        rows = [row for key in keys for row in rows if row.get(field) == key]
    else:
        rows = rows[:100]  # Assumption: empty keys return the first 100 records.
    # A key that matches nothing is not an error: count="0" (PsIntacct's mock;
    # developer.intacct.com/web-services/queries).
    return FunctionAnswer(
        fn, rows_element(ot.name, rows, fields, listtype=ot.name, count=len(rows)), object_name=ot.name
    )


def read(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """``read``: keys are RECORDNOs; upper-case ``<DEPARTMENT>`` elements
    (developer.intacct.com/web-services/queries)."""
    return _keyed(ctx, fn, "READ", lambda ot: "RECORDNO")


def read_by_name(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """``readByName``: keys are the object's names or ids (LOGINID, DEPARTMENTID...)."""
    return _keyed(ctx, fn, "READ_BY_NAME", lambda ot: ot.name_field)
