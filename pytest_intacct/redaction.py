"""Secrets that cannot leak: a wrapper that hides its value, and redaction at the source.

Passwords and session ids are held in :class:`Secret` from the moment they are read, so a stray
``repr``, f-string or assertion message shows ``***`` instead of the value. Text that has to carry
XML (debug logs, evidence) goes through :func:`redact`, which blanks the elements the official SDKs
redact (see intacct-xml-api.md §4.3) and every registered secret value, whatever element it sits in.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"

# The elements the official SDKs' MessageFormatter blanks, matched across lines (the SDKs' own
# regex misses multi-line content, intacct-xml-api.md §4.3 caveats).
_SENSITIVE_ELEMENTS = re.compile(
    r"(<(password|sessionid|accountnumber|cardnum|ssn|achaccountnumber|wireaccountnumber|taxid)\b[^>]*>)"
    r"(.*?)(</\2\s*>)",
    re.IGNORECASE | re.DOTALL,
)


class Secret:
    """A string that never shows itself: ``str``, ``repr`` and formatting give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        _REGISTRY.add(value)

    def reveal(self) -> str:
        """The real value, for the one place that must send it on the wire."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled or copied out of the process")


def spellings(value: str) -> set[str]:
    """The forms a secret takes on its way to a log or report: raw, XML-escaped (named, decimal and
    hex character references), URL-encoded (``%3C``/``%3c``, ``+`` for space), and escaped as
    Python ``repr``/``ascii``, JSON and bytes literals do (``\\``, ``\\u00e9``, ``\\xc3\\xa9``)."""
    escaped = html.escape(value, quote=False)
    xml_bases = {value, escaped, html.escape(value), escaped.replace('"', "&quot;").replace("'", "&apos;")}
    forms: set[str] = set()
    for base in xml_bases:
        forms.add(base)
        forms.add("".join(c if c.isascii() else f"&#{ord(c)};" for c in base))
        forms.add("".join(c if c.isascii() else f"&#x{ord(c):x};" for c in base))
        forms.add("".join(c if c.isascii() else f"&#x{ord(c):X};" for c in base))
    forms.add("".join(c if c.isascii() and c.isalnum() else f"&#{ord(c)};" for c in value))
    forms.add("".join(c if c.isascii() and c.isalnum() else f"&#x{ord(c):x};" for c in value))
    for encoded in (quote(value, safe=""), quote_plus(value, safe=""), quote(value), quote_plus(value)):
        forms.add(encoded)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded))
    forms.add(repr(value)[1:-1])
    forms.add(ascii(value)[1:-1])
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
    forms.add(repr(value.encode("utf-8"))[2:-1])
    forms.add(value.encode("unicode_escape").decode("ascii"))
    # Escaped twice, as a repr of a string holding XML does.
    forms |= {repr(form)[1:-1] for form in list(forms)}
    return {form for form in forms if form}


class _SecretRegistry:
    """Every secret value this process has seen, in every spelling, so free text can be scrubbed."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._forms: list[str] = []
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        # Very short values would blank ordinary words; nothing real is that short.
        if len(value) >= 4 and value not in self._values:
            with self._lock:
                self._values.add(value)
                forms = set(self._forms) | spellings(value)
                self._forms = sorted(forms, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        with self._lock:
            forms = self._forms
        for value in forms:
            if value in text:
                text = text.replace(value, MASK)
        return text


_REGISTRY = _SecretRegistry()


def register_secret(value: str) -> None:
    """Remember a secret value that did not arrive as a :class:`Secret` (e.g. a session id)."""
    _REGISTRY.add(value)


def redact(text: str) -> str:
    """Blank sensitive XML elements and every known secret value in ``text``."""
    text = _SENSITIVE_ELEMENTS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", text)
    return _REGISTRY.scrub(text)


class RedactingFilter(logging.Filter):
    """A logging filter that renders the message and redacts it before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        return True


def redacting_logger(name: str) -> logging.Logger:
    """A logger whose records are redacted at the source, before handlers or pytest's capture."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
