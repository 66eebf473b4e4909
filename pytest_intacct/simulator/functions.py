"""Function dispatch, and the functions that are not record reads: sessions, permissions, metadata, writes."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from . import reads, responses
from .catalog import OBJECTS, PERMISSIONS_POLICY, WRITE_FUNCTIONS, ObjectType, object_type
from .context import Failure, FunctionAnswer, RequestContext, require, resolve_object, text
from .errors import no_permission, processing_error
from .permissions import allows, effective_rights, permissions_element
from .responses import sub
from .wire import RequestFunction

Handler = Callable[[RequestContext, RequestFunction], FunctionAnswer]


def run(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Execute one function; failures become result-level errors and never affect the other functions."""
    handler = HANDLERS.get(fn.name)
    try:
        if handler is not None:
            return handler(ctx, fn)
        if fn.name in WRITE_FUNCTIONS:
            return _legacy_write(ctx, fn)
        raise Failure(processing_error(f"Function {fn.name} is known but not simulated"))
    except Failure as failure:
        return FunctionAnswer(
            fn, errors=failure.errors, object_name=object_of(fn), write=fn.name in WRITE_FUNCTIONS
        )


def object_of(fn: RequestFunction) -> str:
    """The object a function names, for the journal (even when the function fails)."""
    name = text(fn.element, "object")
    if not name and fn.name in ("create", "update") and len(fn.element):
        name = str(fn.element[0].tag)
    elif not name and fn.name in WRITE_FUNCTIONS:
        noun = fn.name.partition("_")[2]
        name = _LEGACY_OBJECTS.get(noun, noun)
    found = object_type(name) if name else None
    return found.name if found else name


def get_api_session(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """``<api><sessionid/><endpoint/><locationid/></api>`` (developer.intacct.com api-sessions page,
    docs/gateway.md#sessions)."""
    if not ctx.alone:
        # "Always isolate getAPISession in a single request" (developer.intacct.com api-sessions page); the
        # real error is undocumented.
        raise Failure(processing_error("getAPISession must be the only function in its request"))
    location = fn.element.find("locationid")
    entity = None if location is None else (location.text or "").strip()
    if entity and entity not in ctx.company.entities:
        raise Failure(
            processing_error(f"Entity '{entity}' does not exist in company {ctx.company.company_id}")
        )
    session_id, endpoint, entity_id = ctx.open_session(entity)
    data = responses.data()
    api = sub(data, "api", None)
    sub(api, "sessionid", session_id)
    sub(api, "endpoint", endpoint)
    sub(api, "locationid", entity_id)
    return FunctionAnswer(fn, data)


def get_user_permissions(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Effective rights of a user; needs Company > Users > View Permissions (developer.intacct.com users
    page)."""
    application, policy, right = PERMISSIONS_POLICY
    if not allows(ctx.rights, application, policy, (right,)):
        # Assumption: the operation token of this refusal is undocumented.
        raise Failure(no_permission("GET_USER_PERMISSIONS", "userinfo"))
    login_id = text(fn.element, "userId")
    user = next((u for u in ctx.company.users.values() if u.login_id.lower() == login_id.lower()), None)
    if user is None:
        raise Failure(processing_error(f"User '{login_id}' does not exist"))
    data = responses.data()
    data.append(permissions_element(effective_rights(ctx.company, user)))
    return FunctionAnswer(fn, data, object_name="USERINFO")


def get_applications(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """``<data><application>CO</application>…`` (developer.intacct.com/api/company-console/subscriptions).
    Assumption: it needs no permission (docs/simulator.md, assumption 33)."""
    data = responses.data()
    for code in ctx.company.subscriptions:
        sub(data, "application", code)
    return FunctionAnswer(fn, data)


def _field_definitions(parent: etree._Element, fields: tuple[str, ...]) -> None:
    for name in fields:
        item = sub(parent, "Field", None)
        sub(item, "ID", name)
        sub(item, "LABEL", name.replace(".", " ").replace("_", " ").title())
        sub(item, "DESCRIPTION", "")
        sub(item, "REQUIRED", "false")
        sub(item, "READONLY", "true" if name in ("RECORDNO", "WHENCREATED", "WHENMODIFIED") else "false")
        sub(item, "DATATYPE", "INTEGER" if name == "RECORDNO" else "TEXT")
        sub(item, "ISCUSTOM", "false")


def lookup(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Object definition (platform-services-objects). Assumption: no permission is needed."""
    ot = resolve_object(text(fn.element, "object"))
    data = responses.data(listtype=ot.name, count=1)
    definition = sub(data, "Type", None)
    definition.set("Name", ot.name)
    definition.set("DocumentType", "")
    _field_definitions(sub(definition, "Fields", None), ctx.store.fields(ctx.company, ot))
    # The shape of the GLBATCH example on developer.intacct.com/web-services/queries.
    relationships = sub(definition, "Relationships", None)
    for relation in ot.relationships:
        item = sub(relationships, "Relationship", None)
        sub(item, "OBJECTPATH", relation.path)
        sub(item, "OBJECTNAME", relation.object_name)
        sub(item, "LABEL", "")
        sub(item, "RELATIONSHIPTYPE", "MANY2ONE")
        sub(item, "RELATEDBY", relation.related_by)
    return FunctionAnswer(fn, data, object_name=ot.name)


def inspect(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """``inspect`` lists objects "regardless of your permissions" (platform-services-objects)."""
    name = text(fn.element, "object")
    if name == "*":
        data = responses.data(listtype="All", count=1)
        for item in sorted(OBJECTS.values(), key=lambda ot: ot.name):
            sub(data, "type", item.label).set("typename", item.name)
        return FunctionAnswer(fn, data)
    ot = resolve_object(name)
    data = responses.data(listtype=ot.name, count=1)
    definition = sub(data, "Type", None)
    definition.set("Name", ot.name)
    fields = sub(definition, "Fields", None)
    if fn.element.get("detail") == "1":
        _field_definitions(fields, ctx.store.fields(ctx.company, ot))
    else:
        for field in ctx.store.fields(ctx.company, ot):
            sub(fields, "Field", field)
    return FunctionAnswer(fn, data, object_name=ot.name)


# --- writes --------------------------------------------------------------------------------------


def _values(element: etree._Element) -> dict[str, str]:
    return {child.tag.upper(): (child.text or "").strip() for child in element if isinstance(child.tag, str)}


def _writable(ctx: RequestContext, ot: ObjectType, operation: str) -> None:
    require(ctx, ot, operation, (ot.right_for(operation),))
    if ot.derived:
        raise Failure(processing_error(f"Writing {ot.name} is not simulated"))


def _written(fn: RequestFunction, ot: ObjectType | None, rows: list[dict[str, str]]) -> FunctionAnswer:
    # create/update answer <data listtype="objects" count="N"> (developer.intacct.com/web-services/requests
    # sample).
    data = responses.data(listtype="objects", count=len(rows))
    for row in rows:
        fields = [("RECORDNO", row["RECORDNO"])]
        if ot is not None and ot.name_field != "RECORDNO" and row.get(ot.name_field):
            fields.append((ot.name_field, row[ot.name_field]))
        data.append(responses.record((ot.name if ot else "object").lower(), fields))
    return FunctionAnswer(fn, data, object_name=ot.name if ot else "", write=True)


def create(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    rows, ot = [], None
    for child in fn.element:
        ot = resolve_object(child.tag)
        _writable(ctx, ot, "CREATE")
        rows.append(ctx.store.create(ctx.company, ot, _values(child)))
    return _written(fn, ot, rows)


def update(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    rows, ot = [], None
    for child in fn.element:
        ot = resolve_object(child.tag)
        _writable(ctx, ot, "UPDATE")
        row = ctx.store.update(ctx.company, ot, _values(child))
        if row is None:
            raise Failure(processing_error(f"No {ot.name} record matches the update"))
        rows.append(row)
    return _written(fn, ot, rows)


def delete(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    ot = resolve_object(text(fn.element, "object"))
    _writable(ctx, ot, "DELETE")
    keys = [key.strip() for key in text(fn.element, "keys").split(",") if key.strip()]
    deleted = ctx.store.delete(ctx.company, ot, keys)
    return _written(fn, ot, [{"RECORDNO": number} for number in deleted])


_LEGACY_OBJECTS = {
    "bill": "APBILL",
    "apadjustment": "APADJUSTMENT",
    "expensereport": "EEXPENSES",
    "cctransaction": "CCTRANSACTION",
    "user": "USERINFO",
}


def _legacy_write(ctx: RequestContext, fn: RequestFunction) -> FunctionAnswer:
    """Legacy writes are permission-checked and acknowledged with a ``<key>``; data is left unchanged."""
    verb, _, noun = fn.name.partition("_")
    ot = resolve_object(_LEGACY_OBJECTS.get(noun, noun))
    operation = {"create": "CREATE", "record": "CREATE", "update": "UPDATE", "delete": "DELETE"}[verb]
    require(ctx, ot, operation, (ot.right_for(operation),))
    key = etree.Element("key")
    key.text = text(fn.element, "key") or "1"
    return FunctionAnswer(fn, extra=[key], object_name=ot.name, write=True)


HANDLERS: dict[str, Handler] = {
    "getAPISession": get_api_session,
    "readByQuery": reads.read_by_query,
    "readMore": reads.read_more,
    "query": reads.query,
    "read": reads.read,
    "readByName": reads.read_by_name,
    "getUserPermissions": get_user_permissions,
    "lookup": lookup,
    "inspect": inspect,
    "get_applications": get_applications,
    "create": create,
    "update": update,
    "delete": delete,
}
