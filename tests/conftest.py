"""The project's tests talk to loopback only: a name or address anywhere else is refused, not looked up.

``no_intacct_variables`` is for modules that run the plugin with settings of their own
(``pytestmark = pytest.mark.usefixtures("no_intacct_variables")``).
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

# Loaded once here, before any in-process pytester run: pytester drops the modules a run imports, and a
# second run that imported requests afresh would mix two generations of its classes.
import pytest_intacct.plugin.session  # noqa: F401

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that would reach past this machine fails at once, saying so, instead of waiting on a network."""
    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _is_loopback(host):
            raise OSError(f"the project's tests use loopback only; refused to look up {host!r}")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def no_intacct_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``INTACCT_`` variable of the machine running the tests reaches a run; the test sets its own."""
    for name in [n for n in os.environ if n.startswith("INTACCT_")]:
        monkeypatch.delenv(name)
