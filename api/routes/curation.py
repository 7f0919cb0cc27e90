"""/candidates and /decisions: graph-wide similarity candidates and the decisions taken on them.

Reads are open. Writes (POST) need the API key (api/auth.py); without it they answer 401 and
change nothing. The entity page's forms post to /e/{id}/decisions with the key as a form field.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import models
from api.auth import ApiKey, check_key, configured_key
from api.deps import Reader
from api.errors import InvalidParameter
from api.models import DismissRequest, LinkRequest, MergeRequest, WriteRequest
from curation.candidates import DEFAULT_CANDIDATE_THRESHOLD, CandidateFinder
from curation.curator import Curator
from curation.errors import InvalidDecision
from curation.models import CandidateKind, CandidateList, CurationResult, Decision, DecisionList
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
MAX_FORM_BYTES = 100_000


def curator(reader: GraphReader) -> Curator:
    return Curator(reader.db, reader.queries, reader.schema)


def checked_type(reader: GraphReader, name: str, entity_type: str | None) -> str | None:
    if entity_type is not None and entity_type not in reader.schema.entity_types:
        raise InvalidParameter(name, f"unknown entity type {entity_type!r}")
    return entity_type


# --- reads ---------------------------------------------------------------------------------------


@router.get("/candidates", response_model=CandidateList)
def candidates(
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
) -> CandidateList:
    """Entity pairs with cosine >= threshold and no typed edge, not dismissed, best first.
    Exact (blocked pairwise cosine over all embeddings): see curation/candidates.py for the cost."""
    type_a, type_b = checked_type(reader, "type_a", type_a), checked_type(reader, "type_b", type_b)
    return CandidateFinder(reader.db, reader.queries).find(
        threshold, type_a, type_b, kind=kind, limit=limit, cursor=cursor
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


# --- the entity page's forms ---------------------------------------------------------------------


@router.post("/e/{entity_id}/decisions", include_in_schema=False, name="entity_decisions")
async def decide_from_page(entity_id: str, request: Request, reader: Reader) -> Response:
    """A form on the entity page: the key is a form field; back to the page (303) when done."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidDecision("form too large")
    form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
    check_key(request, form.get("api_key"))
    shown = await run_in_threadpool(_decide, curator(reader), entity_id, form)
    return RedirectResponse(request.url_for("entity_html", entity_id=shown), status_code=303)


def _decide(curation: Curator, entity_id: str, form: dict[str, str]) -> str:
    """Apply the form's action; returns the entity whose page to show next."""
    action, other = form.get("action", ""), form.get("other", "")
    who, why = form.get("who") or "browser", form.get("why", "")
    if action == "link":
        source, target = (entity_id, other) if form.get("direction", "out") == "out" else (other, entity_id)
        relation_type = form.get("relation_type", "")
        curation.link(source, target, relation_type, form.get("description", ""), who=who, why=why)
    elif action == "dismiss":
        curation.dismiss(entity_id, other, who=who, why=why)
    elif action == "dismiss_edge":  # a declined suggestion: only this edge, in this direction
        source, target = (entity_id, other) if form.get("direction", "out") == "out" else (other, entity_id)
        curation.dismiss(source, target, relation_type=form.get("relation_type", ""), who=who, why=why)
    elif action == "merge_other":
        curation.merge(other, entity_id, who=who, why=why)
    elif action == "merge_this":
        curation.merge(entity_id, other, who=who, why=why)
        return other
    elif action == "undo":
        curation.undo(form.get("decision", ""), who=who, why=why)
    else:
        raise InvalidDecision(f"unknown action {action!r}")
    return entity_id


def page_context(request: Request, reader: GraphReader, entity_id: str) -> dict[str, Any]:
    """What the entity page shows of curation: forms when a key is configured, and decisions."""
    return {
        "curation": {
            "enabled": configured_key(request) is not None,
            "decisions": curator(reader).decisions(entity_id).items,
            "relation_types": reader.schema.relation_types,
        }
    }
