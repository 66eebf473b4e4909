"""Imported first by the driver: resolves exactly one host name, ``INTACCT_LOOPBACK_NAME``, to 127.0.0.1 in
this process and refuses every other name (IP literals included), so the client under test reaches nothing
but the local simulator. Without the variable nothing resolves at all. /etc/hosts is never touched."""

from __future__ import annotations

import os
import socket

NAME = os.environ.get("INTACCT_LOOPBACK_NAME", "").lower()
_system_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    name = host.decode() if isinstance(host, bytes) else host
    if not NAME or not isinstance(name, str) or name.lower() != NAME:
        raise socket.gaierror(socket.EAI_NONAME, f"loopback wrapper: refusing to resolve {name}")
    return _system_getaddrinfo("127.0.0.1", port, socket.AF_INET, type, proto, flags)


def active() -> bool:
    return bool(NAME) and socket.getaddrinfo is getaddrinfo


socket.getaddrinfo = getaddrinfo
