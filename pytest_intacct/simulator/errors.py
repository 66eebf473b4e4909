"""The gateway's error catalogue: numbers and texts, as in docs/gateway.md#errors.

Every function returns a :class:`WireError`; where the reference marks a text unconfirmed the
docstring says "assumption" and docs/simulator.md lists it.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class WireError:
    """One ``<error>`` element. ``minimal`` errors carry only errorno and description (gateway form)."""

    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""
    minimal: bool = False


def support_id() -> str:
    """A Support ID shaped like the live ones, ``~`` URL-encoded as ``%7E`` (see docs/gateway.md#errors)."""
    head = "".join(secrets.choice(_ALNUM) for _ in range(5))
    digits = "".join(secrets.choice(string.digits) for _ in range(9))
    tail = "".join(secrets.choice(_ALNUM + "-_") for _ in range(22))
    return f"{head}EBXMLGW{digits}-AG%7E{tail}AAAA{secrets.choice('ABCDEFGHI')}"


def with_support_id(text: str) -> str:
    return f"{text} [Support ID: {support_id()}]"


# --- control level -------------------------------------------------------------------------------


def xml_parse_error(message: str) -> WireError:
    """Malformed XML or DTD violation; ``message`` is already in libxml2 form."""
    return WireError("XL03000003", description2=with_support_id(message))


def sender_incorrect() -> WireError:
    """Unknown sender id or wrong sender password (control level, HTTP 200)."""
    return WireError("XL03000006", description2="Incorrect Intacct XML Partner ID or password.")


def invalid_request() -> WireError:
    """Unknown company id (HTTP 400, minimal control block)."""
    return WireError("invalidRequest", description="Invalid Request", minimal=True)


def sign_in_gateway() -> WireError:
    """Bad user id or password, current form (HTTP 401, minimal control block)."""
    return WireError(
        "XMLGW_JPP0002",
        description="Sign-in information is incorrect. Please check your request.",
        minimal=True,
    )


def rate_limited() -> WireError:
    """Throttling (HTTP 429); the XML body shape is partly documented (docs/gateway.md#errors)."""
    return WireError("GW-0010", description="API rate limit exceeded", minimal=True)


# --- authentication level ------------------------------------------------------------------------


def sender_not_authorized(sender_id: str, company_id: str) -> WireError:
    """The sender is valid but not in the company's Web Services authorizations
    (developer.intacct.com/support/faq)."""
    return WireError(
        "XL03000006",
        description="Invalid Web Services Authorization",
        description2=(
            f"The sender ID '{sender_id}' is not authorized to make Web Services requests "
            f"to company ID '{company_id}'."
        ),
        correction="Contact the company administrator to grant Web Services authorization to this sender ID.",
    )


def sign_in_legacy() -> WireError:
    """Bad user id or password, legacy HTTP-200 authentication-level form."""
    return WireError("XL03000006", description2="Sign-in information is incorrect")


def invalid_session(text: str) -> WireError:
    """Unknown or expired session id. Assumption: exact wording (fixture is truncated)."""
    return WireError("XL03000006", description2=text)


def descriptive_sign_in(text: str, correction: str = "") -> WireError:
    """Opt-in descriptive texts for undocumented refusals. Assumption 1 in docs/simulator.md."""
    return WireError("XL03000006", description="Sign-in failed", description2=text, correction=correction)


# --- result level --------------------------------------------------------------------------------


def no_permission(operation: str, object_type: str) -> WireError:
    """Missing right; the text sits in description2, where the fylein SDK looks."""
    return WireError(
        "PL04000005",
        description2=with_support_id(
            f"You do not have permission for API operation {operation} on objects of type {object_type}"
        ),
    )


def object_not_found(object_name: str) -> WireError:
    """Unknown object name."""
    return WireError("Query Failed", description2=f"Object definition {object_name} not found")


def query_failed(text: str) -> WireError:
    """Bad field list or query syntax. Assumption: errorno and text (docs/simulator.md, assumptions lists
    both as unconfirmed)."""
    return WireError("Query Failed", description2=text)


def processing_error(detail: str) -> WireError:
    """Generic error, with a simulator-specific detail. Assumption for every use but the generic one."""
    return WireError("DL02000001", description="Error", description2=with_support_id(detail))


def rolled_back() -> WireError:
    """Appended to every function of a failed ``transaction="true"`` operation."""
    return WireError(
        "XL03000009",
        description2="The entire transaction in this operation has been rolled back due to an error.",
    )
