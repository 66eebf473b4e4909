"""Which host the simulator names in the URLs it hands out: the login URL and getAPISession's ``<endpoint>``.

An answer names the host its request was sent to (the ``Host`` header), so a client that reached the
simulator as ``localhost`` or by a container's name is handed a session endpoint it can reach. The header is
the client's own text: it is followed only when it is exactly ``host[:port]`` with a well-formed host name
or IP literal, and a name under ``intacct.com`` only when the simulator was told to advertise that very
name. Anything else falls back to the advertised name, or to the address the simulator is bound to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# RFC 1123 labels: letters, digits and inner hyphens, 1-63 characters.
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_HOST_HEADER = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")
_INTACCT = "intacct.com"


def normalise_host(name: str) -> str | None:
    """``name`` in canonical form (lower case, IPv6 in brackets), or ``None`` if it is no host name or IP."""
    if not name or not name.isascii() or len(name) > 254:
        return None
    if name.startswith("[") and name.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(name[1:-1]).compressed}]"
        except ValueError:
            return None
    try:
        return str(ipaddress.IPv4Address(name))
    except ValueError:
        pass
    host = name.lower()
    labels = (host[:-1] if host.endswith(".") else host).split(".")
    if not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return None  # an all-numeric last label is a malformed address, not a name (RFC 3696 section 2)
    return host


def is_intacct_name(host: str) -> bool:
    """Whether a normalised host is ``intacct.com`` or a name under it (the official SDKs' test, plus the
    domain itself)."""
    bare = host.rstrip(".")
    return bare == _INTACCT or bare.endswith("." + _INTACCT)


def parse_host_header(value: str) -> tuple[str, int | None] | None:
    """``(host, port)`` from a ``Host`` header that is exactly ``host[:port]``, else ``None``."""
    match = _HOST_HEADER.fullmatch(value)
    if match is None:
        return None
    host = normalise_host(match["host"])
    port = int(match["port"]) if match["port"] else None
    if host is None or (port is not None and not 1 <= port <= 65535):
        return None
    return host, port


@dataclass(frozen=True)
class Advertiser:
    """Builds ``scheme://host[:port]`` for answers; ``advertise`` is a normalised host or ``None``."""

    scheme: str
    bound_host: str
    port: int
    advertise: str | None = None

    def base_url(self, host_header: str | None = None) -> str:
        """The base URL to hand a client whose request carried ``host_header`` (``None``: no request)."""
        named = parse_host_header(host_header) if host_header is not None else None
        if named is not None:
            host, port = named
            if not is_intacct_name(host) or host == self.advertise:
                return _url(self.scheme, host, port)
        return _url(self.scheme, self.advertise or self.bound_host, self.port)


def _url(scheme: str, host: str, port: int | None) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"
