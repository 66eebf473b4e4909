"""Request parsing: a hardened XML parser plus the envelope's DTD (docs/gateway.md#requests).

The real gateway validates requests against its DTD, so element order matters and a violation is the
control failure ``XL03000003`` carrying libxml2's own message (docs/gateway.md#requests). The envelope
DTD below follows the SDKs' element order; function bodies are checked by the functions themselves, not
the DTD.
"""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass

from lxml import etree

from ..safety.xml import hardened_parser
from .catalog import FUNCTIONS
from .errors import WireError, xml_parse_error
from .responses import ControlEcho

# the real limit is undocumented (docs/simulator.md, assumption 12); this one guards the simulator.
MAX_BODY_BYTES = 2_000_000

_LEAVES = (
    "senderid password controlid uniqueid dtdversion policyid includewhitespace debug showadditionalerrorinfo"
)
_LOGIN = "userid companyid password clientid locationid sessionid"


def _envelope_dtd() -> etree.DTD:
    functions = " | ".join(FUNCTIONS)
    declarations = [
        "<!ELEMENT request (control, operation)>",
        # SDK order (PHP ControlBlock.php); the position of debug/showadditionalerrorinfo is unconfirmed
        # (docs/simulator.md, assumptions).
        "<!ELEMENT control (senderid, password, controlid, uniqueid?, dtdversion, policyid?,"
        " includewhitespace?, debug?, showadditionalerrorinfo?)>",
        "<!ELEMENT operation (authentication, content)>",
        '<!ATTLIST operation transaction (true | false) "false">',
        "<!ELEMENT authentication (login | sessionid)>",
        # "<companyid/> must preceed <password/> or login will fail" (PSI, docs/gateway.md#requests).
        "<!ELEMENT login (userid, companyid, password, clientid?, locationid?)>",
        "<!ELEMENT content (function+)>",
        f"<!ELEMENT function ({functions})>",
        "<!ATTLIST function controlid CDATA #REQUIRED>",
    ]
    declarations += [f"<!ELEMENT {name} (#PCDATA)>" for name in set((_LEAVES + " " + _LOGIN).split())]
    declarations += [f"<!ELEMENT {name} ANY>" for name in FUNCTIONS]
    return etree.DTD(io.StringIO("\n".join(declarations)))


_DTD = _envelope_dtd()
_DTD_LOCK = threading.Lock()


@dataclass(frozen=True)
class RequestLogin:
    """The ``<login>`` form of authentication."""

    userid: str
    companyid: str
    password: str
    locationid: str


@dataclass(frozen=True)
class RequestFunction:
    """One ``<function controlid="...">`` and the element it wraps."""

    controlid: str
    name: str
    element: etree._Element


@dataclass(frozen=True)
class Request:
    """A request that passed parsing and envelope validation."""

    echo: ControlEcho
    sender_id: str
    sender_password: str
    dtdversion: str
    transaction: bool
    login: RequestLogin | None
    session_id: str | None
    functions: tuple[RequestFunction, ...]


class RequestError(Exception):
    """The request is not acceptable XML; answered with a control failure.

    ``functions`` names the functions of a well-formed but invalid request, for the journal.
    """

    def __init__(self, echo: ControlEcho, errors: list[WireError], functions: tuple[str, ...] = ()) -> None:
        super().__init__(errors[0].description2)
        self.echo = echo
        self.errors = errors
        self.functions = functions


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    found = parent.find(path)
    return None if found is None else (found.text or "").strip()


def _salvage_echo(body: bytes) -> ControlEcho:
    """Best-effort control echo from a broken document, so even XL03000003 echoes senderid/controlid."""
    try:
        root = etree.fromstring(body, hardened_parser(recover=True))
    except etree.XMLSyntaxError:
        root = None
    return _echo(root.find("control") if root is not None else None)


def _echo(control: etree._Element | None) -> ControlEcho:
    whitespace = _text(control, "includewhitespace")
    return ControlEcho(
        senderid=_text(control, "senderid") or "",
        controlid=_text(control, "controlid") or "",
        uniqueid=_text(control, "uniqueid"),
        dtdversion=_text(control, "dtdversion"),
        pretty=whitespace != "false",
    )


def _libxml_errors(log: etree._ListErrorLog, fatal_prefix: bool) -> list[WireError]:
    # libxml2's message format, as the live gateway sends it: "XML Parse schema error: Fatal Error 76: ...
    # Line: 19, column: 18."
    errors = []
    for entry in log:
        if entry.level < etree.ErrorLevels.ERROR:
            continue
        if fatal_prefix:
            level = "Fatal Error" if entry.level == etree.ErrorLevels.FATAL else "Error"
            head = f"XML Parse schema error: {level}"
        else:
            head = "XML Parse error: Error"
        errors.append(
            xml_parse_error(
                f"{head} {entry.type}: {entry.message}. Line: {entry.line}, column: {entry.column}."
            )
        )
    return errors


def parse(body: bytes) -> Request:
    """Parse and validate a request body, or raise :class:`RequestError`."""
    if len(body) > MAX_BODY_BYTES:
        raise RequestError(ControlEcho(), [xml_parse_error("XML Parse schema error: request too large.")])
    parser = hardened_parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        errors = _libxml_errors(parser.error_log, fatal_prefix=True) or [
            xml_parse_error("XML Parse schema error: Fatal Error 4: Document is empty. Line: 1, column: 1.")
        ]
        raise RequestError(_salvage_echo(body), errors) from None
    echo = _echo(root.find("control"))
    if root.getroottree().docinfo.internalDTD is not None:
        # Assumption: an internal DTD subset (entity declarations) is refused outright, never expanded.
        message = "XML Parse schema error: Error 104: internal DTD subset is not allowed. Line: 1, column: 1."
        raise RequestError(echo, [xml_parse_error(message)])
    _validate(root, echo)
    return _request(root, echo)


def _validate(root: etree._Element, echo: ControlEcho) -> None:
    skeleton = copy.deepcopy(root)
    for function in skeleton.iter("function"):
        for child in function:
            child.text = None
            child.attrib.clear()
            for grandchild in list(child):
                child.remove(grandchild)
    with _DTD_LOCK:
        valid = _DTD.validate(skeleton)
        log = _DTD.error_log.filter_from_errors()  # type: ignore[attr-defined]  # missing from lxml-stubs
    if not valid:
        names = tuple(str(child.tag) for child in root.iterfind("operation/content/function/*"))
        raise RequestError(echo, _libxml_errors(log, fatal_prefix=False), names)
    dtdversion = _text(root, "control/dtdversion")
    if dtdversion != "3.0":
        # Only DTD 3.0 is simulated; 2.1 lacks the generic functions anyway (docs/simulator.md#not-simulated).
        message = (
            f'XML Parse error: Error 502: Value "{dtdversion}" for dtdversion is not among the enumerated '
            "set. Line: 1, column: 1."
        )
        raise RequestError(echo, [xml_parse_error(message)])


def _child(parent: etree._Element, path: str) -> etree._Element:
    """An element the envelope's DTD already required."""
    found = parent.find(path)
    if found is None:
        raise LookupError(f"a validated request lacks {path}")
    return found


def _request(root: etree._Element, echo: ControlEcho) -> Request:
    control = _child(root, "control")
    operation = _child(root, "operation")
    login_element = operation.find("authentication/login")
    login = None
    if login_element is not None:
        login = RequestLogin(
            userid=_text(login_element, "userid") or "",
            companyid=_text(login_element, "companyid") or "",
            password=(login_element.findtext("password") or ""),
            locationid=_text(login_element, "locationid") or "",
        )
    functions = tuple(
        RequestFunction(controlid=element.get("controlid", ""), name=element[0].tag, element=element[0])
        for element in operation.iterfind("content/function")
    )
    return Request(
        echo=echo,
        sender_id=_text(control, "senderid") or "",
        sender_password=control.findtext("password") or "",
        dtdversion=_text(control, "dtdversion") or "",
        transaction=operation.get("transaction", "false") == "true",
        login=login,
        session_id=_text(operation, "authentication/sessionid"),
        functions=functions,
    )
