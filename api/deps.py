"""Shared request dependencies: the readers the app built at start-up, behind the response cache.

Every read a route makes goes through `CachedReader` / `CachedSuggestions`: answers kept per
graph revision (core/cache.py), so a page nothing changed since costs one shared revision check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from core.cache import RevisionCache, RevisionWatch
from graph.cache import CachedReader, CachedSearcher
from graph.reader import GraphReader
from graph.search import Searcher
from suggest.models import SuggesterInfo, Suggestions
from suggest.service import Direction, FitReport, Progress, SuggestionService


class CachedSuggestions(SuggestionService):
    """A `SuggestionService` whose suggestions are kept per graph revision and per stored model
    (a new fit replaces the model file without moving the graph's revision)."""

    def __init__(self, inner: SuggestionService, cache: RevisionCache) -> None:
        # Not super().__init__: the loaded model lives once, in the wrapped service.
        self.inner = inner
        self.cache = cache
        self.db = inner.db
        self.queries = inner.queries
        self.folder = inner.folder

    def suggestions(
        self,
        entity_id: str,
        limit: int = 10,
        relation_type: str | None = None,
        direction: Direction | None = None,
        entity_read: bool = False,
    ) -> Suggestions:
        key = ("suggestions", model_stamp(self.folder), entity_id, limit, relation_type, direction)
        return self.cache.get(
            key, lambda: self.inner.suggestions(entity_id, limit, relation_type, direction, entity_read)
        )

    def info(self) -> SuggesterInfo | None:
        return self.inner.info()

    def fit(self, progress: Progress | None = None) -> FitReport:
        return self.inner.fit(progress)

    def __getattr__(self, name: str) -> Any:  # anything else: the wrapped service's
        return getattr(self.inner, name)


def model_stamp(folder: Path) -> int | None:
    try:
        return (folder / "graph.json").stat().st_mtime_ns
    except FileNotFoundError:
        return None


def cached_reads(
    reader: GraphReader, suggestions: SuggestionService, entries: int
) -> tuple[CachedReader, CachedSuggestions, CachedSearcher]:
    """The process's reads behind one cache of `entries` answers (0: every read afresh). The
    searcher goes where the /search route looks for it (`app.state.searcher`)."""
    db = reader.db
    watch = RevisionWatch(
        lambda: db.read_revision(), remembered=db.remembered_revision, remember=db.remember_revision
    )
    cache = RevisionCache(watch.current, entries)
    searcher = CachedSearcher(Searcher(reader.db, reader.queries), cache)
    return CachedReader(reader, cache), CachedSuggestions(suggestions, cache), searcher


def page_cache(request: Request) -> RevisionCache:
    """The cache behind the reads (one per process), where pages keep what they rendered."""
    cache: RevisionCache = request.app.state.cached_reader.cache
    return cache


def get_reader(request: Request) -> GraphReader:
    reader: GraphReader = request.app.state.cached_reader
    return reader


Reader = Annotated[GraphReader, Depends(get_reader)]


def get_suggestions(request: Request) -> SuggestionService:
    service: SuggestionService = request.app.state.cached_suggestions
    return service


Suggester = Annotated[SuggestionService, Depends(get_suggestions)]


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def wants_html(request: Request) -> bool:
    """Browsers ask for text/html first; API clients ask for JSON or anything (*/*)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept
