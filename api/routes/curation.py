"""/candidates and /decisions: graph-wide similarity candidates and the decisions taken on them.

Reads are open. Writes (POST) need the API key (api/auth.py); without it they answer 401 and
change nothing. The entity page's forms post to /e/{id}/decisions (api/routes/pages.py), the key
a form field.
"""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api import models
from api.auth import ApiKey, configured_key
from api.deps import Reader
from api.errors import InvalidParameter
from api.models import DismissRequest, LinkRequest, MergeRequest, WriteRequest
from core.cache import Progress, StillComputing
from curation.candidates import DEFAULT_CANDIDATE_THRESHOLD, CandidateFinder
from curation.curator import Curator
from curation.models import (
    CandidateKind,
    CandidateList,
    CandidatesComputing,
    CurationResult,
    Decision,
    DecisionList,
)
from graph.reader import GraphReader

router = APIRouter(tags=["curation"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": models.ErrorResponse, "description": text}
    for status, text in [
        (401, "No valid API key: nothing changed"),
        (404, "Unknown entity or decision"),
        (409, "The decision conflicts with the graph's state: nothing changed"),
        (422, "Invalid decision"),
    ]
}


def curator(reader: GraphReader) -> Curator:
    return Curator(reader.db, reader.queries, reader.schema)


def checked_type(reader: GraphReader, name: str, entity_type: str | None) -> str | None:
    if entity_type is not None and (problem := reader.schema.unknown_entity_type(entity_type)):
        raise InvalidParameter(name, problem)
    return entity_type


# --- reads ---------------------------------------------------------------------------------------


@router.get(
    "/candidates",
    response_model=CandidateList,
    responses={202: {"model": CandidatesComputing, "description": "Still computing: ask again"}},
)
def candidates(
    request: Request,
    reader: Reader,
    threshold: Annotated[float, Query(ge=-1.0, le=1.0, description="Minimum cosine.")] = (
        DEFAULT_CANDIDATE_THRESHOLD
    ),
    type_a: Annotated[str | None, Query(description="One entity type of the pair.")] = None,
    type_b: Annotated[str | None, Query(description="The other entity type of the pair.")] = None,
    kind: Annotated[
        CandidateKind | None, Query(description="Only likely duplicates or missing edges.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> Any:
    """Entity pairs with cosine >= threshold and no typed edge, not dismissed, best first.
    Exact (blocked pairwise cosine over all embeddings): see curation/candidates.py for the cost.
    The list is computed once per graph revision in the background; a request waits for it up to
    `ATLAS_CANDIDATES_WAIT_SECONDS` (30), then answers 202 with how far it has come and a
    `Retry-After` header."""
    type_a, type_b = checked_type(reader, "type_a", type_a), checked_type(reader, "type_b", type_b)
    try:
        return CandidateFinder(reader.db, reader.queries).find(
            threshold,
            type_a,
            type_b,
            kind=kind,
            limit=limit,
            cursor=cursor,
            wait=request.app.state.settings.candidates_wait_seconds,
        )
    except StillComputing as computing:
        answer = still_computing(computing.progress)
        retry = answer.estimated_seconds_left or 5.0
        return JSONResponse(
            answer.model_dump(),
            status_code=202,
            headers={"Retry-After": str(math.ceil(min(max(retry, 1), 60)))},
        )


def still_computing(progress: Progress) -> CandidatesComputing:
    now = time.time()
    left = None
    if progress.stage == "products" and progress.done > 0.001:
        left = round((now - progress.stage_started) * (1 - progress.done) / progress.done, 1)
    return CandidatesComputing(
        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(progress.started)),
        stage=progress.stage,
        done=round(progress.done, 4),
        seconds_so_far=round(now - progress.started, 1),
        estimated_seconds_left=left,
    )


@router.get("/decisions", response_model=DecisionList)
def decisions(
    reader: Reader,
    entity: Annotated[str | None, Query(description="Only decisions taken on this entity.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> DecisionList:
    """Curation decisions, newest first."""
    return curator(reader).decisions(entity, limit=limit)


@router.get("/decisions/{decision_id}", response_model=Decision)
def decision(decision_id: str, reader: Reader) -> Decision:
    return curator(reader).decision(decision_id)


# --- writes --------------------------------------------------------------------------------------


@router.post("/decisions/link", response_model=CurationResult, dependencies=[ApiKey], responses=WRITE_ERRORS)
def link(body: LinkRequest, reader: Reader) -> CurationResult:
    """Create a typed relation from a candidate pair."""
    return curator(reader).link(
        body.source, body.target, body.type, body.description,
        who=body.who, why=body.why, dry_run=body.dry_run,
    )  # fmt: skip


@router.post(
    "/decisions/dismiss", response_model=CurationResult, dependencies=[ApiKey], responses=WRITE_ERRORS
)
def dismiss(body: DismissRequest, reader: Reader) -> CurationResult:
    """Mark a pair as not related: it never comes back as a candidate."""
    return curator(reader).dismiss(
        body.a, body.b, relation_type=body.type, who=body.who, why=body.why, dry_run=body.dry_run
    )


@router.post("/decisions/merge", response_model=CurationResult, dependencies=[ApiKey], responses=WRITE_ERRORS)
def merge(body: MergeRequest, reader: Reader) -> CurationResult:
    """Fold a duplicate into a canonical entity."""
    return curator(reader).merge(
        body.duplicate, body.canonical, who=body.who, why=body.why, dry_run=body.dry_run
    )


@router.post(
    "/decisions/{decision_id}/undo",
    response_model=CurationResult,
    dependencies=[ApiKey],
    responses=WRITE_ERRORS,
)
def undo(decision_id: str, body: WriteRequest, reader: Reader) -> CurationResult:
    """Return the graph to its state before the decision."""
    return curator(reader).undo(decision_id, who=body.who, why=body.why, dry_run=body.dry_run)


def page_context(request: Request, reader: GraphReader, decisions: list[Decision]) -> dict[str, Any]:
    """What the entity page shows of curation: forms when a key is configured, and its decisions."""
    return {
        "curation": {
            "enabled": configured_key(request) is not None,
            "decisions": decisions,
            "relation_types": reader.schema.relation_types,
        }
    }
