"""The concurrent collection engine, with fake collectors synchronised by barriers (no sleeps)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import pytest

from pytest_intacct.evidence.lanes import (
    FILES_FOR_THE_RUN,
    FILES_PER_COMPANY,
    Progress,
    collect_all,
    ensure_open_files,
)
from pytest_intacct.safety.limits import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, check_concurrency

TIMEOUT = 10  # seconds a barrier waits before the test fails; never reached when the engine is right


@dataclass(frozen=True)
class Env:
    name: str
    company: str
    endpoint: str = "https://api.intacct.com/ia/xml/xmlgw.phtml"


def company_key(env: Env) -> tuple[str, str]:
    return (env.company, env.endpoint)


class InFlight:
    """Counts calls in flight, overall and per key, and remembers the maxima."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: Counter[object] = Counter()
        self.peak: Counter[object] = Counter()
        self.threads: set[str] = set()

    def enter(self, key: object) -> None:
        with self._lock:
            for k in (key, "all"):
                self.now[k] += 1
                self.peak[k] = max(self.peak[k], self.now[k])
            self.threads.add(threading.current_thread().name)

    def leave(self, key: object) -> None:
        with self._lock:
            self.now[key] -= 1
            self.now["all"] -= 1


def test_results_come_back_in_input_order_with_their_values() -> None:
    envs = [Env(f"e{i}", f"C{i % 4}") for i in range(20)]
    results = collect_all(envs, lambda env: env.name.upper(), key=company_key)
    assert [r.environment for r in results] == envs
    assert [r.value for r in results] == [f"E{i}" for i in range(20)]
    assert all(r.ok and r.error is None for r in results)


def test_a_failing_environment_fails_alone() -> None:
    envs = [Env("good1", "A"), Env("bad", "A"), Env("good2", "A"), Env("good3", "B")]
    boom = RuntimeError("gateway said no")

    def collect(env: Env) -> str:
        if env.name == "bad":
            raise boom
        return env.name

    results = collect_all(envs, collect, key=company_key)
    assert [(r.value, r.error) for r in results] == [
        ("good1", None),
        (None, boom),
        ("good2", None),
        ("good3", None),
    ]
    assert not results[1].ok


def test_one_in_flight_per_company_while_different_companies_overlap() -> None:
    companies = ["A", "B", "C"]
    envs = [Env(f"{c}{i}", c) for i in range(4) for c in companies]
    # All three companies must be in flight at once at every step, or the barrier breaks.
    together = threading.Barrier(len(companies), timeout=TIMEOUT)
    counts = InFlight()
    order: list[str] = []

    def collect(env: Env) -> None:
        counts.enter(company_key(env))
        order.append(env.name)
        together.wait()
        counts.leave(company_key(env))

    results = collect_all(envs, collect, key=company_key, concurrency=8)
    assert all(r.ok for r in results), [r.error for r in results if r.error]
    assert {key: counts.peak[key] for key in map(company_key, envs)} == {
        company_key(Env("", c)): 1 for c in companies
    }
    assert counts.peak["all"] == 3
    for company in companies:  # one company's environments run in the order given
        assert [n for n in order if n.startswith(company)] == [f"{company}{i}" for i in range(4)]


def test_the_key_is_company_and_endpoint_not_the_environment_name() -> None:
    same_company_other_endpoint = [Env("x", "A", "https://a/"), Env("y", "A", "https://b/")]
    together = threading.Barrier(2, timeout=TIMEOUT)
    results = collect_all(same_company_other_endpoint, lambda env: together.wait(), key=company_key)
    assert all(r.ok for r in results)


def test_never_more_in_flight_than_the_concurrency() -> None:
    envs = [Env(f"e{i}", f"C{i}") for i in range(9)]
    fill = threading.Barrier(3, timeout=TIMEOUT)  # rounds of exactly 3: the pool must reach its bound
    counts = InFlight()

    def collect(env: Env) -> None:
        counts.enter(env.company)
        fill.wait()
        counts.leave(env.company)

    results = collect_all(envs, collect, key=company_key, concurrency=3)
    assert all(r.ok for r in results)
    assert counts.peak["all"] == 3
    assert len(counts.threads) <= 3


def test_progress_is_reported_once_per_environment_in_the_callers_thread() -> None:
    envs = [Env(f"e{i}", f"C{i % 3}") for i in range(7)]
    seen: list[tuple[Progress, str]] = []

    def collect(env: Env) -> str:
        if env.name in ("e2", "e5"):
            raise ValueError(env.name)
        return env.name

    collect_all(
        envs, collect, key=company_key, progress=lambda p: seen.append((p, threading.current_thread().name))
    )
    assert [p.done for p, _ in seen] == list(range(1, 8))
    assert {p.total for p, _ in seen} == {7}
    failures = [p.failures for p, _ in seen]
    assert failures == sorted(failures)
    assert failures[-1] == 2
    assert {thread for _, thread in seen} == {threading.current_thread().name}


def test_nothing_to_collect_is_nothing_reported() -> None:
    calls: list[Progress] = []
    assert collect_all([], lambda env: env, key=lambda env: env, progress=calls.append) == []
    assert calls == []


def test_an_interrupt_stops_the_run_and_is_raised_to_the_caller() -> None:
    envs = [Env("first", "A"), Env("stop", "A"), Env("never", "A")]
    ran: list[str] = []

    def collect(env: Env) -> str:
        ran.append(env.name)
        if env.name == "stop":
            raise KeyboardInterrupt
        return env.name

    with pytest.raises(KeyboardInterrupt):
        collect_all(envs, collect, key=company_key)
    assert ran == ["first", "stop"]


@pytest.mark.parametrize("bad", [0, -1, MAX_CONCURRENCY + 1, True, 2.5, "8"])
def test_an_unusable_concurrency_is_refused_before_anything_runs(bad: object) -> None:
    ran: list[Env] = []
    with pytest.raises(ValueError, match=f"from 1 to {MAX_CONCURRENCY}"):
        collect_all([Env("e", "A")], ran.append, key=company_key, concurrency=bad)  # type: ignore[arg-type]
    assert ran == []


def test_the_default_concurrency_is_at_least_32() -> None:
    assert DEFAULT_CONCURRENCY >= 32
    assert check_concurrency(DEFAULT_CONCURRENCY) == DEFAULT_CONCURRENCY
    assert check_concurrency(1) == 1
    assert check_concurrency(MAX_CONCURRENCY) == MAX_CONCURRENCY


# -- open files ---------------------------------------------------------------------------------------


class Limits:
    """``resource``'s open-file limits, as a test sets them."""

    def __init__(self, soft: int, hard: int) -> None:
        self.now = (soft, hard)

    def getrlimit(self, _: int) -> tuple[int, int]:
        return self.now

    def setrlimit(self, _: int, limits: tuple[int, int]) -> None:
        self.now = limits


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch):
    import resource

    def set_to(soft: int, hard: int) -> Limits:
        fake = Limits(soft, hard)
        monkeypatch.setattr(resource, "getrlimit", fake.getrlimit)
        monkeypatch.setattr(resource, "setrlimit", fake.setrlimit)
        return fake

    return set_to


def test_the_soft_open_file_limit_is_raised_for_a_thousand_companies_in_flight(limits):
    fake = limits(1024, 1048576)
    ensure_open_files(MAX_CONCURRENCY)
    assert fake.now == (MAX_CONCURRENCY * FILES_PER_COMPANY + FILES_FOR_THE_RUN, 1048576)
    enough = limits(65536, 65536)
    ensure_open_files(MAX_CONCURRENCY)
    assert enough.now == (65536, 65536)  # never lowered


def test_a_hard_limit_too_low_for_the_concurrency_says_what_to_do(limits):
    limits(256, 1024)
    with pytest.raises(
        ValueError,
        match=r"--intacct-concurrency=512 needs about 2176 open files.*at most "
        r"\(ulimit -Hn\): use --intacct-concurrency=224 or less",
    ):
        ensure_open_files(512)
