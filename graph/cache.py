"""The graph's reads kept while the graph is unchanged (core/cache.py explains the revision).

`CachedReader` answers exactly what the `GraphReader` it wraps answers, from a `RevisionCache`
shared by every thread of the API process: the entity page, its parts, stats, entity lists and
(`CachedSearcher`) search cost one shared revision check when nothing changed since they were
last read. A change from any client moves the revision, and the next read is computed afresh.

Kept answers are shared between requests: callers must not modify them (the API only serialises
and renders them).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from core.cache import RevisionCache
from graph import models
from graph.reader import DEFAULT_THRESHOLD, GraphReader
from graph.search import Searcher, SearchMode, SearchResults

T = TypeVar("T")


class CachedReader(GraphReader):
    """A `GraphReader` whose reads come from `cache` when the revision has not moved. Methods it
    does not override run uncached on the wrapped reader's database."""

    def __init__(self, inner: GraphReader, cache: RevisionCache) -> None:
        # Not super().__init__: the wrapped reader's own state (its hub cache) is shared, not copied.
        self.inner = inner
        self.cache = cache
        self.db = inner.db
        self.queries = inner.queries
        self.schema = inner.schema
        self.hub_cache = inner.hub_cache
        self.scans = inner.scans

    def _kept(self, key: Hashable, compute: Callable[[], T]) -> T:
        return self.cache.get(key, compute)

    def entity(self, entity_id: str) -> models.Entity:
        return self._kept(("entity", entity_id), lambda: self.inner.entity(entity_id))

    def canonical(self, entity_id: str) -> models.Entity:
        return self._kept(("canonical", entity_id), lambda: self.inner.canonical(entity_id))

    def neighborhood(
        self, entity_id: str, limit: int = 25, types: list[str] | None = None, degree: int = 0
    ) -> models.Neighborhood:
        key = ("neighborhood", entity_id, limit, _frozen(types))
        return self._kept(key, lambda: self.inner.neighborhood(entity_id, limit, types, degree))

    def similar(
        self,
        entity_id: str,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 20,
        types: list[str] | None = None,
        widen: bool = True,
        nearest: int = 0,
    ) -> models.Similar:
        key = ("similar", entity_id, threshold, limit, _frozen(types), widen, nearest, self._scanning())
        return self._kept(key, lambda: self.inner.similar(entity_id, threshold, limit, types, widen, nearest))

    def page(
        self,
        entity_id: str,
        limit: int = 25,
        threshold: float = DEFAULT_THRESHOLD,
        similar_limit: int = 20,
    ) -> models.EntityPage:
        key = ("page", entity_id, limit, threshold, similar_limit, self._scanning())
        return self._kept(key, lambda: self.inner.page(entity_id, limit, threshold, similar_limit))

    def _scanning(self) -> bool:
        """Whether `similar` answers from the exact scan now. Part of its keys: an answer the index
        gave while the scan was being read is not kept in place of the scan's, at one revision."""
        return self.scans is not None and self.scans.current() is not None

    def stats(self) -> models.Stats:
        return self._kept(("stats",), self.inner.stats)

    def list_entities(
        self, entity_type: str | None, status: str | None, cursor: str | None, limit: int
    ) -> models.EntityList:
        key = ("entities", entity_type, status, cursor, limit)
        return self._kept(key, lambda: self.inner.list_entities(entity_type, status, cursor, limit))


def _frozen(types: list[str] | None) -> tuple[str, ...] | None:
    return tuple(types) if types is not None else None


class CachedSearcher(Searcher):
    """A `Searcher` whose answers come from `cache` when the revision has not moved."""

    def __init__(self, inner: Searcher, cache: RevisionCache) -> None:
        # Not super().__init__: the embedding model loads once, in the wrapped searcher.
        self.inner = inner
        self.cache = cache
        self.db = inner.db
        self.queries = inner.queries
        self.embedder = inner.embedder

    def search(self, query: str, mode: SearchMode = SearchMode.hybrid, limit: int = 20) -> SearchResults:
        computed: list[SearchResults] = []

        def compute() -> SearchResults:
            computed.append(self.inner.search(query, mode, limit))
            return computed[0]

        answer = self.cache.get(("search", query, SearchMode(mode), limit), compute)
        if computed or answer.model is None:
            return answer
        # A kept answer neither loaded the model nor embedded the query for this request.
        model = answer.model.model_copy(update={"load_seconds": None, "embed_seconds": 0.0})
        return answer.model_copy(update={"model": model})
