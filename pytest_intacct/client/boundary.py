"""The containment boundary every public method of a client is: only an :class:`IntacctError` (or a
``KeyboardInterrupt``, ``SystemExit``) leaves it, re-raised there with no exception chain and a fresh
traceback, so no frame that held a request body (and its passwords, client secret or token) stays reachable
(docs/security.md, "No secret escapes the client").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from pytest_intacct.client.errors import IntacctError, UnexpectedError

P = ParamSpec("P")
S = TypeVar("S")
T = TypeVar("T")


def contained(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """Let only :class:`IntacctError` out of ``method``; any other exception becomes :class:`UnexpectedError`,
    and a ``KeyboardInterrupt`` or ``SystemExit`` leaves as itself, stripped like them."""

    @functools.wraps(method)
    def boundary(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except IntacctError as exc:
            error: IntacctError = exc
        except Exception as exc:
            error = UnexpectedError(exc)
        except BaseException as fatal:
            # Ctrl-C or SystemExit mid-request leaves as itself, without the frames that held the request.
            fatal.__cause__ = fatal.__context__ = None
            raise fatal.with_traceback(None) from None
        error.__cause__ = error.__context__ = None
        error.__suppress_context__ = True
        raise error.with_traceback(None)

    return boundary
