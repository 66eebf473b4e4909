"""A read-only client for the Sage Intacct XML gateway (API 3.0); usable without pytest."""

from pytest_intacct.client.client import (
    DEFAULT_ENDPOINT,
    ApiSession,
    Credentials,
    IntacctClient,
    WritePermit,
)
from pytest_intacct.client.endpoints import session_endpoint_allowed, validate_endpoint
from pytest_intacct.client.errors import (
    ClientUsageError,
    ErrorKind,
    FunctionFailed,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    IntacctError,
    Level,
    ResultMissing,
    UnexpectedError,
    WriteRefused,
    classify,
)
from pytest_intacct.client.transport import MAX_RETRIES, Retrying, RetryPolicy, Transport, validate_timeout
from pytest_intacct.safety.redaction import Secret

__all__ = [
    "DEFAULT_ENDPOINT",
    "MAX_RETRIES",
    "ApiSession",
    "ClientUsageError",
    "Credentials",
    "ErrorKind",
    "FunctionFailed",
    "GatewayError",
    "GatewayRejected",
    "GatewayUnavailable",
    "IntacctClient",
    "IntacctError",
    "Level",
    "ResultMissing",
    "RetryPolicy",
    "Retrying",
    "Secret",
    "Transport",
    "UnexpectedError",
    "WritePermit",
    "WriteRefused",
    "classify",
    "session_endpoint_allowed",
    "validate_endpoint",
    "validate_timeout",
]
