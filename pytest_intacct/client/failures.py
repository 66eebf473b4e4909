"""What went wrong on the wire, in words: requests and urllib3 wrap the failure that matters (a refused
connection, a name that does not exist, a certificate that fails verification) in exceptions whose text
names their own classes (``NewConnectionError: _WatchedHTTPConnection(host=..., port=...)``). These
functions find it and tell it plainly, and say whether a retry could mend it.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Iterator

from pytest_intacct.safety.text import outside_text

# getaddrinfo's answers for a name that does not exist (EAI_AGAIN, a resolver that did not answer, is not).
NAME_NOT_FOUND = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)
# urllib3 names its connection object in some messages: ``HTTPSConnection(host='x', port=443): ``.
_CONNECTION_REPR = re.compile(r"<?\b\w+\((?:host|pool)=[^)]*\)(?: at 0x[0-9a-fA-F]+)?>?:?\s*")


def reached(exc: BaseException) -> bool:
    """False only when the connection was never made (so the request cannot have been sent)."""
    for inner in _chain(exc):
        name = type(inner).__name__
        if name in {"NewConnectionError", "NameResolutionError", "ConnectTimeoutError"}:
            return False
        if isinstance(inner, ConnectionRefusedError | socket.gaierror):
            return False
    return True


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions inside it, outermost first: urllib3 and requests wrap one in another's
    ``reason``, ``args`` or ``__cause__``."""
    inner: BaseException | None = exc
    seen = 0
    while inner is not None and seen < 20:
        yield inner
        seen += 1
        reason = getattr(inner, "reason", None)
        wrapped = [arg for arg in inner.args if isinstance(arg, BaseException)]
        inner = reason if isinstance(reason, BaseException) else wrapped[0] if wrapped else inner.__cause__


def in_words(exc: BaseException) -> tuple[str, bool]:
    """What went wrong, in words (through the door for outside text), and whether it is permanent (no
    retry can mend it)."""
    reason, permanent = _words(list(_chain(exc)))
    return outside_text(reason, 300), permanent


def _words(chain: list[BaseException]) -> tuple[str, bool]:
    for inner in reversed(chain):  # the innermost knows best
        if isinstance(inner, ssl.SSLCertVerificationError):
            return f"its TLS certificate could not be verified ({inner.verify_message})", True
        if isinstance(inner, socket.gaierror):
            return f"its name could not be resolved ({inner.strerror})", inner.errno in NAME_NOT_FOUND
        if isinstance(inner, ssl.SSLError):
            return f"the TLS handshake failed ({inner.reason or inner.strerror})", False
        if isinstance(inner, http.client.IncompleteRead):
            # urllib3's own IncompleteRead holds a count where http.client's holds the bytes.
            got = inner.partial if isinstance(inner.partial, int) else len(inner.partial)
            return f"{got} bytes read, {inner.expected} more expected", False
        if isinstance(inner, http.client.RemoteDisconnected):
            return "the connection was closed before an answer", False
        if isinstance(inner, ConnectionRefusedError):
            return "the connection was refused", False
        if isinstance(inner, ConnectionResetError):
            return "the connection was reset", False
        if isinstance(inner, TimeoutError):
            return "the connection timed out", False
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror, False
    return _CONNECTION_REPR.sub("", str(chain[-1])) or "the connection failed", False
