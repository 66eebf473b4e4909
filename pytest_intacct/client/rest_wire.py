"""The REST API's wire, both ways: the read-only rule, checked on the request about to leave, and answers
read within bounds into plain data or the typed error they amount to (docs/rest.md).

Read-only on the wire: a request may only be a ``GET`` below the configured REST endpoint, or a ``POST`` to
exactly its token endpoint or its query service, with a body of the shape those take; every path segment
plain (no dot segments, no percent-encoding that could hide one), no query string, no header that would
make a server treat the request as another method, and no header name or value that could smuggle one.
The check reads what is about to be sent, whatever built it, like the XML client's read-back of its bytes
(docs/security.md, section 1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pytest_intacct.client.errors import ErrorKind, GatewayUnavailable, Level, RestRefused, WriteRefused
from pytest_intacct.client.transport import HttpAnswer
from pytest_intacct.safety.limits import MAX_ANSWER_DEPTH, MAX_ANSWER_VALUES
from pytest_intacct.safety.text import outside_text

# The REST API's version sits in the path (developer.sage.com, versioning); its token endpoint and query
# service are the only places a POST goes (Sage's company-configuration and common-resources OpenAPI).
REST_PATH = "/ia/api/v1"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 (a path, not a token)
QUERY_PATH = "/services/core/query"
QUERY_KEYS = frozenset(
    {"object", "fields", "filters", "filterExpression", "filterParameters", "orderBy", "start", "size"}
)
TOKEN_FIELDS = frozenset({"grant_type", "client_id", "client_secret", "username"})
READ_METHODS = frozenset({"GET", "POST"})
# Headers some servers and proxies honour to run a request as another method.
METHOD_OVERRIDES = frozenset({"x-http-method-override", "x-http-method", "x-method-override"})
_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")
# A header name is an RFC 9110 token; a value holds no control character (no CR or LF to start another).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")


def check_read_only(
    method: str, url: str, endpoint: str, headers: Mapping[str, str | None], body: bytes
) -> None:
    """Nothing, when the request only reads; :class:`WriteRefused` naming what is wrong otherwise."""

    def refuse(why: str) -> WriteRefused:
        return WriteRefused(
            f"refused to send {method} {urlsplit(url).path!r}: {why} (this client is read-only)"
        )

    if method not in READ_METHODS:
        raise refuse("only GET, and POST to the token endpoint and the query service, are sent")
    target, base = urlsplit(url), urlsplit(endpoint)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        raise refuse("it is not addressed to the configured REST endpoint")
    if target.query or target.fragment or "?" in url or "#" in url:
        raise refuse("it carries a query string")
    prefix = base.path.rstrip("/")
    if not target.path.startswith(prefix + "/"):
        raise refuse("it is not below the configured REST endpoint")
    below = target.path[len(prefix) :]
    if any(not _SEGMENT.fullmatch(part) or part in (".", "..") for part in below.split("/")[1:]):
        raise refuse("a path segment is not plain (dot segments and percent-encoding are refused)")
    if not all(
        _HEADER_NAME.fullmatch(name) and _HEADER_VALUE.fullmatch(value or "")
        for name, value in headers.items()
    ):
        raise refuse("a header's name or value is not plain (it could smuggle another header)")
    overrides = sorted(name for name in headers if name.lower() in METHOD_OVERRIDES)
    if overrides:
        raise refuse(f"it carries {', '.join(overrides)}")
    if method == "GET":
        if body:
            raise refuse("a GET carries no body")
        return
    if below == QUERY_PATH:
        _check_query(body, refuse)
    elif below == TOKEN_PATH:
        _check_token_request(body, refuse)
    else:
        raise refuse("a POST goes only to the token endpoint or the query service")


def _check_query(body: bytes, refuse: Any) -> None:
    try:
        query = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise refuse("the query body is not JSON") from None
    if not isinstance(query, dict) or not isinstance(query.get("object"), str):
        raise refuse("the query body is not a query of one object")
    extra = sorted(set(query) - QUERY_KEYS)
    if extra:
        raise refuse(f"the query body carries {', '.join(extra)}")


def _check_token_request(body: bytes, refuse: Any) -> None:
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise refuse("the token request is not form-encoded") from None
    if set(fields) - TOKEN_FIELDS or fields.get("grant_type") != ["client_credentials"]:
        raise refuse("the token request is not a client-credentials grant")
    if any(len(values) != 1 for values in fields.values()):
        raise refuse("the token request names a field twice")


# -- answers ----------------------------------------------------------------------------------------


def read_json(answer: HttpAnswer) -> Any:
    """The answer's JSON, counted and bounded before and after parsing; :class:`GatewayUnavailable`
    (``unreadable``) for anything else, ``contradictory`` for an object naming a key twice."""
    body = answer.body
    values = body.count(b",") + body.count(b"[") + body.count(b"{")
    if values > MAX_ANSWER_VALUES:
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {answer.status}: an answer of about {values} JSON values is more than any read returns "
            f"(bound: {MAX_ANSWER_VALUES}); not parsed",
            http_status=answer.status,
        )
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_no_repeats)
    except _Repeated as repeated:
        raise GatewayUnavailable(
            ErrorKind.CONTRADICTORY,
            f"HTTP {answer.status}: a JSON object states {outside_text(str(repeated), 80)!r} twice; not read",
            http_status=answer.status,
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE, f"HTTP {answer.status} without a JSON body", http_status=answer.status
        ) from None
    if _depth(data) > MAX_ANSWER_DEPTH:
        raise GatewayUnavailable(
            ErrorKind.UNREADABLE,
            f"HTTP {answer.status}: JSON nested deeper than {MAX_ANSWER_DEPTH}; not read",
            http_status=answer.status,
        )
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Repeated(ValueError):
    """A JSON object naming one key twice: which value counts is the parser's choice, not the API's."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        keys = [key for key, _ in pairs]
        raise _Repeated(next(key for index, key in enumerate(keys) if key in keys[:index]))
    return data


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_ANSWER_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def error_detail(data: Any) -> tuple[str, str, str]:
    """``(code, message, errorId)`` of an error answer: Sage's envelope ``{"ia::result": {"ia::error":
    …}}`` (company-configuration OpenAPI), a top-level ``{"error": {…}}`` or an OAuth ``{"error": "…",
    "error_description": "…"}`` (RFC 6749, section 5.2); empty strings where it says nothing."""
    if not isinstance(data, dict):
        return "", "", ""
    result = data.get("ia::result")
    error = result.get("ia::error") if isinstance(result, dict) else None
    error = error if isinstance(error, dict) else data.get("ia::error", data.get("error"))
    if isinstance(error, str):
        description = data.get("error_description")
        return error, description if isinstance(description, str) else "", ""
    if not isinstance(error, dict):
        return "", "", ""
    texts = [error.get(key) for key in ("code", "message", "errorId")]
    code, message, error_id = (text if isinstance(text, str) else "" for text in texts)
    details = error.get("details")
    if isinstance(details, list):
        more = [d.get("message") for d in details[:3] if isinstance(d, dict)]
        message = "; ".join([message, *(m for m in more if isinstance(m, str) and m)]).strip("; ")
    return code, message, error_id


def _words(data: Any) -> str:
    code, message, error_id = error_detail(data)
    return " ".join(part for part in (code, error_id, message) if part)


def interpret(answer: HttpAnswer, *, token: bool = False) -> dict[str, Any]:
    """A successful answer's JSON object, or the typed error the answer amounts to.

    A read must carry ``ia::result`` (an error inside a success is not evidence); the token endpoint's
    answer is the OAuth object itself. 401 to a read is a token the API no longer takes
    (``session-invalid``); 400, 401 and 403 to the token request are a refused token.
    """
    tries = f" after {answer.attempts} attempt(s)" if answer.attempts > 1 else ""
    status = answer.status
    if 200 <= status < 300:
        data = read_json(answer)
        if not isinstance(data, dict):
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"HTTP {status}: the answer is not a JSON object", http_status=status
            )
        if token:
            return data
        if "ia::result" not in data:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE, f"HTTP {status} without ia::result; not evidence", http_status=status
            )
        meta = data.get("ia::meta")
        failed = isinstance(meta, dict) and isinstance(meta.get("totalError"), int) and meta["totalError"]
        if any(error_detail(data)) or failed:
            raise GatewayUnavailable(
                ErrorKind.UNREADABLE,
                f"HTTP {status} with an answer that holds an error "
                f"({_words(data) or 'ia::meta.totalError'}); not evidence",
                http_status=status,
            )
        return data
    words = _words(_safely(answer))
    said = f": {outside_text(words, 600)}" if words else " without an error the API documents"
    if status == 429:
        raise GatewayUnavailable(
            ErrorKind.THROTTLED, f"HTTP 429 (throttled){said}{tries}", http_status=status
        )
    if status >= 500:
        raise GatewayUnavailable(
            ErrorKind.UNREACHABLE, f"HTTP {status} from the REST API{tries}", http_status=status
        )
    kind, level = _refusal(status, token=token)
    code, _, error_id = error_detail(_safely(answer))
    what = "the token request was refused" if token else "the read was refused"
    raise RestRefused(
        kind, level, f"HTTP {status}{said} ({what})", http_status=status, code=code, error_id=error_id
    )


def _safely(answer: HttpAnswer) -> Any:
    try:
        return read_json(answer)
    except GatewayUnavailable:
        return None


def _refusal(status: int, *, token: bool) -> tuple[ErrorKind, Level]:
    if token:
        if status in (400, 401, 403):
            return ErrorKind.TOKEN_REFUSED, Level.AUTHENTICATION
        return ErrorKind.UNREADABLE, Level.TRANSPORT  # 404, 405: no token endpoint answered there
    return {
        401: (ErrorKind.SESSION_INVALID, Level.AUTHENTICATION),
        403: (ErrorKind.PERMISSION_DENIED, Level.FUNCTION),
        404: (ErrorKind.OBJECT_NOT_FOUND, Level.FUNCTION),
        400: (ErrorKind.INVALID_REQUEST, Level.FUNCTION),
        422: (ErrorKind.INVALID_REQUEST, Level.FUNCTION),
    }.get(status, (ErrorKind.UNREADABLE, Level.TRANSPORT))
