"""/search, /stats and /health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api import models
from api.deps import Reader
from graph.models import SearchResults, Stats

router = APIRouter(tags=["graph"])


@router.get("/search", response_model=SearchResults)
def search(
    reader: Reader,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to look for.")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SearchResults:
    """Full-text search over names, aliases and descriptions."""
    return reader.search(q, limit=limit)


@router.get("/stats", response_model=Stats)
def stats(reader: Reader) -> Stats:
    """Counts per entity type and per relation type."""
    return reader.stats()


@router.get(
    "/health",
    response_model=models.Health,
    responses={503: {"model": models.Health, "description": "Neo4j does not answer"}},
)
def health(reader: Reader) -> models.Health | JSONResponse:
    """Whether Neo4j answers a query right now."""
    if reader.db.ping():
        return models.Health(status="ok", neo4j=True)
    body = models.Health(status="unavailable", neo4j=False)
    return JSONResponse(body.model_dump(), status_code=503)
