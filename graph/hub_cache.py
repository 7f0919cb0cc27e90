"""Neighbourhoods of hubs, kept until the graph changes.

Ranking the neighbours of a hub reads every one of them, however the query is written.
Researchers open the same hubs again and again, and a graph changes far less often than it is
read, so a hub's neighbourhood is kept with the database revision it was read at and served while
that revision is current. The revision (core/db.py) moves on every commit from any client (an
ingest, a curation write, an edit in Neo4j Browser), so a kept answer is never stale: the first
request after a change recomputes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache

from graph import models

HUB_DEGREE = 2_000  # entities with at least this many relationships have their neighbourhood kept
KEPT_NEIGHBOURHOODS = 256


class HubCache:
    def __init__(self, maxsize: int = KEPT_NEIGHBOURHOODS) -> None:
        self._kept: LRUCache[Hashable, tuple[str, models.Neighborhood]] = LRUCache(maxsize)
        self._lock = threading.Lock()  # the API answers requests from a thread pool

    def get(
        self, key: Hashable, revision: str, compute: Callable[[], models.Neighborhood]
    ) -> models.Neighborhood:
        """The kept answer if it was read at `revision`, else `compute()` (read at `revision` or
        later: the caller takes the revision before computing, so a commit in between only costs
        a recomputation at the next request)."""
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] == revision:
            return kept[1]
        answer = compute()
        with self._lock:
            self._kept[key] = (revision, answer)
        return answer
