"""Plain Python values from ``<data>`` payloads: object records and effective permissions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from pytest_intacct.client.errors import ErrorKind, GatewayUnavailable

Record = dict[str, Any]
# application name -> policy name -> rights, as getUserPermissions reports them.
Permissions = Mapping[str, Mapping[str, frozenset[str]]]


def to_records(data: etree._Element | None) -> list[Record]:
    """Each child of ``<data>`` as a dict of its fields; nested elements become nested dicts."""
    if data is None:
        return []
    return [_value(child) for child in data if isinstance(child.tag, str)]


def _value(el: etree._Element) -> Any:
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return (el.text or "").strip()
    record: Record = {}
    for child in children:
        value = _value(child)
        if child.tag in record:
            existing = record[child.tag]
            record[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            record[child.tag] = value
    return record


def to_permissions(data: etree._Element | None) -> dict[str, dict[str, frozenset[str]]]:
    """Parse ``<permissions><appSubscription>…`` (docs/gateway.md#permissions); rights are pipe-delimited.

    One policy listed twice under one application with different rights is no answer about either:
    :class:`GatewayUnavailable` (``unreadable``), both shown.
    """
    permissions: dict[str, dict[str, frozenset[str]]] = {}
    if data is None:
        return permissions
    for app in data.iter("appSubscription"):
        name = (app.findtext("applicationName") or "").strip()
        policies = permissions.setdefault(name, {})
        for policy in app.iter("policy"):
            policy_name = (policy.findtext("policyName") or "").strip()
            rights = frozenset(r.strip() for r in (policy.findtext("rights") or "").split("|") if r.strip())
            before = policies.setdefault(policy_name, rights)
            if before != rights:
                raise GatewayUnavailable(
                    ErrorKind.CONTRADICTORY,
                    f"getUserPermissions lists {name} > {policy_name} twice, with rights "
                    f"{'|'.join(sorted(before)) or 'none'} and {'|'.join(sorted(rights)) or 'none'}",
                )
    return permissions
