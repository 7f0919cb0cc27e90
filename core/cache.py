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
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Hashable
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


class _Pending:
    """An answer being computed; others asking for it wait on `done`."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class RevisionCache:
    """Answers keyed on (revision, key); an entry read at an older revision is never served."""

    def __init__(self, revision: Callable[[], str], entries: int = DEFAULT_ENTRIES) -> None:
        self.revision = revision
        self.entries = entries
        self._kept: LRUCache[Hashable, Any] = LRUCache(max(entries, 1))
        self._pending: dict[Hashable, _Pending] = {}
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
            if revision != self._kept_revision:  # the graph moved: nothing kept is current
                self._kept.clear()
                self._kept_revision = revision
            if full_key in self._kept:
                self.hits += 1
                value: T = self._kept[full_key]
                return value
            pending = self._pending.get(full_key)
            mine = pending is None
            if pending is None:
                pending = self._pending[full_key] = _Pending()
                self.misses += 1
        if not mine:
            pending.done.wait()
            if pending.failed:
                return compute()  # the first computation raised: this request gets its own error
            shared: T = pending.value
            return shared
        try:
            pending.value = compute()
        except BaseException:
            pending.failed = True
            raise
        finally:
            with self._lock:
                del self._pending[full_key]
                if not pending.failed and revision == self._kept_revision:
                    self._kept[full_key] = pending.value
            pending.done.set()
        computed: T = pending.value
        return computed

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
