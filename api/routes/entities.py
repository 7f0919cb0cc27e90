"""/entities: the entity page (JSON, or HTML for browsers), its parts, and the entity list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Reader, Suggester, wants_html
from api.errors import InvalidParameter
from api.routes.pages import render_entity_page
from core.errors import EntityMerged
from graph import models
from graph.reader import DEFAULT_THRESHOLD, GraphReader
from suggest.models import Suggestions
from suggest.service import Direction

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
    suggester: Suggester,
    limit: Limit = 25,
    threshold: Threshold = DEFAULT_THRESHOLD,
    similar_limit: SimilarLimit = 20,
) -> models.EntityPage | Response:
    """The entity page: the entity, its neighbourhood grouped by type, and similar entities."""
    if wants_html(request):
        return render_entity_page(request, reader, suggester, entity_id)
    return reader.page(entity_id, limit=limit, threshold=threshold, similar_limit=similar_limit)


MERGED: dict[int | str, dict[str, Any]] = {
    307: {"description": "The entity was merged: the same request on its canonical entity"}
}


@router.get("/{entity_id}/neighborhood", response_model=models.Neighborhood, responses=MERGED)
def neighborhood(
    entity_id: str, request: Request, reader: Reader, limit: Limit = 25, types: Types = None
) -> models.Neighborhood | Response:
    """Neighbors grouped by type (schema order), exact counts, ranked by degree then name."""
    types = checked_types(reader, types)
    entity = reader.canonical(entity_id)  # 404 for an unknown id rather than an empty neighborhood
    if entity.id != entity_id:
        return _to_canonical(request, "neighborhood", entity.id)
    return reader.neighborhood(entity_id, limit=limit, types=types, degree=entity.degree)


@router.get("/{entity_id}/similar", response_model=models.Similar, responses=MERGED)
def similar(
    entity_id: str,
    request: Request,
    reader: Reader,
    threshold: Threshold = DEFAULT_THRESHOLD,
    limit: SimilarLimit = 20,
    types: Types = None,
) -> models.Similar | Response:
    """Entities with cosine >= threshold and no typed edge to this one, best first."""
    types = checked_types(reader, types)
    entity = reader.canonical(entity_id)
    if entity.id != entity_id:
        return _to_canonical(request, "similar", entity.id)
    return reader.similar(entity_id, threshold=threshold, limit=limit, types=types)


@router.get("/{entity_id}/suggestions", response_model=Suggestions, responses=MERGED)
def suggestions(
    entity_id: str,
    request: Request,
    reader: Reader,
    suggester: Suggester,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many suggestions.")] = 10,
    relation_type: Annotated[str | None, Query(description="Only edges of this relation type.")] = None,
    direction: Annotated[
        Direction | None, Query(description="'out': this entity as the source (tail prediction); 'in'.")
    ] = None,
) -> Suggestions | Response:
    """Typed edges this entity is likely missing, best first, learnt from the graph by
    `atlas suggest fit`: never an edge that exists, never a merged or dismissed entity."""
    if relation_type is not None and (problem := reader.schema.unknown_relation_type(relation_type)):
        raise InvalidParameter("relation_type", problem)
    try:  # the entity is read with what the answer needs: one round trip less than reading it first
        return suggester.suggestions(entity_id, limit=limit, relation_type=relation_type, direction=direction)
    except EntityMerged:
        return _to_canonical(request, "suggestions", reader.canonical(entity_id).id)


def _to_canonical(request: Request, route: str, canonical_id: str) -> Response:
    """A merged entity's part answers as the entity page does: with its canonical entity's (307,
    temporary: an undone merge brings the entity back). The query string is kept."""
    target = request.url_for(route, entity_id=canonical_id).include_query_params(**request.query_params)
    return RedirectResponse(target, status_code=307)
