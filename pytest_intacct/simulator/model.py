"""The scenario model: companies, senders, users, roles and logins (immutable; see ``schema.py`` for how
they are built and validated from a scenario file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Rights = Mapping[tuple[str, str], frozenset[str]]  # (application, policy) -> rights


@dataclass(frozen=True)
class ScenarioLogin:
    """Credentials the integrator was handed; they may be wrong on purpose."""

    name: str
    sender_id: str
    sender_password: str = field(repr=False)
    company_id: str
    user_id: str
    user_password: str = field(repr=False)
    entity_id: str | None = None
    developer_user_id: str | None = None  # the environment's developer account, when the runbook asks for one
    # A second login of the same company that reads users, roles and permissions (docs/diagnosis.md).
    auditor_user_id: str | None = None
    auditor_user_password: str | None = field(default=None, repr=False)
    # An authorized client application's credentials for the REST API (docs/rest.md), and the username its
    # token is asked for (None: the checker's default, the auditor login or else the user).
    rest_client_id: str | None = None
    rest_client_secret: str | None = field(default=None, repr=False)
    rest_username: str | None = None


@dataclass(frozen=True)
class Sender:
    sender_id: str
    password: str = field(repr=False)
    active: bool = True


@dataclass(frozen=True)
class RestApplication:
    """An application registered for the REST API (a client ID and its secret), as Sage's developer console
    issues them; a company still has to authorize it."""

    client_id: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class AuthorizedClient:
    """An entry of a company's Authorized client applications: active or not, and the Web Services user it
    is for (None: any user of the company)."""

    active: bool = True
    user: str | None = None


@dataclass(frozen=True)
class Sandbox:
    sandbox_id: str
    state: str = "ready"  # ready | inProgress | pending | failed


@dataclass(frozen=True)
class User:
    login_id: str
    password: str = field(repr=False)
    record_no: int
    status: str = "active"
    user_type: str = "business user"
    admin: str = "Off"
    web_services_only: bool = False
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    roles: tuple[str, ...] = ()
    permissions: Rights = field(default_factory=dict)
    entities: tuple[str, ...] = ()  # USERLOCATIONS: the entities it is restricted to (none: unrestricted)
    password_never_expires: bool = False  # REST user.password.neverExpires
    top_level_access: bool = True  # REST user.entityAccess.allowTopLevelAccess (not enforced at sign-in)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.login_id


@dataclass(frozen=True)
class Role:
    name: str
    record_no: int
    description: str = ""
    permissions: Rights = field(default_factory=dict)


@dataclass(frozen=True)
class UserGroup:
    name: str
    record_no: int
    description: str = ""
    members: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Company:
    company_id: str
    name: str
    web_services: bool
    authorized_senders: Mapping[str, bool]  # sender id -> authorization active
    ip_filter_enforced: bool
    ip_allowed: tuple[str, ...]
    permission_type: str
    entities: tuple[str, ...]
    users: Mapping[str, User]
    roles: Mapping[str, Role]
    groups: Mapping[str, UserGroup]
    records: Mapping[str, tuple[Mapping[str, str], ...]]
    subscriptions: tuple[str, ...] = ()  # application codes, as get_applications lists them
    # The REST face's company-config facts (docs/simulator.md, "The REST face").
    ip_filter_mode: str = "companyLevel"  # company-preference.ipAddressFiltering while enforced
    authorized_clients: Mapping[str, AuthorizedClient] = field(default_factory=dict)
    slide_in_disabled: bool = False
    sandboxes: tuple[Sandbox, ...] = ()


@dataclass(frozen=True)
class GatewaySettings:
    sign_in_failure: str = "http401"
    descriptive_errors: bool = False
    session_duration: int = 3600
    invalid_session_text: str = "Invalid session"
    strict_session_endpoint: bool = False
    token_lifetime: int = 3600  # seconds a REST access token lives (expires_in)


@dataclass(frozen=True)
class QueuedFault:
    kind: str
    count: int = 1
    status: int = 503


@dataclass(frozen=True)
class FaultSettings:
    latency: float = 0.0
    rate_limit: int = 0
    concurrency_limit: int = 0
    fail_every: int = 0
    fail_status: int = 503
    queued: tuple[QueuedFault, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: one or more companies plus the logins handed to the integrator."""

    name: str
    path: str
    description: str
    profile: str  # the runbook profile a demo of this scenario checks by default ("" for none)
    senders: Mapping[str, Sender]
    companies: Mapping[str, Company]
    rest_applications: Mapping[str, RestApplication]
    logins: tuple[ScenarioLogin, ...]
    gateway: GatewaySettings
    faults: FaultSettings

    @property
    def primary_login(self) -> ScenarioLogin:
        return self.logins[0]
