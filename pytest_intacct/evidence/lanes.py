"""Collect many environments concurrently: a bounded pool, one request stream per company, failures contained.

Independent of pytest. ``collect_all(environments, collect_one, key=...)`` runs ``collect_one`` for every
environment in a thread pool of at most ``concurrency`` threads. Environments that share a key (an Intacct
company id and endpoint) run one after another on the same worker, so a company never has two of them in
flight; different keys run in parallel. Nothing is locked across the calls themselves. Whatever
``collect_one`` raises becomes that environment's :class:`Collected` ``error``; the others carry on. A
caller's ``stop`` event ends the collection early: environments not started by then are not collected.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY, check_concurrency

# Open files a company in flight may hold (a socket for each of its logins, and the simulator's end of
# each on loopback), and what the rest of a run keeps open (pytest, its outputs, libraries).
FILES_PER_COMPANY = 4
FILES_FOR_THE_RUN = 128

E = TypeVar("E")
T = TypeVar("T")


@dataclass(frozen=True)
class Collected(Generic[E, T]):
    """One environment's outcome: its ``value``, or the ``error`` ``collect_one`` raised."""

    environment: E
    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Progress:
    """Reported after each environment: how many are done of how many, and how many failed so far."""

    done: int
    total: int
    failures: int


def collect_all(
    environments: Sequence[E],
    collect_one: Callable[[E], T],
    key: Callable[[E], Hashable],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    admit: Callable[[E], None] | None = None,
) -> list[Collected[E, T]]:
    """Collect every environment (until ``stop`` is set); results in the order of ``environments``.

    A company's environments are collected one after another (its *lane*); lanes start in the order of
    their first environment, ``admit`` (if given) called with it first in the caller's thread: it may
    wait, which holds back the lanes after it, never the ones started.
    ``progress`` is called in the caller's thread, once per environment collected, in completion order.
    An exception that is not an :class:`Exception` (``KeyboardInterrupt``, ``SystemExit``) is re-raised
    here once the environments already running have finished.
    """
    check_concurrency(concurrency)
    lanes: dict[Hashable, list[int]] = {}
    for index, environment in enumerate(environments):
        lanes.setdefault(key(environment), []).append(index)
    results: list[Collected[E, T] | None] = [None] * len(environments)
    finished: queue.SimpleQueue[tuple[int, Collected[E, T] | BaseException | None]] = queue.SimpleQueue()
    halted = threading.Event()  # this collection is over (a fatal exception, or the pool shut down)

    def run_lane(indexes: list[int]) -> None:
        for index in indexes:
            if halted.is_set() or (stop is not None and stop.is_set()):
                finished.put((index, None))  # not started: not collected
                continue
            environment = environments[index]
            try:
                finished.put((index, Collected(environment, value=collect_one(environment))))
            except Exception as error:
                finished.put((index, Collected(environment, error=error)))
            except BaseException as fatal:
                finished.put((index, fatal))
                return

    failures = 0
    pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(lanes))), thread_name_prefix="intacct")
    try:
        for indexes in lanes.values():
            if admit is not None:
                admit(environments[indexes[0]])
            pool.submit(run_lane, indexes)
        for done in range(1, len(environments) + 1):
            index, outcome = finished.get()
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is None:
                continue
            results[index] = outcome
            failures += 0 if outcome.ok else 1
            if progress is not None:
                progress(Progress(done, len(environments), failures))
    finally:
        halted.set()
        pool.shutdown(wait=True, cancel_futures=True)
    return [result for result in results if result is not None]


def ensure_open_files(concurrency: int) -> None:
    """Let this process open the files ``concurrency`` companies in flight need: the soft limit is raised
    up to the hard one where it is lower; ValueError, saying what to do, where even the hard limit is."""
    try:
        import resource
    except ImportError:  # not on this platform (Windows): its limits are not the soft/hard kind
        return
    needed = concurrency * FILES_PER_COMPANY + FILES_FOR_THE_RUN
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        most = max((hard - FILES_FOR_THE_RUN) // FILES_PER_COMPANY, 1)
        raise ValueError(
            f"--intacct-concurrency={concurrency} needs about {needed} open files, and this process may "
            f"open {hard} at most (ulimit -Hn): use --intacct-concurrency={most} or less, or raise the limit"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
