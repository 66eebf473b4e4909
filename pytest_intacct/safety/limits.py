"""Every bound on work the outside world can cause, in one place (stated with reasons in
docs/security.md)."""

from __future__ import annotations

# Environments read side by side by one run, and the default. A company in flight holds a few sockets
# (open files: see open_files_for) and a thread; its answer is in hand only while read and parsed.
DEFAULT_CONCURRENCY = 32
MAX_CONCURRENCY = 1024
# Re-sends after the first attempt of one gateway call.
MAX_RETRIES = 10
# Secrets: a value shorter than this is not redacted (it would blank ordinary words); one longer than
# this is refused (a password, session id or OAuth access token that long is not plausible, and redacting
# it would cost what an attacker chose). A REST access token is a JWT carrying claims and a signature
# (docs/rest.md): about a kilobyte, so the bound leaves room for four.
MIN_SECRET_LENGTH = 4
MAX_SECRET_LENGTH = 4096


def check_concurrency(value: int) -> int:
    """``value`` if it is a usable pool size (1..MAX_CONCURRENCY), else :class:`ValueError` saying why."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, got {value!r}")
    return value


# A gateway's answer: its bytes, its tags (every element has at least one "<", so counting them bounds
# the elements a parse builds before anything is built), its nesting (libxml2's own limit without
# XML_PARSE_HUGE) and the records one page of a list may hold (the query function's largest page).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
MAX_ANSWER_TAGS = 100_000
# Answers held (read, and being parsed) at once in one process, however many companies are in flight:
# each may cost MAX_ANSWER_BYTES and about 20 MB parsed, so hostile gateways cost at most about 1 GB.
MAX_ANSWERS_IN_HAND = 32
MAX_ANSWER_DEPTH = 256
MAX_PAGE_RECORDS = 2000
# A session id getAPISession hands out: an opaque token (the documented and observed ones are URL-safe
# base64 ending in ".."; the exact format is unconfirmed, so the rule is generous).
SESSION_ID_CHARACTERS = "A-Za-z0-9._~+/=-"
MIN_SESSION_ID_LENGTH = 8
MAX_SESSION_ID_LENGTH = 256

# An OAuth access token or refresh token the REST token endpoint hands out (docs/rest.md): a JWT, so
# base64url and dots; the length of Sage's is unconfirmed, so the rule is generous.
TOKEN_CHARACTERS = SESSION_ID_CHARACTERS
MIN_TOKEN_LENGTH = 16
MAX_TOKEN_LENGTH = MAX_SECRET_LENGTH
# A REST answer: the JSON values it may hold, counted before parsing (every value but the last of an
# object or array ends at a "," and each object or array opens with a bracket), and its nesting. A page of
# 1,000 records of 50 fields is 50,000 values.
MAX_ANSWER_VALUES = 100_000
# Rows one query-service page may carry (the service allows 4,000; the client asks for at most this).
MAX_QUERY_PAGE = 1000

# Text from outside the code (a gateway answer, a settings or profile value) shown in a report, and
# a name or id in it (an environment, a requirement, a date).
MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200

# Input files: settings, fleet, profile, waiver and scenario files are small; baselines and evidence
# packs grow with the fleet (about 16 KB and 20 KB a company).
MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024
MAX_DATA_FILE_BYTES = 512 * 1024 * 1024
