"""What every function handler receives and returns, and the checks they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from . import responses
from .catalog import LIST_FIELDS, LIST_SEPARATOR, ObjectType, object_type
from .datastore import DataStore
from .errors import WireError, no_permission, object_not_found, processing_error, query_failed, rolled_back
from .model import Company, Rights, User
from .permissions import allows
from .sessions import ResultStore
from .wire import RequestFunction


class Failure(Exception):
    """A function fails; its errors go into the ``<result>`` (result level, docs/gateway.md#errors)."""

    def __init__(self, *errors: WireError) -> None:
        super().__init__(errors[0].description2)
        self.errors = list(errors)


@dataclass
class RequestContext:
    """The authenticated caller and the simulator state a function may use."""

    company: Company
    user: User
    rights: Rights
    store: DataStore
    results: ResultStore
    open_session: Callable[[str | None], tuple[str, str, str]]  # entity -> (session id, endpoint, entity)
    alone: bool  # the only function of its request

    @property
    def owner(self) -> tuple[str, str]:
        return (self.company.company_id, self.user.login_id)


@dataclass
class FunctionAnswer:
    """One function's answer, plus what the journal notes about it."""

    function: RequestFunction
    data: etree._Element | None = None
    errors: list[WireError] = field(default_factory=list)
    object_name: str = ""
    write: bool = False
    extra: list[etree._Element] = field(default_factory=list)  # legacy <key> elements

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def element(self, aborted: bool = False) -> etree._Element:
        """The ``<result>``; after a rollback every result is ``aborted`` and carries XL03000009
        (docs/simulator.md, assumption 20).

        The failing function keeps its own errors before XL03000009, as in a live 2026 response and the
        SDKs' ResultTest fixtures.
        """
        fn = self.function
        if aborted:
            return responses.result("aborted", fn.name, fn.controlid, errors=[*self.errors, rolled_back()])
        if self.failed:
            return responses.result("failure", fn.name, fn.controlid, errors=self.errors)
        element = responses.result("success", fn.name, fn.controlid, data=self.data)
        element.extend(self.extra)
        return element


def text(element: etree._Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def resolve_object(name: str) -> ObjectType:
    found = object_type(name) if name else None
    if found is None:
        raise Failure(object_not_found(name))
    return found


def require(ctx: RequestContext, ot: ObjectType, operation: str, rights: tuple[str, ...]) -> None:
    """PL04000005 unless one of ``rights`` is held on the object's policy.

    The object type is lower case for READ_BY_QUERY (as in the live arinvoice quote) and upper case otherwise
    (Rutter's QUERY ... GLACCOUNT); other tokens are assumptions (docs/gateway.md#permissions).
    """
    if not allows(ctx.rights, ot.application, ot.policy, rights):
        raise Failure(no_permission(operation, ot.name.lower() if operation == "READ_BY_QUERY" else ot.name))


def select_fields(ctx: RequestContext, ot: ObjectType, requested: str) -> tuple[str, ...]:
    """A ``fields`` list (comma separated, ``*`` or empty for all) checked against the object."""
    available = ctx.store.fields(ctx.company, ot)
    if requested in ("", "*"):
        return available
    names = tuple(name.strip().upper() for name in requested.split(",") if name.strip())
    unknown = [name for name in names if name not in available]
    if unknown:
        raise Failure(query_failed(f"Invalid field(s) {', '.join(unknown)} for object {ot.name}"))
    return names


def bounded_int(raw: str, default: int, low: int, high: int, what: str) -> int:
    """Assumption: out-of-range paging arguments fail the function rather than being clamped."""
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Failure(processing_error(f"{what} must be an integer, got '{raw}'")) from None
    if not low <= value <= high:
        raise Failure(processing_error(f"{what} must be between {low} and {high}, got {value}"))
    return value


def rows_element(
    tag: str, rows: list[dict[str, str]], fields: tuple[str, ...], **attributes: str | int
) -> etree._Element:
    """``<data ...>`` holding one ``<tag>`` per row with the chosen fields (empty ones as ``<F></F>``, list
    fields nested: ``<USERLOCATIONS><LOCATIONID>E1</LOCATIONID></USERLOCATIONS>``)."""
    data = responses.data(**attributes)
    for row in rows:
        record = responses.record(tag, [])
        for name in fields:
            if name not in LIST_FIELDS:
                responses.sub(record, name, row.get(name, ""))
                continue
            listed = responses.sub(record, name, None)
            for item in filter(None, row.get(name, "").split(LIST_SEPARATOR)):
                responses.sub(listed, LIST_FIELDS[name], item)
        data.append(record)
    return data
