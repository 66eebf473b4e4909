"""Secrets that cannot leak: a wrapper that hides its value, and redaction at the source.

Passwords and session ids are held in :class:`Secret` from the moment they are read, so a stray
``repr``, f-string or assertion message shows ``***`` instead of the value. Text that has to carry
XML (debug logs, evidence) goes through :func:`redact`, which blanks the elements the official SDKs
redact (intacct-sdk-php ``src/Intacct/Logging/MessageFormatter.php``) and every registered secret
value in every spelling, whatever element it sits in.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from typing import Any
from urllib.parse import unquote_plus

from pytest_intacct.safety.limits import MAX_SECRET_LENGTH, MIN_SECRET_LENGTH

MASK = "***"
ANCHOR_LENGTH = 4
_ALNUM_RUN = re.compile(f"[a-z0-9]{{{ANCHOR_LENGTH},}}")

# The elements the official SDKs' MessageFormatter blanks, matched across lines (the SDKs' own
# regex matches within one line only).
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


_ENTITIES = {"<": ("lt",), ">": ("gt",), "&": ("amp",), '"': ("quot",), "'": ("apos",)}
# A character reference, XML-escaped any number of times (``&lt;``, ``&amp;lt;``, ``&amp;amp;#60;``),
# or URL-encoded after that (``%26lt%3B``).
_AMP = r"(?:&(?:amp;)*|%26(?:amp%3B)*)"
_SEMI = r"(?:;|%3B)"
_CONTROL_ESCAPES = {"\n": "n", "\r": "r", "\t": "t"}
REDACTED_WHOLE = "[redacted: this text held a secret in an encoded form]"


def _char_pattern(c: str) -> str:
    """Every spelling of one character of a secret on its way to a log or report.

    Letters and digits are never escaped by XML, URL or repr encoders, so they stand for themselves
    (a text that spells them as character references is caught by the decoded-view check).
    """
    if c.isascii() and c.isalnum():
        return c
    code = ord(c)
    names = (*_ENTITIES.get(c, ()), f"#0*{code}", f"#x0*{code:x}")
    forms = [re.escape(c)]
    forms += [_AMP + name + _SEMI for name in names]
    utf8 = c.encode("utf-8")
    forms.append("".join(f"%{b:02x}" for b in utf8))  # URL-encoded (case-insensitive match)
    if c == " ":
        forms.append(r"\+")
    if c in "\\'\"" or not c.isprintable() or not c.isascii():
        # repr/ascii/JSON escapes and bytes literals, escaped again any number of times:
        # \\, \', \", \n, \xeb, \u00eb, \xc3\xab
        escapes = [re.escape(c), f"x{code:02x}", f"u{code:04x}", f"U{code:08x}"]
        escapes += [_CONTROL_ESCAPES[c]] if c in _CONTROL_ESCAPES else []
        escapes.append(r"\\+".join(f"x{b:02x}" for b in utf8))
        forms.append(r"\\+(?:" + "|".join(escapes) + ")")
    return "(?:" + "|".join(forms) + ")"


def secret_pattern(value: str) -> re.Pattern[str]:
    """A pattern matching ``value`` raw, XML-escaped (at any depth, named, decimal or hex references),
    URL-encoded (``%3C``/``%3c``, ``+`` for a space, also of the XML-escaped form), and escaped as a
    Python ``repr``/``ascii``, a JSON string or a bytes literal do (``\\\\``, ``\\u00eb``,
    ``\\xc3\\xab``). Letters match in any case: over-redaction is the safe side."""
    # Every spelling starts with the first character itself, "&", "%", "+" or "\\": a lookahead on
    # those keeps the scan fast where the secret cannot start.
    first = re.escape("".join(sorted({value[0].lower(), value[0].upper()})) + "&%+\\")
    return re.compile(f"(?=[{first}])" + "".join(_char_pattern(c) for c in value), re.IGNORECASE)


def _decoded_views(text: str, depth: int = 3) -> list[str]:
    """What the text says once decoded, up to ``depth`` times, the ways a report or log encodes it."""
    views, frontier = [text], [text]
    for _ in range(depth):
        frontier = [decode(view) for view in frontier for decode in (html.unescape, unquote_plus)]
        frontier = [view for view in dict.fromkeys(frontier) if view not in views]
        views += frontier
    return views


class _SecretRegistry:
    """Every secret value this process has seen, so free text can be scrubbed of it in any spelling.

    A run may hold thousands of secrets (a fleet's passwords and session ids), so scrubbing does not try
    each one: every spelling :func:`secret_pattern` matches keeps the secret's ASCII letters and digits as
    they are (in any case), so a secret is a candidate only where a four-character piece of its longest
    run of them (its *anchor*) appears in the text. A secret without such a run is always a candidate.
    A secret's pattern is compiled the first time it is a candidate, so registering costs nearly nothing.
    """

    def __init__(self) -> None:
        self._patterns: dict[str, re.Pattern[str] | None] = {}  # value -> its pattern, once compiled
        self._by_anchor: dict[str, set[str]] = {}
        self._anchorless: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        # Very short values would blank ordinary words; nothing real is that short.
        if len(value) < MIN_SECRET_LENGTH or value in self._patterns:
            return
        if len(value) > MAX_SECRET_LENGTH:
            raise ValueError(f"a secret longer than {MAX_SECRET_LENGTH} characters is not plausible")
        anchor = _anchor(value)
        with self._lock:
            self._patterns.setdefault(value, None)
            if anchor is None:
                self._anchorless.add(value)
            else:
                self._by_anchor.setdefault(anchor, set()).add(value)

    def _candidates(self, text: str) -> set[str]:
        """The secrets whose anchor appears in ``text`` (in any case), and those without an anchor."""
        found = set(self._anchorless)
        if self._by_anchor:
            width = ANCHOR_LENGTH
            pieces = {
                run[i : i + width]
                for run in _ALNUM_RUN.findall(text.lower())
                for i in range(len(run) - width + 1)
            }
            for anchor in pieces & self._by_anchor.keys():
                found |= self._by_anchor[anchor]
        return found

    def _pattern(self, value: str) -> re.Pattern[str]:
        pattern = self._patterns.get(value)
        if pattern is None:
            pattern = secret_pattern(value)
            with self._lock:
                self._patterns[value] = pattern
        return pattern

    def scrub(self, text: str) -> str:
        with self._lock:
            candidates = self._candidates(text)
        if not candidates and not _encoded(text):
            return text  # no secret's anchor, and nothing that could spell one encoded
        for value in sorted(candidates, key=len, reverse=True):
            text = self._pattern(value).sub(MASK, text)
        # A spelling the patterns do not know (encodings stacked in another order): drop the whole text.
        if _encoded(text):
            for view in _decoded_views(text)[1:]:
                with self._lock:
                    decoded = self._candidates(view)
                if any(value in view for value in decoded):
                    return REDACTED_WHOLE
        elif any(value in text for value in candidates):
            return REDACTED_WHOLE
        return text


def _encoded(text: str) -> bool:
    """Whether ``text`` holds what starts an XML reference or a URL encoding."""
    return "&" in text or "%" in text or "+" in text


def _anchor(value: str) -> str | None:
    """The first four characters of the secret's longest run of ASCII letters and digits, in lower case."""
    runs = _ALNUM_RUN.findall(value.lower())
    longest = max(runs, key=len, default="")
    return longest[:ANCHOR_LENGTH] if len(longest) >= ANCHOR_LENGTH else None


_REGISTRY = _SecretRegistry()


def register_secret(value: str) -> None:
    """Remember a secret value that did not arrive as a :class:`Secret` (e.g. a session id)."""
    _REGISTRY.add(value)


def redact(text: str) -> str:
    """Blank sensitive XML elements and every known secret value in ``text``."""
    if "<" in text:
        text = _SENSITIVE_ELEMENTS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", text)
    return _REGISTRY.scrub(text)


def redact_values(value: Any) -> Any:
    """Every string in plain data redacted (keys too), its structure kept: a secret spelled like
    ``false`` or like a key cannot break a JSON document, as redacting its serialized text would."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(key)): redact_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_values(item) for item in value]
    return value


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
