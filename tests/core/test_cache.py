"""The revision watch shares one check among requests without ever answering an older revision
than the one current when a request arrived; the cache computes each answer once per revision."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.cache import Abandoned, Progress, RevisionCache, RevisionWatch, StillComputing


class SlowRevision:
    """A revision source whose checks block until released, counting them."""

    def __init__(self) -> None:
        self.value = "r1"
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> str:
        self.calls += 1
        seen = self.value
        self.entered.set()
        self.release.wait(5)
        return seen


def test_requests_waiting_together_share_one_check() -> None:
    source = SlowRevision()
    watch = RevisionWatch(source)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(watch.current)
        source.entered.wait(5)
        source.entered.clear()
        late = [pool.submit(watch.current) for _ in range(6)]  # arrive during the first check
        source.release.set()
        assert first.result(5) == "r1"
        assert [f.result(5) for f in late] == ["r1"] * 6
    # the first check, then one more for everyone who arrived while it ran
    assert source.calls == 2


def test_a_request_arriving_during_a_check_sees_a_commit_made_before_it_arrived() -> None:
    source = SlowRevision()
    watch = RevisionWatch(source)
    with ThreadPoolExecutor(2) as pool:
        early = pool.submit(watch.current)
        source.entered.wait(5)  # the check has read "r1" and is on its way back
        source.value = "r2"  # a commit, then a request arrives
        late = pool.submit(watch.current)
        source.release.set()
        assert early.result(5) == "r1"
        assert late.result(5) == "r2"


def test_a_failed_check_raises_and_the_next_request_checks_again() -> None:
    answers = iter([RuntimeError("down"), "r1"])

    def fetch() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    watch = RevisionWatch(fetch)
    with pytest.raises(RuntimeError):
        watch.current()
    assert watch.current() == "r1"


def test_an_answer_is_computed_once_per_revision() -> None:
    revision = ["r1"]
    cache = RevisionCache(lambda: revision[0], entries=10)
    computed: list[str] = []

    def compute() -> str:
        computed.append(revision[0])
        return f"answer at {revision[0]}"

    assert cache.get("k", compute) == cache.get("k", compute) == "answer at r1"
    revision[0] = "r2"
    assert cache.get("k", compute) == "answer at r2"
    assert computed == ["r1", "r2"]


def test_concurrent_requests_for_one_answer_wait_for_the_first_computation() -> None:
    cache = RevisionCache(lambda: "r1", entries=10)
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(5)
        return 42

    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(cache.get, "k", compute)
        started.wait(5)
        others = [pool.submit(cache.get, "k", compute) for _ in range(4)]
        release.set()
        assert first.result(5) == 42 and [f.result(5) for f in others] == [42] * 4
    assert calls == [1]


def test_the_cache_keeps_at_most_its_number_of_entries() -> None:
    cache = RevisionCache(lambda: "r1", entries=3)
    computed: list[int] = []
    for key in range(5):
        cache.get(key, lambda key=key: computed.append(key) or key)
    cache.get(4, lambda: computed.append(-1) or -1)  # recent: kept
    cache.get(0, lambda: computed.append(0) or 0)  # least recently used: dropped
    assert computed == [0, 1, 2, 3, 4, 0]


def test_a_failed_computation_is_not_kept() -> None:
    cache = RevisionCache(lambda: "r1", entries=3)

    def fail() -> int:
        raise LookupError("unknown id")

    with pytest.raises(LookupError):
        cache.get("k", fail)
    assert cache.get("k", lambda: 7) == 7


def test_zero_entries_computes_every_time() -> None:
    cache = RevisionCache(lambda: "r1", entries=0)
    computed: list[int] = []
    cache.get("k", lambda: computed.append(1))
    cache.get("k", lambda: computed.append(1))
    assert computed == [1, 1]


# Answers computed in the background (`get_within`): graph-wide candidates on a large graph.


def test_a_slow_answer_says_how_far_it_has_come_then_a_later_call_takes_it() -> None:
    cache = RevisionCache(lambda: "r1", entries=3)
    release, runs = threading.Event(), []

    def slow(progress: Progress) -> str:
        runs.append(1)
        progress.enter("products")
        progress.advance(0.25)
        release.wait(5)
        return "list"

    with pytest.raises(StillComputing) as waited:
        cache.get_within("k", slow, seconds=0.2)
    assert (waited.value.progress.stage, waited.value.progress.done) == ("products", 0.25)
    with pytest.raises(StillComputing):
        cache.get_within("k", slow, seconds=0.05)  # the same computation, not a second one
    release.set()
    assert cache.get_within("k", slow, seconds=5) == "list"
    assert cache.get_within("k", slow, seconds=0) == "list"  # kept
    assert runs == [1]


def test_a_computation_for_a_revision_the_graph_left_is_abandoned() -> None:
    revision = ["r1"]
    cache = RevisionCache(lambda: revision[0], entries=3)
    progresses: list[Progress] = []

    def until_abandoned(progress: Progress) -> str:
        progresses.append(progress)
        while True:  # a block at a time, as the candidates' products are
            progress.advance(0.5)
            threading.Event().wait(0.01)

    with pytest.raises(StillComputing):
        cache.get_within("k", until_abandoned, seconds=0.1)
    revision[0] = "r2"
    assert cache.get_within("k", lambda progress: "fresh", seconds=5) == "fresh"
    assert progresses[0].abandoned.wait(5)
    with pytest.raises(Abandoned):
        progresses[0].advance(0.6)


def test_a_background_failure_reaches_the_next_caller_once() -> None:
    cache = RevisionCache(lambda: "r1", entries=3)
    release = threading.Event()

    def failing(progress: Progress) -> str:
        release.wait(5)
        raise LookupError("the database went away")

    with pytest.raises(StillComputing):
        cache.get_within("k", failing, seconds=0.05)
    release.set()
    with pytest.raises(LookupError):  # whether it failed before this call or during it
        cache.get_within("k", lambda progress: "again", seconds=5)
    assert cache.get_within("k", lambda progress: "again", seconds=5) == "again"


def test_one_process_holds_a_claimed_lock_until_it_lets_go(tmp_path) -> None:
    import subprocess
    import sys

    from core.cache import claim

    lock = tmp_path / "state" / "role.lock"
    probe = "import sys; from pathlib import Path; from core.cache import claim; "
    probe += "sys.exit(0 if claim(Path(sys.argv[1])) is None else 3)"

    def other_process_claims() -> bool:
        return subprocess.run([sys.executable, "-c", probe, str(lock)], check=False).returncode == 3

    held = claim(lock)
    assert held is not None
    assert not other_process_claims()
    held.close()
    assert other_process_claims()


def test_a_revision_the_request_already_read_is_answered_again_and_never_shared() -> None:
    source = SlowRevision()
    source.release.set()
    kept: dict[str, str] = {}  # what core.db.one_revision keeps for one request
    watch = RevisionWatch(
        source, remembered=lambda: kept.get("rev"), remember=lambda r: kept.setdefault("rev", r)
    )
    assert watch.current() == "r1"
    source.value = "r2"  # a commit after the request read its revision
    assert watch.current() == "r1" and source.calls == 1  # the request keeps its snapshot
    kept.clear()  # the next request
    assert watch.current() == "r2"
