"""An acceptance run: the environments, their profiles, one snapshot each, and the results so far.

Usable without pytest: ``AcceptanceRun(environments, profile).results()`` judges every requirement of
every environment, waivers applied. The pytest plugin asks for results one test at a time. Each
environment is judged by its own profile (``profiles``, default ``profile``); cross-environment
requirements are judged within each group of one profile (see :mod:`pytest_intacct.results.homes`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from pytest_intacct.checks import evaluate, evaluate_across, plan, raised, validate_profile
from pytest_intacct.client import Credentials, IntacctClient, Retrying, RetryPolicy, WritePermit, WriteRefused
from pytest_intacct.evidence.lanes import Progress, collect_all
from pytest_intacct.evidence.reads import Read, Subject
from pytest_intacct.evidence.snapshot import INTERNAL, Problem, Reading, Snapshot, collect
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.results import waivers as waiver_files
from pytest_intacct.results.finding import Outcome, RequirementResult
from pytest_intacct.results.homes import Home, homes
from pytest_intacct.results.waivers import Waiver, apply_waiver, find_waiver
from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY
from pytest_intacct.settings.environments import EnvironmentSettings


@dataclass(frozen=True)
class ClientOptions:
    """How the run talks to the gateway; ``on_retry`` is told, with the environment's name, before each
    wait to try a call again."""

    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    on_retry: Callable[[str, Retrying], None] | None = None


class AcceptanceRun:
    """Evaluates a profile's requirements against environments, reading each environment once.

    ``snapshots`` seeds the run with environments already read (handed over from another process, or
    replayed from an evidence pack); with ``offline`` the run never reads the gateway, and an environment
    it holds no snapshot of cannot be checked. ``waivers`` accept failures, judged on the one date
    ``today`` (UTC today when the run is made), also for a run that crosses midnight.
    """

    def __init__(
        self,
        environments: Sequence[EnvironmentSettings],
        profile: Profile,
        options: ClientOptions | None = None,
        *,
        snapshots: Iterable[Snapshot] = (),
        offline: bool = False,
        profiles: Mapping[str, Profile] | None = None,
        waivers: Sequence[Waiver] = (),
        today: dt.date | None = None,
    ) -> None:
        self.environments = {env.name: env for env in environments}
        self.profile = validate_profile(profile)
        validated = {id(profile): self.profile}
        for chosen in (profiles or {}).values():
            validated.setdefault(id(chosen), validate_profile(chosen))
        self._profiles = {
            name: validated[id((profiles or {}).get(name, profile))] for name in self.environments
        }
        members = ((name, env.group, self._profiles[name].name) for name, env in self.environments.items())
        self.homes: dict[str, Home] = {home.name: home for home in homes(members)}
        self.options = options or ClientOptions()
        self.offline = offline
        self.waivers = tuple(waivers)
        self.today = today or waiver_files.utc_today()
        self._snapshots: dict[str, Snapshot] = {s.environment: s for s in snapshots}
        self._results: dict[tuple[str, str], RequirementResult] = {}
        # One lock per company and endpoint, never one over the whole run: a company is read by one
        # request stream at a time, and different companies are read side by side.
        self._company_locks = {self.company(name): threading.Lock() for name in self.environments}

    def profile_of(self, name: str) -> Profile:
        """The profile an environment, or a home's environments, are judged by."""
        home = self.homes.get(name)
        return self._profiles[home.members[0] if home else name]

    @property
    def profiles(self) -> list[Profile]:
        """The run's profiles, each once, in the order environments name them."""
        return list({id(p): p for p in self._profiles.values()}.values()) or [self.profile]

    def home_of(self, name: str) -> Home:
        """The home of an environment (or the home itself); the only home when ``name`` is neither."""
        if name in self.homes:
            return self.homes[name]
        for home in self.homes.values():
            if name in home.members:
                return home
        if len(self.homes) == 1:
            return next(iter(self.homes.values()))
        raise KeyError(f"{name!r} is neither an environment nor a home of this run")

    def company(self, name: str) -> Hashable:
        """What identifies the company an environment reads: its company id at its endpoint."""
        credentials = self.environments[name].credentials
        return (credentials.company_id.casefold(), credentials.endpoint)

    def plan(self, environment: EnvironmentSettings) -> list[Read]:
        """Every read the profile's requirements need in this environment, each once."""
        subject = Subject(
            environment.identity.user_id, environment.developer_user_id, environment.auditor_user_id
        )
        return plan(self.profile_of(environment.name), subject)

    def client(self, name: str, write_permit: WritePermit | None = None) -> IntacctClient:
        """A new client for the environment, with the run's timeout and retries.

        Read-only, unless given a ``write_permit``, which only an environment whose settings say
        ``INTACCT_PRODUCTION=false`` explicitly accepts (a default never unlocks writes).
        """
        if self.offline:
            raise RuntimeError("this run replays recorded evidence and has no gateway to talk to")
        env = self.environments[name]
        if write_permit is not None and not env.writes_allowed:
            raise WriteRefused(
                f"writes to {name!r} need {env.identity.variable('INTACCT_PRODUCTION')}=false set explicitly"
            )
        on_retry = self.options.on_retry
        return IntacctClient(
            env.credentials,
            production=env.production,
            write_permit=write_permit,
            timeout=self.options.timeout,
            retry=self.options.retry,
            on_retry=partial(on_retry, name) if on_retry is not None else None,
        )

    def _reader(self, credentials: Credentials) -> IntacctClient:
        """A read-only client for another login of an environment (the auditor), never writing."""
        return IntacctClient(credentials, timeout=self.options.timeout, retry=self.options.retry)

    def snapshot(self, name: str) -> Snapshot:
        """The environment's snapshot, collected on first use; a collection that raises is its problem."""
        with self._company_locks[self.company(name)]:
            if name not in self._snapshots:
                env = self.environments[name]
                if self.offline:
                    problem = Problem("other", INTERNAL, f"the evidence pack holds no snapshot of {name!r}")
                    self._snapshots[name] = _unreadable(env, problem)
                    return self._snapshots[name]
                try:
                    with contextlib.ExitStack() as clients:
                        client = clients.enter_context(self.client(name))
                        auditor = env.auditor_credentials
                        auditor_client = clients.enter_context(self._reader(auditor)) if auditor else None
                        snapshot = collect(
                            client,
                            env.identity,
                            self.plan(env),
                            env.developer_user_id,
                            auditor=auditor_client,
                        )
                except Exception as error:
                    snapshot = _unreadable(env, Problem.from_exception(error))
                self._snapshots[name] = snapshot
            return self._snapshots[name]

    def snapshots(self) -> list[Snapshot]:
        """The snapshots read so far, in run order."""
        return [self._snapshots[name] for name in self.environments if name in self._snapshots]

    def prefetch(
        self,
        names: Iterable[str] | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        """Read the environments not read yet side by side, at most ``concurrency`` at a time."""
        wanted = [n for n in (self.environments if names is None else names) if n not in self._snapshots]
        if wanted:
            collect_all(wanted, self.snapshot, key=self.company, concurrency=concurrency, progress=progress)

    def result(self, environment: str, requirement: Requirement) -> RequirementResult:
        """The (memoized) result of one requirement, a failure under a waiver ``waived``; across
        environments it is judged in the home of ``environment`` (a home's name, or one of its
        environments; with one home, anything).

        Whatever goes wrong in judging becomes an ``error`` finding for this requirement; only a
        cross-environment requirement asked of a name that is neither a home nor an environment of a
        run with several homes raises (KeyError): there is no group to judge it in.
        """
        across = requirement.across_environments
        home = self.home_of(environment) if across else None
        key = (home.name if home else environment, requirement.id)
        if key not in self._results:
            try:
                if home is not None:
                    snapshots = [self.snapshot(name) for name in home.members]
                    finding = evaluate_across(requirement, self.profile_of(home.name), snapshots)
                else:
                    finding = evaluate(requirement, self.profile_of(environment), self.snapshot(environment))
            except Exception as error:
                finding = raised(requirement, error)
            judged = RequirementResult(key[0], requirement, finding)
            self._results[key] = apply_waiver(judged, self.waivers, self.today)[0]
        return self._results[key]

    def results(self) -> list[RequirementResult]:
        """Every requirement of every environment, then of every home, in run order then profile order."""
        return [
            self.result(name, requirement)
            for name in [*self.environments, *self.homes]
            for requirement in self.profile_of(name).requirements
            if requirement.across_environments == (name in self.homes)
        ]

    def waiver_of(self, result: RequirementResult) -> Waiver | None:
        """The waiver that waived ``result``; None unless it is ``waived``."""
        if result.outcome is not Outcome.WAIVED:
            return None
        return find_waiver(self.waivers, result.environment, result.requirement.id)


def _unreadable(env: EnvironmentSettings, problem: Problem) -> Snapshot:
    """The snapshot of an environment whose collection raised: its sign-in carries the problem."""
    return Snapshot(env.identity, Reading(problem=problem), developer_user_id=env.developer_user_id)
