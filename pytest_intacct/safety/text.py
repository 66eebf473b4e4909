"""The one door for text from outside the code: gateway answers, settings, fleet files, profiles,
baselines, waivers and evidence packs all pass :func:`outside_text` before they enter the result model
or any report. Renderers escape for their own format on top."""

from __future__ import annotations

import re

from pytest_intacct.safety.limits import MAX_SECRET_LENGTH, MAX_TEXT_LENGTH
from pytest_intacct.safety.redaction import REDACTED_WHOLE, redact

# Line breaks, other control characters and bidirectional overrides: what could make text look like
# something else on a terminal or in a ticket.
_DECEPTIVE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` on one line: whitespace controls become spaces, other controls a visible escape."""
    return _DECEPTIVE.sub(lambda m: " " if m.group() in "\t\n\r" else f"\\u{ord(m.group()):04x}", text)


def outside_text(text: object, limit: int = MAX_TEXT_LENGTH) -> str:
    """``text`` as a report may show it: secrets masked, on one line with control and bidi characters
    shown escaped, and at most ``limit`` characters (a longer text says so). Applying it twice changes
    nothing more."""
    value = str(text)
    total = len(value)
    if total > limit + MAX_SECRET_LENGTH:
        # Redact a bounded head only (the cost stays bounded), and keep none of its last
        # MAX_SECRET_LENGTH characters: a secret the cut went through is never shown in part.
        value = redact(value[: limit + MAX_SECRET_LENGTH])
        value = value if value == REDACTED_WHOLE else value[:-MAX_SECRET_LENGTH]
    else:
        value = redact(value)
    value = one_line(value)
    if len(value) > limit or total > limit + MAX_SECRET_LENGTH:
        marker = f"… [{total} characters, the rest not shown]"
        value = value[: max(limit - len(marker), 0)] + marker
    return value
