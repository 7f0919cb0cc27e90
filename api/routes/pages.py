"""HTML pages, rendered on the server from the same data as the JSON endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import check_key, configured_key
from api.deps import Reader, Suggester, model_stamp, page_cache, templates
from api.graph_picture import graph_elements
from api.links import entity_page_prefix
from api.routes.curation import curator, page_context
from api.routes.meta import SEARCH_MODE, SearchService
from core.errors import AtlasError, EntityNotFound
from curation.curator import Curator
from curation.errors import CurationConflict, DecisionNotFound, InvalidDecision
from curation.models import Decision
from graph import browse
from graph.models import EntityPage
from graph.reader import DEFAULT_THRESHOLD, GraphReader
from graph.search import SearchMode
from suggest.models import Suggestions
from suggest.service import SuggestionService

router = APIRouter(include_in_schema=False)
SUGGESTIONS_SHOWN = 10
MAX_FORM_BYTES = 100_000
PAGE_NUMBER = Query(ge=1, le=1_000_000, description="1-based page number.")
ITEMS_PER_PAGE = Query(ge=1, le=500, description="Items per page.")
# Said to someone using the page's form, not to an API client (who reads api/auth.py's wording).
FORM_KEY_WRONG = (
    "The API key is missing or not this server's key. Type the key the server uses (ATLAS_API_KEY, "
    "or the api-key file in its state folder, .atlas/api-key by default) into the API key field "
    "and send again."
)
FORM_WRITES_OFF = "This server takes no decisions: it has no API key configured (ATLAS_API_KEY)."


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    reader: Reader,
    searcher: SearchService,
    q: Annotated[str | None, Query(max_length=500)] = None,
    mode: Annotated[SearchMode, SEARCH_MODE] = SearchMode.hybrid,
) -> Response:
    results = searcher.search(q, mode, limit=50) if q else None
    context = {"stats": reader.stats(), "q": q or "", "mode": mode.value, "results": results}
    return templates(request).TemplateResponse(request, "home.html", context)


@router.get("/e/{entity_id}", response_class=HTMLResponse, name="entity_html")
def entity_html(
    request: Request,
    entity_id: str,
    reader: Reader,
    suggester: Suggester,
    limit: Annotated[int, Query(ge=1, le=1000, description="Neighbours listed per type.")] = 25,
    decided: Annotated[str | None, Query(max_length=200)] = None,
    undone: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if decided is not None or undone is not None:  # a notice is for this reader, once
        notice = decision_notice(curator(reader), decided, undone)
        return render_entity_page(request, reader, suggester, entity_id, limit=limit, notice=notice)
    # The page is kept whole while the graph, the stored model and the key file are unchanged: its
    # reads are kept anyway, and rendering them was most of its time (the first paint waits on it).
    key = (
        "entity_html",
        entity_id,
        limit,
        str(request.base_url),  # its links are absolute
        configured_key(request) is not None,  # whether it shows the curation forms
        model_stamp(suggester.folder),
    )
    kept = page_cache(request).get(
        key, lambda: KeptPage.of(render_entity_page(request, reader, suggester, entity_id, limit=limit))
    )
    return kept.response()


@dataclass(frozen=True)
class KeptPage:
    """A rendered response's parts, from which each request gets a response object of its own."""

    status_code: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: Response) -> KeptPage:
        headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
        return cls(response.status_code, bytes(response.body), headers)

    def response(self) -> Response:
        return Response(self.body, status_code=self.status_code, headers=dict(self.headers))


def render_entity_page(
    request: Request,
    reader: GraphReader,
    suggester: SuggestionService,
    entity_id: str,
    *,
    limit: int = 25,
    notice: dict[str, Any] | None = None,
    submitted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The seed page's layout; a merged entity's page redirects to its canonical entity.
    `submitted` is a curation form that failed: the page shows it open, filled in, with its error."""
    page = reader.page(entity_id, limit=limit, threshold=DEFAULT_THRESHOLD)
    if page.redirected_from is not None:
        target = request.url_for("entity_html", entity_id=page.entity.id)
        return RedirectResponse(target, status_code=307)  # temporary: an undone merge restores the page
    reads = entity_page_reads(reader, suggester, page)
    context = {
        "page": page,
        "schema": reader.schema,
        "suggestions": reads.suggestions,
        "source_names": reads.source_names,
        "graph": graph_elements(page, entity_page_prefix(request)),
        "notice": notice,
        "submitted": submitted,
        **page_context(request, reader, reads.decisions),
    }
    return templates(request).TemplateResponse(request, "entity.html", context, status_code=status_code)


@dataclass(frozen=True)
class EntityPageReads:
    """What the HTML page reads beyond the JSON page (`GraphReader.page`, which brings the nearest
    entities below the similarity threshold for the page's hint)."""

    source_names: dict[str, str]
    suggestions: Suggestions
    decisions: list[Decision]


def entity_page_reads(reader: GraphReader, suggester: SuggestionService, page: EntityPage) -> EntityPageReads:
    """The HTML page's reads after the JSON page's, with no request: the route renders them, and
    bench/load.py runs them through the driver as the baseline the API is compared with."""
    return EntityPageReads(
        source_names=browse.entity_names(reader.db, reader.queries, source_refs(page)),
        suggestions=suggester.suggestions(page.entity.id, limit=SUGGESTIONS_SHOWN, entity_read=True),
        decisions=curator(reader).decisions(page.entity.id).items,
    )


def source_refs(page: EntityPage) -> set[str]:
    return {
        relation.source_ref
        for group in page.neighborhood.groups
        for neighbor in group.neighbors
        for relation in neighbor.relations
        if relation.source_ref
    }


# --- browsing by type ------------------------------------------------------------------------------


@router.get("/types/{entity_type}", response_class=HTMLResponse, name="entity_type_html")
def entities_of_type_html(
    request: Request,
    entity_type: str,
    reader: Reader,
    page: Annotated[int, PAGE_NUMBER] = 1,
    size: Annotated[int, ITEMS_PER_PAGE] = browse.PAGE_SIZE,
) -> Response:
    held = [row.type for row in reader.stats().entity_types]
    if entity_type not in held:
        raise HTTPException(404, unknown_type("entity type", entity_type, held))
    listing = browse.entities_of_type(reader.db, reader.queries, entity_type, page, size)
    return browse_page(request, "entity_type.html", listing)


@router.get("/relations/{relation_type}", response_class=HTMLResponse, name="relation_type_html")
def edges_of_type_html(
    request: Request,
    relation_type: str,
    reader: Reader,
    page: Annotated[int, PAGE_NUMBER] = 1,
    size: Annotated[int, ITEMS_PER_PAGE] = browse.PAGE_SIZE,
) -> Response:
    # The relationship type reaches Cypher only when the graph itself holds it (/stats read it).
    held = [row.type for row in reader.stats().relation_types]
    if relation_type not in held:
        raise HTTPException(404, unknown_type("relation type", relation_type, held))
    neo4j_type = relation_type.upper()
    listing = browse.edges_of_type(reader.db, reader.queries, relation_type, neo4j_type, page, size)
    return browse_page(request, "relation_type.html", listing)


def unknown_type(what: str, name: str, held: list[str]) -> str:
    return f"this graph has no {what} {name!r}; it has: {', '.join(held) or 'none yet'}"


def browse_page(request: Request, template: str, listing: browse.Paged) -> Response:
    if listing.page > listing.pages:
        raise HTTPException(404, f"page {listing.page} is past the last page, {listing.pages}")
    return templates(request).TemplateResponse(request, template, {"listing": listing})


# --- the entity page's curation forms --------------------------------------------------------------


@router.post("/e/{entity_id}/decisions", name="entity_decisions")
async def decide_from_page(
    entity_id: str, request: Request, reader: Reader, suggester: Suggester
) -> Response:
    """A form on the entity page, the key a form field. Done: back to the page (303) with a notice
    of the decision. Refused: the page again, the form open with what was typed and why not."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidDecision("form too large")
    form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
    try:
        check_key(request, form.get("api_key"))
        shown, decision = await run_in_threadpool(_decide, curator(reader), entity_id, form)
    except HTTPException as error:  # the key: check_key answers 401
        message = FORM_WRITES_OFF if "no API key is configured" in str(error.detail) else FORM_KEY_WRONG
        form.pop("api_key", None)  # a wrong key is not worth keeping
        return refused(request, reader, suggester, entity_id, form, message, error.status_code)
    except (CurationConflict, InvalidDecision, DecisionNotFound, EntityNotFound) as error:
        status = 409 if isinstance(error, CurationConflict) else 422
        return refused(request, reader, suggester, entity_id, form, f"Not done: {error}", status)
    done = "undone" if form.get("action") == "undo" else "decided"
    query = urlencode({done: decision.id}) if decision is not None else ""
    target = request.url_for("entity_html", entity_id=shown)
    return RedirectResponse(f"{target}?{query}" if query else str(target), status_code=303)


def refused(
    request: Request,
    reader: GraphReader,
    suggester: SuggestionService,
    entity_id: str,
    form: dict[str, str],
    message: str,
    status: int,
) -> Response:
    submitted = {"form": form, "message": message}
    notice = {"kind": "error", "text": message}
    return render_entity_page(
        request, reader, suggester, entity_id, notice=notice, submitted=submitted, status_code=status
    )


def _decide(curation: Curator, entity_id: str, form: dict[str, str]) -> tuple[str, Decision | None]:
    """Apply the form's action; returns the entity whose page to show next and the decision."""
    action, other = form.get("action", ""), form.get("other", "")
    who, why = form.get("who") or "browser", form.get("why", "")
    shown = entity_id
    if action == "link":
        source, target = (entity_id, other) if form.get("direction", "out") == "out" else (other, entity_id)
        relation_type = form.get("relation_type", "")
        result = curation.link(source, target, relation_type, form.get("description", ""), who=who, why=why)
    elif action == "dismiss":
        result = curation.dismiss(entity_id, other, who=who, why=why)
    elif action == "dismiss_edge":  # a declined suggestion: only this edge, in this direction
        source, target = (entity_id, other) if form.get("direction", "out") == "out" else (other, entity_id)
        result = curation.dismiss(
            source, target, relation_type=form.get("relation_type", ""), who=who, why=why
        )
    elif action == "merge_other":
        result = curation.merge(other, entity_id, who=who, why=why)
    elif action == "merge_this":
        result = curation.merge(entity_id, other, who=who, why=why)
        shown = other
    elif action == "undo":
        result = curation.undo(form.get("decision", ""), who=who, why=why)
    else:
        raise InvalidDecision(f"unknown action {action!r}")
    return shown, result.decision


def decision_notice(curation: Curator, decided: str | None, undone: str | None) -> dict[str, Any] | None:
    """The notice the page shows after a form's decision: built from the stored decision, so the
    query string can only name one, never put text on the page."""
    wanted = decided or undone
    if not wanted:
        return None
    try:
        decision = curation.decision(wanted)
    except (DecisionNotFound, AtlasError):
        return None
    return {"kind": "undone" if undone else "done", "decision": decision}
