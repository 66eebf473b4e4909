"""Every bound on work the outside world can cause, in one place (stated with reasons in
docs/security.md)."""

from __future__ import annotations

# Environments read side by side by one run, and the default.
DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 256
# Re-sends after the first attempt of one gateway call.
MAX_RETRIES = 10
# Secrets: a value shorter than this is not redacted (it would blank ordinary words); one longer than
# this is refused (a password or session id that long is not plausible, and redacting it would cost
# what an attacker chose).
MIN_SECRET_LENGTH = 4
MAX_SECRET_LENGTH = 1024


def check_concurrency(value: int) -> int:
    """``value`` if it is a usable pool size (1..MAX_CONCURRENCY), else :class:`ValueError` saying why."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, got {value!r}")
    return value


# Text from outside the code (a gateway answer, a settings or profile value) shown in a report.
MAX_TEXT_LENGTH = 2000
