"""Answers kept while the graph is unchanged: a revision watch and a bounded, shared cache.

A graph is read far more often than it changes, and every answer Atlas reads is a function of the
graph alone (plus the request's parameters). So an answer is kept with the database revision it was
read at (core/db.py: the bookmark of an empty read, which moves on every commit from any client,
Atlas, Neo4j Browser or a notebook) and served again while that revision is current.

Knowing the current revision costs one round trip. `RevisionWatch` lets concurrent requests share
it: a request waits for a check that *started after it arrived* (so a commit that happened before the
request is always seen) and every request waiting at that moment takes the same answer. Under load
that is one round trip for a whole batch of requests; a single client pays one cheap empty read per
request instead of the three or four queries of a page.

`RevisionCache` keeps answers in an LRU bounded by entry count, shared by the threads of one
process; a second request for an answer being computed waits for it instead of computing it again.
An answer that may take longer than a request should wait (graph-wide candidates at a million
entities: an hour) is computed in a thread of its own (`get_within`): callers wait a bounded time and
are told how far it has come; a computation for a revision the graph has left is asked to stop.
"""

from __future__ import annotations

import fcntl
import functools
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")
DEFAULT_ENTRIES = 4096


class RevisionWatch:
    """The current revision, one check shared by every request that arrived before it started."""

    def __init__(
        self,
        fetch: Callable[[], str],
        clock: Callable[[], float] = time.monotonic,
        remembered: Callable[[], str | None] = lambda: None,
        remember: Callable[[str], None] = lambda revision: None,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        # within one request (core.db.one_revision): the revision it already read, and where to
        # keep the one it reads; never shared as a fresh check with other requests
        self._remembered = remembered
        self._remember = remember
        self._condition = threading.Condition()
        self._checking = False
        self._revision: str | None = None
        self._checked_from = float("-inf")  # when the check that gave `_revision` started
        self.checks = 0  # how many round trips were paid (the benchmarks report it)

    def current(self) -> str:
        if (kept := self._remembered()) is not None:
            return kept
        revision = self._check()
        self._remember(revision)
        return revision

    def _check(self) -> str:
        arrived = self._clock()
        with self._condition:
            while True:
                if self._revision is not None and self._checked_from >= arrived:
                    return self._revision
                if not self._checking:
                    self._checking = True
                    break
                self._condition.wait()
        started = self._clock()
        revision: str | None = None
        try:
            revision = self._fetch()
            return revision
        finally:
            with self._condition:
                self._checking = False
                if revision is not None:
                    self._revision, self._checked_from = revision, started
                    self.checks += 1
                self._condition.notify_all()


@dataclass
class Progress:
    """What a computation running in the background says of itself, for callers that stop waiting."""

    started: float = field(default_factory=time.time)  # seconds since the epoch
    stage: str = "starting"
    done: float = 0.0  # of the stage, 0 to 1, where the computation can tell
    stage_started: float = field(default_factory=time.time)
    # Set when the graph moved on: the answer could not be served, so the computation may stop.
    abandoned: threading.Event = field(default_factory=threading.Event)

    def enter(self, stage: str) -> None:
        self.advance(0.0)
        self.stage, self.stage_started = stage, time.time()

    def advance(self, done: float) -> None:
        """Report how much of the stage is done; raises Abandoned once the answer is not wanted."""
        if self.abandoned.is_set():
            raise Abandoned(f"abandoned at {self.stage}: the graph changed")
        self.done = done


class StillComputing(Exception):
    """The answer is being computed in the background and was not ready within the wait."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(f"still computing: {progress.stage}, {progress.done:.0%}")
        self.progress = progress


class Abandoned(Exception):
    """Raised by a computation that stopped because its revision is no longer the graph's."""


class _Pending:
    """An answer being computed; others asking for it wait on `done`."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False
        self.error: BaseException | None = None
        self.progress = Progress()


class RevisionCache:
    """Answers keyed on (revision, key); an entry read at an older revision is never served."""

    def __init__(self, revision: Callable[[], str], entries: int = DEFAULT_ENTRIES) -> None:
        self.revision = revision
        self.entries = entries
        self._kept: LRUCache[Hashable, Any] = LRUCache(max(entries, 1))
        self._pending: dict[tuple[str, Hashable], _Pending] = {}
        # A background computation's error, for the next caller: it may have stopped waiting.
        self._failures: dict[tuple[str, Hashable], BaseException] = {}
        self._kept_revision: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The kept answer for `key` at the current revision, else `compute()` once for everyone
        asking. Exceptions are not kept: an unknown id or an outage is asked again next time."""
        if self.entries <= 0:
            return compute()
        revision = self.revision()
        full_key = (revision, key)
        with self._lock:
            pending, mine = self._lookup(revision, full_key)
            if pending is None:
                value: T = self._kept[full_key]
                return value
        if not mine:
            pending.done.wait()
            if pending.failed:
                return compute()  # the first computation raised: this request gets its own error
            shared: T = pending.value
            return shared
        self._complete(revision, full_key, pending, compute)
        if pending.error is not None:
            raise pending.error
        computed: T = pending.value
        return computed

    def get_within(self, key: Hashable, compute: Callable[[Progress], T], seconds: float) -> T:
        """As `get`, but the computation runs in a thread of its own, reporting to the `Progress`
        it is given, and a caller waits for it at most `seconds`: then StillComputing. A later
        call at the same revision waits for the same computation. One abandoned because the graph
        moved on is asked again at the new revision."""
        deadline = time.monotonic() + seconds
        while True:
            revision = self.revision()
            full_key = (revision, key)
            with self._lock:
                if (failure := self._failures.pop(full_key, None)) is not None:
                    raise failure
                pending, mine = self._lookup(revision, full_key)
                if pending is None:
                    value: T = self._kept[full_key]
                    return value
            if mine:
                threading.Thread(
                    target=self._complete,
                    args=(revision, full_key, pending, functools.partial(compute, pending.progress), True),
                    name="revision-cache-computation",
                    daemon=True,
                ).start()
            if not pending.done.wait(max(0.0, deadline - time.monotonic())):
                raise StillComputing(pending.progress)
            if isinstance(pending.error, Abandoned):
                continue
            if pending.error is not None:
                with self._lock:
                    self._failures.pop(full_key, None)  # told to this caller: not again
                raise pending.error
            computed: T = pending.value
            return computed

    def _lookup(self, revision: str, full_key: tuple[str, Hashable]) -> tuple[_Pending | None, bool]:
        """Under the lock: None when `full_key` is kept; else its computation, and whether the
        caller is to run it."""
        if revision != self._kept_revision:  # the graph moved: nothing kept is current
            self._kept.clear()
            self._kept_revision = revision
            self._failures.clear()
            for pending_key, older in self._pending.items():
                if pending_key[0] != revision:
                    older.progress.abandoned.set()
        if full_key in self._kept:
            self.hits += 1
            return None, False
        pending = self._pending.get(full_key)
        if pending is not None:
            return pending, False
        pending = self._pending[full_key] = _Pending()
        self.misses += 1
        return pending, True

    def _complete(
        self,
        revision: str,
        full_key: tuple[str, Hashable],
        pending: _Pending,
        compute: Callable[[], Any],
        background: bool = False,
    ) -> None:
        """Run `compute` for everyone waiting on `pending`; keep its answer while the revision is
        current. Its exception, if any, is left in `pending.error` (and, from the background, for
        the next caller too)."""
        try:
            pending.value = compute()
        except BaseException as error:
            pending.failed, pending.error = True, error
        finally:
            with self._lock:
                del self._pending[full_key]
                if revision == self._kept_revision:
                    if not pending.failed:
                        self._kept[full_key] = pending.value
                    elif (
                        background and pending.error is not None and not isinstance(pending.error, Abandoned)
                    ):
                        self._failures[full_key] = pending.error
            pending.done.set()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def claim(lock_file: Path) -> IO[bytes] | None:
    """The one process of a host that holds `lock_file` (an advisory lock the OS releases when the
    process ends, so a restarted worker can take over), or None when another process holds it.
    For work that must run once per host however many API workers serve, such as reading hubs
    ahead. Keep the returned file open for as long as the role is held."""
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_file.open("ab")
    except OSError:
        return None  # an unwritable state folder: nobody can coordinate, so nobody claims
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
