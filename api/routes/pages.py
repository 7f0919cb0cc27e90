"""HTML pages, rendered on the server from the same data as the JSON endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Reader, Suggester, templates
from api.routes.curation import page_context
from graph.reader import DEFAULT_THRESHOLD, GraphReader
from suggest.service import SuggestionService

router = APIRouter(include_in_schema=False)
SUGGESTIONS_SHOWN = 10


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, reader: Reader, q: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    results = reader.search(q, limit=50) if q else None
    return templates(request).TemplateResponse(
        request, "home.html", {"stats": reader.stats(), "q": q or "", "results": results}
    )


@router.get("/e/{entity_id}", response_class=HTMLResponse, name="entity_html")
def entity_html(request: Request, entity_id: str, reader: Reader, suggester: Suggester) -> Response:
    return render_entity_page(request, reader, suggester, entity_id)


def render_entity_page(
    request: Request, reader: GraphReader, suggester: SuggestionService, entity_id: str
) -> Response:
    """The seed page's layout; a merged entity's page redirects to its canonical entity."""
    page = reader.page(entity_id, threshold=DEFAULT_THRESHOLD)
    if page.redirected_from is not None:
        target = request.url_for("entity_html", entity_id=page.entity.id)
        return RedirectResponse(target, status_code=307)  # temporary: an undone merge restores the page
    return templates(request).TemplateResponse(
        request,
        "entity.html",
        {
            "page": page,
            "schema": reader.schema,
            "suggestions": suggester.suggestions(page.entity.id, limit=SUGGESTIONS_SHOWN),
            **page_context(request, reader, page.entity.id),
        },
    )
