"""Where credentials may go: the endpoint the user named, and a session endpoint the gateway may name.

Both rules are pure functions of the URLs, decided without DNS (docs/security.md, "Credentials go
only where the user pointed them").
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

INTACCT_DOMAIN = ".intacct.com"
LOCALHOST = "localhost"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def is_loopback_host(host: str) -> bool:
    """Exactly ``localhost`` or a loopback IP literal, judged from the text alone (never resolved).

    ``localhost.`` is not ``localhost``: a name with a trailing dot skips /etc/hosts and asks the name
    server, which could send the credentials anywhere. The transport connects ``localhost`` to
    127.0.0.1 itself, so even it is never looked up.
    """
    if host.lower() == LOCALHOST:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_endpoint(url: str) -> str:
    """``url`` if it is an endpoint the client will send credentials to, else :class:`ValueError`.

    It must be ``https://`` (``http://`` only to ``localhost`` or a loopback IP literal), name a host,
    carry no user name or password, and have a valid port.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the endpoint is empty; expected e.g. https://api.intacct.com/ia/xml/xmlgw.phtml")
    if url != url.strip() or any(ord(c) < 33 or c == "\x7f" for c in url):
        raise ValueError(f"the endpoint {url.strip()!r} contains spaces or control characters")
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"the endpoint {url!r} must start with https://")
    if not parts.hostname:
        raise ValueError(f"the endpoint {url!r} names no host")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("the endpoint must not carry a user name or password (user@host)")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"the endpoint {url!r} is plain http:// to a remote host; use https:// "
            "(http:// is allowed only for localhost and loopback addresses)"
        )
    return url


def session_endpoint_allowed(login_endpoint: str, session_endpoint: str) -> bool:
    """Whether the endpoint ``getAPISession`` returned may receive the session id and sender password.

    Same scheme and port as the login endpoint, and the same host, or both hosts under
    ``.intacct.com`` (the only hosts the official SDK accepts as an endpoint: intacct-sdk-php
    ``src/Intacct/Credentials/Endpoint.php``; e.g. ``api.intacct.com`` handing out
    ``na12.intacct.com``). Anything else, loopback included, must match host and port exactly.
    """
    try:
        validate_endpoint(session_endpoint)
        login, session = _split(login_endpoint), _split(session_endpoint)
        login_port, session_port = _port(login), _port(session)
    except ValueError:
        return False
    if login.scheme.lower() != session.scheme.lower() or login_port != session_port:
        return False
    login_host = (login.hostname or "").rstrip(".")
    session_host = (session.hostname or "").rstrip(".")
    if login_host == session_host:
        return True
    return login_host.endswith(INTACCT_DOMAIN) and session_host.endswith(INTACCT_DOMAIN)


def _split(url: str) -> SplitResult:
    """The URL's parts, as long as every parser on the way reads the same host and port from it.

    requests connects wherever urllib3's parser points, which reads ``https://evil.test\\.intacct.com``
    as host ``evil.test`` where :func:`urllib.parse.urlsplit` sees ``evil.test\\.intacct.com``: so
    a backslash is refused outright, and the two parsers must agree.
    """
    if "\\" in url:
        raise ValueError("the endpoint contains a backslash")
    parts = urlsplit(url)
    _port(parts)  # raises ValueError on a port out of range or not a number
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return parts  # not a URL anything connects to; the caller refuses its scheme
    try:
        connected = parse_url(url)
    except LocationParseError:
        raise ValueError("the endpoint is not a URL the HTTP client can parse") from None
    host = (connected.host or "").strip("[]").lower()
    if host != (parts.hostname or "") or connected.port != parts.port:
        raise ValueError("the endpoint's host is read differently by the HTTP client")
    return parts


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the endpoint has an invalid port: {exc}") from None
    return port if port is not None else _DEFAULT_PORTS.get(parts.scheme.lower())
