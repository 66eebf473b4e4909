"""A read-only client for the Sage Intacct XML gateway (API 3.0); usable without pytest."""

from pytest_intacct.client.client import (
    DEFAULT_ENDPOINT,
    ApiSession,
    Credentials,
    IntacctClient,
    WritePermit,
)
from pytest_intacct.client.errors import (
    ErrorKind,
    FunctionFailed,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    IntacctError,
    Level,
    WriteRefused,
    classify,
)
from pytest_intacct.client.transport import RetryPolicy, Transport

__all__ = [
    "DEFAULT_ENDPOINT",
    "ApiSession",
    "Credentials",
    "ErrorKind",
    "FunctionFailed",
    "GatewayError",
    "GatewayRejected",
    "GatewayUnavailable",
    "IntacctClient",
    "IntacctError",
    "Level",
    "RetryPolicy",
    "Transport",
    "WritePermit",
    "WriteRefused",
    "classify",
]
