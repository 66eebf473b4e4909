"""What the gateway said went wrong, classified by level *and* text, and the client's exceptions.

The same ``errorno`` means different things at different levels: ``XL03000006`` is a bad sender
password at control level, an unauthorized sender or a failed sign-in at authentication level
(docs/gateway.md#errors). So classification looks at the level and
the descriptions, never at the number alone.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

from pytest_intacct.safety.text import outside_text


class Level(enum.StrEnum):
    """Where in the response an error sits (docs/gateway.md#errors); ``transport`` means no answer."""

    TRANSPORT = "transport"
    CONTROL = "control"
    AUTHENTICATION = "authentication"
    FUNCTION = "function"


class ErrorKind(enum.StrEnum):
    """What a failure means for the runbook, independent of its wording."""

    SENDER_CREDENTIALS = "sender-credentials"
    SENDER_NOT_AUTHORIZED = "sender-not-authorized"
    SIGN_IN_FAILED = "sign-in-failed"
    SESSION_INVALID = "session-invalid"
    # The REST API's token endpoint refused the client credentials or the username (docs/rest.md).
    TOKEN_REFUSED = "token-refused"  # noqa: S105 (a kind of failure, not a token)
    COMPANY_UNAVAILABLE = "company-unavailable"
    PERMISSION_DENIED = "permission-denied"
    OBJECT_NOT_FOUND = "object-not-found"
    INVALID_REQUEST = "invalid-request"
    THROTTLED = "throttled"
    UNREACHABLE = "unreachable"
    UNREADABLE = "unreadable"
    # The answer contradicts itself or the question (one record twice with different facts, another
    # login's record): not evidence of anything, and a sign the answer cannot be trusted.
    CONTRADICTORY = "contradictory"
    OTHER = "other"


_SUPPORT_ID = re.compile(r"\s*\[Support ID:\s*([^\]]+)\]")


@dataclass(frozen=True)
class GatewayError:
    """One ``<error>`` element: number, descriptions, correction and the Support ID if any."""

    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    @property
    def support_id(self) -> str | None:
        """The Support ID Intacct support asks for, URL-decoded (``%7E`` is ``~``)."""
        for text in (self.description2, self.description):
            match = _SUPPORT_ID.search(text)
            if match:
                return unquote(match.group(1).strip())
        return None

    @property
    def text(self) -> str:
        """The non-empty parts joined as the official SDKs join them (docs/gateway.md#errors)."""
        parts = (self.errorno, self.description, self.description2, self.correction)
        return " ".join(p.strip() for p in parts if p and p.strip())


def classify(level: Level, errors: tuple[GatewayError, ...], http_status: int | None = None) -> ErrorKind:
    """Map a failure to its meaning using the level, the error numbers and the texts."""
    joined = " ".join(e.text for e in errors).lower()
    numbers = {e.errorno for e in errors}
    if "GW-0010" in numbers or http_status == 429 or "api rate limit exceeded" in joined:
        return ErrorKind.THROTTLED
    if level is Level.CONTROL:
        if "partner id or password" in joined:
            return ErrorKind.SENDER_CREDENTIALS
        if numbers & {"XMLGW_JPP0002", "UJPP0002"} or "sign-in information is incorrect" in joined:
            return ErrorKind.SIGN_IN_FAILED
        if numbers & {"GW-0011", "invalidRequest"}:
            # 400 GW-0011 is an invalid sender or tenant, invalidRequest an unknown company
            # (docs/gateway.md#errors): either way the company cannot be addressed.
            return ErrorKind.COMPANY_UNAVAILABLE
        if "PL04000055" in numbers:
            return ErrorKind.COMPANY_UNAVAILABLE
        return ErrorKind.INVALID_REQUEST if "XL03000003" in numbers else ErrorKind.OTHER
    if level is Level.AUTHENTICATION:
        if "invalid web services authorization" in joined or "not authorized to make web services" in joined:
            return ErrorKind.SENDER_NOT_AUTHORIZED
        if "invalid session" in joined:
            return ErrorKind.SESSION_INVALID
        return ErrorKind.SIGN_IN_FAILED
    if level is Level.FUNCTION:
        if "PL04000005" in numbers or "you do not have permission for api operation" in joined:
            return ErrorKind.PERMISSION_DENIED
        if "object definition" in joined and "not found" in joined:
            return ErrorKind.OBJECT_NOT_FOUND
        return ErrorKind.OTHER
    return ErrorKind.OTHER


MAX_ERROR_MESSAGE = 4000  # characters of one error's message, the gateway's words included


class IntacctError(Exception):
    """Base of every error the client raises. Messages never contain secrets: they are redacted here.

    ``attempts`` and ``waited`` say how hard the client tried before giving up (1 and 0.0 when the
    first answer settled it).
    """

    kind: ErrorKind = ErrorKind.OTHER
    level: Level = Level.TRANSPORT
    attempts: int = 1
    waited: float = 0.0

    def __init__(self, message: str) -> None:
        super().__init__(outside_text(message, MAX_ERROR_MESSAGE))


class ClientUsageError(IntacctError, ValueError):
    """The caller asked for something the client never does (e.g. an endpoint it will not send to)."""

    kind = ErrorKind.INVALID_REQUEST


class UnexpectedError(IntacctError):
    """Anything the client did not foresee (a bug, a library's own error), contained and redacted.

    It means "could not check", like :class:`GatewayUnavailable`, and names the original type only.
    """

    def __init__(self, exc: BaseException) -> None:
        self.original_type = type(exc).__name__
        super().__init__(f"unexpected {self.original_type} in the Intacct client: {str(exc)[:300]}")


class ResultMissing(IntacctError):
    """The answer holds no result for a function that was sent (or one for another function)."""

    kind = ErrorKind.UNREADABLE


class WriteRefused(IntacctError):
    """A function outside the read-only allowlist was about to be sent without a write permit."""


class GatewayUnavailable(IntacctError):
    """The gateway gave no usable answer: unreachable, timed out, 5xx, HTML or unparseable body.

    This is "could not check", never "requirement not met".
    """

    def __init__(self, kind: ErrorKind, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.level = Level.TRANSPORT
        self.http_status = http_status


class GatewayRejected(IntacctError):
    """The gateway answered, and refused the request at control or authentication level."""

    def __init__(
        self, level: Level, errors: tuple[GatewayError, ...], *, http_status: int | None = None
    ) -> None:
        self.level = level
        self.errors = errors
        self.http_status = http_status
        self.kind = classify(level, errors, http_status)
        detail = " - ".join(e.text for e in errors) or "no error detail"
        super().__init__(f"{level.value} failure ({self.kind.value}): {detail}")


class RestRefused(IntacctError):
    """The REST API answered, and refused: a token not granted, a read not allowed, an object not found.

    ``code`` and ``error_id`` are the error envelope's (``ia::error``) or the OAuth answer's ``error``,
    when it gave them (docs/rest.md).
    """

    def __init__(
        self,
        kind: ErrorKind,
        level: Level,
        message: str,
        *,
        http_status: int | None = None,
        code: str = "",
        error_id: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.level = level
        self.http_status = http_status
        self.code = code
        self.error_id = error_id


class FunctionFailed(IntacctError):
    """One function's result was a failure while the request as a whole went through."""

    def __init__(self, function: str, controlid: str, errors: tuple[GatewayError, ...]) -> None:
        self.function = function
        self.controlid = controlid
        self.errors = errors
        self.level = Level.FUNCTION
        self.kind = classify(Level.FUNCTION, errors)
        detail = " - ".join(e.text for e in errors) or "no error detail"
        super().__init__(f"{function} failed ({self.kind.value}): {detail}")
