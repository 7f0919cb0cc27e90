"""/search, /stats and /health."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api import models
from api.deps import Reader
from graph.models import Stats
from graph.reader import GraphReader
from graph.search import Searcher, SearchMode, SearchResults

router = APIRouter(tags=["graph"])
_searcher_lock = threading.Lock()


def get_searcher(request: Request) -> Searcher:
    """The app's one Searcher, built on first use on the reader's database; its embedding model
    loads on the first search by meaning, not at start-up."""
    state = request.app.state
    with _searcher_lock:
        if getattr(state, "searcher", None) is None:
            reader: GraphReader = state.reader
            state.searcher = Searcher(reader.db, reader.queries)
    searcher: Searcher = state.searcher
    return searcher


SearchService = Annotated[Searcher, Depends(get_searcher)]
SEARCH_MODE = Query(
    description="hybrid (default): words and meaning fused; text: words only (English stemming); "
    "meaning: the query's embedding only. In text and hybrid, exact then prefix matches of a name "
    "or alias come first."
)


@router.get("/search", response_model=SearchResults)
def search(
    searcher: SearchService,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to look for.")],
    mode: Annotated[SearchMode, SEARCH_MODE] = SearchMode.hybrid,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SearchResults:
    """Search names, aliases and descriptions by words, by meaning, or both. `model` reports the
    embedding model's load time on the search that loaded it."""
    return searcher.search(q, mode, limit=limit)


@router.get("/stats", response_model=Stats)
def stats(reader: Reader) -> Stats:
    """Counts per entity type and per relation type."""
    return reader.stats()


@router.get(
    "/health",
    response_model=models.Health,
    responses={503: {"model": models.Health, "description": "Neo4j does not answer"}},
)
def health(request: Request, reader: Reader) -> models.Health | JSONResponse:
    """Whether Neo4j answers a query right now, and whether what the API reads ahead in the
    background after a start or a change (the similar scan, the largest hubs) is ready."""
    if reader.db.ping():
        state = request.app.state
        hubs = state.hub_refresher
        return models.Health(
            status="ok",
            neo4j=True,
            similar_search="scan" if reader.scans is not None and reader.scans.current() else "index",
            hubs_read_ahead=hubs.is_current() if hubs is not None else None,
        )
    body = models.Health(status="unavailable", neo4j=False)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
