"""An acceptance run: the environments, their profiles, one snapshot each, and the results so far.

Usable without pytest: ``AcceptanceRun(environments, profile).results()`` judges every requirement of
every environment, waivers applied. The pytest plugin asks for results one test at a time, while the
environments its next tests judge are read in the background (:meth:`AcceptanceRun.read_ahead`), and
forgets an environment's evidence once its tests are done (:meth:`AcceptanceRun.release`). Each
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
from pytest_intacct.client.rest import RestClient, RestCredentials
from pytest_intacct.evidence.lanes import Progress, collect_all
from pytest_intacct.evidence.reads import Subject
from pytest_intacct.evidence.snapshot import INTERNAL, AnyRead, Problem, Reading, Snapshot, collect
from pytest_intacct.profiles import Profile, Requirement
from pytest_intacct.results import waivers as waiver_files
from pytest_intacct.results.finding import Outcome, RequirementResult
from pytest_intacct.results.homes import Home, homes
from pytest_intacct.results.waivers import Waiver, apply_waiver, find_waiver
from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY
from pytest_intacct.settings.environments import EnvironmentSettings

# Environments read ahead of the tests per request stream: enough that tests do not wait on a fast gateway
# (a stream reads a company in two round trips while the tests judge several), few enough that a fleet of
# thousands holds only a window of them in memory.
READ_AHEAD_PER_STREAM = 2


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
    ``today`` (UTC today when the run is made), also for a run that crosses midnight. With
    ``keep_evidence`` a released environment's snapshot is kept (an evidence pack is written from them).
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
        keep_evidence: bool = False,
    ) -> None:
        self.environments = {env.name: env for env in environments}
        self.profile = validate_profile(profile)
        validated = {id(profile): self.profile}
        for chosen in (profiles or {}).values():
            if id(chosen) not in validated:  # each profile once, however many environments it judges
                validated[id(chosen)] = validate_profile(chosen)
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
        self.keep_evidence = keep_evidence
        self._released: set[str] = set()
        # Reading in the background: each environment's "read" event, the readers, and their progress.
        self._reading: dict[str, threading.Event] = {}
        self._readers: list[threading.Thread] = []
        self._stop = threading.Event()
        self._progress = _Counter()
        # The read-ahead window: each environment's place in reading order, and how far the tests have
        # asked (one past the furthest place waited for), so evidence is read only so far ahead of them.
        self._place: dict[str, int] = {}
        self._asked = 0
        self._asked_changed = threading.Condition()

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

    def group_of(self, name: str) -> str:
        """The group of an environment or a home."""
        home = self.homes.get(name)
        return home.group if home else self.environments[name].identity.group

    def company(self, name: str) -> Hashable:
        """What identifies the company an environment reads: its company id at its endpoint."""
        credentials = self.environments[name].credentials
        return (credentials.company_id.casefold(), credentials.endpoint)

    def plan(self, environment: EnvironmentSettings) -> list[AnyRead]:
        """Every read the profile's requirements need in this environment, each once (the REST API's too,
        when the environment has REST access)."""
        subject = Subject(
            environment.identity.user_id,
            environment.developer_user_id,
            environment.auditor_user_id,
            environment.rest_login,
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

    def _rest(self, name: str, credentials: RestCredentials) -> RestClient:
        """The environment's REST client (read-only: it has no way to write), with the run's timeout,
        retries and retry notices."""
        on_retry = self.options.on_retry
        return RestClient(
            credentials,
            timeout=self.options.timeout,
            retry=self.options.retry,
            on_retry=partial(on_retry, name) if on_retry is not None else None,
        )

    def snapshot(self, name: str) -> Snapshot:
        """The environment's snapshot, collected on first use (or waited for, when it is being read in the
        background); a collection that raises is its problem."""
        self.wait([name])
        return self._snapshot(name)

    def _snapshot(self, name: str) -> Snapshot:
        if name in self._released:
            raise RuntimeError(f"{name!r} was released: its requirements were all judged")
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
                        rest = env.rest_credentials
                        rest_client = clients.enter_context(self._rest(name, rest)) if rest else None
                        snapshot = collect(
                            client,
                            env.identity,
                            self.plan(env),
                            env.developer_user_id,
                            auditor=auditor_client,
                            rest=rest_client,
                        )
                except Exception as error:
                    snapshot = _unreadable(env, Problem.from_exception(error))
                self._snapshots[name] = snapshot
            return self._snapshots[name]

    def keep(self, snapshots: Iterable[Snapshot]) -> None:
        """Hold snapshots read elsewhere (another process's), as if this run had read them."""
        for snapshot in snapshots:
            self._snapshots.setdefault(snapshot.environment, snapshot)

    def snapshots(self) -> list[Snapshot]:
        """The snapshots read (and kept) so far, in run order."""
        return [self._snapshots[name] for name in self.environments if name in self._snapshots]

    def prefetch(
        self,
        names: Iterable[str] | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        """Read the environments not read yet side by side, at most ``concurrency`` at a time, and return
        once they are read."""
        wanted = [n for n in (self.environments if names is None else names) if n not in self._snapshots]
        if wanted:
            collect_all(wanted, self._snapshot, key=self.company, concurrency=concurrency, progress=progress)

    def read_ahead(self, names: Iterable[str], *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        """Start reading ``names`` in the background, in that order, at most ``concurrency`` side by side,
        and return at once; an environment read or being read already is skipped. A snapshot asked for
        meanwhile waits for its environment's reading (:meth:`wait`). Reading keeps at most
        :data:`READ_AHEAD_PER_STREAM` times ``concurrency`` environments ahead of the furthest one waited for,
        so the evidence held at once stays bounded however large the fleet."""
        wanted = [
            name
            for name in dict.fromkeys(names)
            if name not in self._snapshots and name not in self._reading and not self.offline
        ]
        if not wanted:
            return
        for name in wanted:
            self._reading[name] = threading.Event()
            self._place[name] = len(self._place)
        self._progress.add(len(wanted))
        reader = threading.Thread(
            target=self._read, args=(wanted, concurrency), name="intacct-reader", daemon=True
        )
        self._readers.append(reader)
        reader.start()

    def _read(self, names: list[str], concurrency: int) -> None:
        def read_one(name: str) -> Snapshot:
            try:
                snapshot = self._snapshot(name)
                self._progress.done(failed=snapshot.sign_in.problem is not None)
                return snapshot
            finally:
                self._reading[name].set()

        window = READ_AHEAD_PER_STREAM * concurrency

        def admit(name: str) -> None:
            with self._asked_changed:
                self._asked_changed.wait_for(
                    lambda: self._place[name] < self._asked + window or self._stop.is_set()
                )

        try:
            collect_all(
                names, read_one, key=self.company, concurrency=concurrency, stop=self._stop, admit=admit
            )
        finally:
            for name in names:  # stopped early: whoever waits reads it, or finds the run over
                self._reading[name].set()

    def wait(self, names: Iterable[str], on_wait: Callable[[Progress], None] | None = None) -> None:
        """Return once none of ``names`` is being read in the background; ``on_wait`` is told the
        background reading's progress about four times a second meanwhile."""
        names = list(names)
        places = [self._place[name] + 1 for name in names if name in self._place]
        with self._asked_changed:
            if places and max(places) > self._asked:
                self._asked = max(places)
                self._asked_changed.notify_all()
        for name in names:
            event = self._reading.get(name)
            if event is None:
                continue
            while not event.wait(0.25 if on_wait else None):
                if on_wait is not None:
                    on_wait(self._progress.now())

    @property
    def progress(self) -> Progress:
        """How far the background reading has come."""
        return self._progress.now()

    def stop_reading(self) -> None:
        """Start no more background reads, and return once the ones in flight are done."""
        self._stop.set()
        with self._asked_changed:
            self._asked_changed.notify_all()
        for reader in self._readers:
            reader.join()

    def release(self, name: str) -> None:
        """Forget an environment's results and (unless ``keep_evidence``) its snapshot: every requirement
        judged on it is done. Reading it again afterwards is an error, never a second read."""
        self._released.add(name)
        for key in [key for key in self._results if key[0] == name]:
            del self._results[key]
        if not self.keep_evidence:
            self._snapshots.pop(name, None)

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


class _Counter:
    """The background reading's progress, counted from the reader threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = self._done = self._failures = 0

    def add(self, count: int) -> None:
        with self._lock:
            self._total += count

    def done(self, *, failed: bool) -> None:
        with self._lock:
            self._done += 1
            self._failures += failed

    def now(self) -> Progress:
        with self._lock:
            return Progress(self._done, self._total, self._failures)


def _unreadable(env: EnvironmentSettings, problem: Problem) -> Snapshot:
    """The snapshot of an environment whose collection raised: its sign-in carries the problem."""
    return Snapshot(env.identity, Reading(problem=problem), developer_user_id=env.developer_user_id)
