"""/entities: the entity page (JSON, or HTML for browsers), its parts, and the entity list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import models
from api.deps import Reader, wants_html
from api.errors import InvalidParameter
from api.graph import DEFAULT_THRESHOLD, GraphReader
from api.routes.pages import render_entity_page

router = APIRouter(prefix="/entities", tags=["entities"])

Limit = Annotated[int, Query(ge=1, le=500, description="At most this many neighbours per group.")]
SimilarLimit = Annotated[int, Query(ge=1, le=500, description="At most this many similar entities.")]
Threshold = Annotated[float, Query(ge=-1.0, le=1.0, description="Minimum cosine similarity.")]
Types = Annotated[list[str] | None, Query(description="Only these entity types (repeatable).")]


def checked_types(reader: GraphReader, types: list[str] | None) -> list[str] | None:
    unknown = [t for t in types or [] if t not in reader.schema.entity_types]
    if unknown:
        raise InvalidParameter("types", f"unknown entity type(s): {', '.join(unknown)}")
    return types or None


@router.get("", response_model=models.EntityList)
def list_entities(
    reader: Reader,
    type: Annotated[str | None, Query(description="Only entities of this type.")] = None,
    status: Annotated[str | None, Query(description="Only entities with this status.")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> models.EntityList:
    if type is not None:
        checked_types(reader, [type])
    return reader.list_entities(type, status, cursor, limit)


@router.get(
    "/{entity_id}",
    response_model=models.EntityPage,
    responses={200: {"content": {"text/html": {}}, "description": "JSON, or HTML for text/html"}},
)
def entity_page(
    entity_id: str,
    request: Request,
    reader: Reader,
    limit: Limit = 25,
    threshold: Threshold = DEFAULT_THRESHOLD,
    similar_limit: SimilarLimit = 20,
) -> models.EntityPage | Response:
    """The entity page: the entity, its neighbourhood grouped by type, and similar entities."""
    if wants_html(request):
        return render_entity_page(request, reader, entity_id)
    return reader.page(entity_id, limit=limit, threshold=threshold, similar_limit=similar_limit)


@router.get("/{entity_id}/neighborhood", response_model=models.Neighborhood)
def neighborhood(
    entity_id: str, reader: Reader, limit: Limit = 25, types: Types = None
) -> models.Neighborhood:
    """Neighbours grouped by type (schema order), exact counts, ranked by degree then name."""
    types = checked_types(reader, types)
    entity = reader.entity(entity_id)  # 404 for an unknown id rather than an empty neighbourhood
    return reader.neighborhood(entity_id, limit=limit, types=types, degree=entity.degree)


@router.get("/{entity_id}/similar", response_model=models.Similar)
def similar(
    entity_id: str,
    reader: Reader,
    threshold: Threshold = DEFAULT_THRESHOLD,
    limit: SimilarLimit = 20,
    types: Types = None,
) -> models.Similar:
    """Entities with cosine >= threshold and no typed edge to this one, best first."""
    types = checked_types(reader, types)
    reader.entity(entity_id)
    return reader.similar(entity_id, threshold=threshold, limit=limit, types=types)
