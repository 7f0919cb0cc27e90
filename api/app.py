"""The FastAPI application: one driver for the process, created at start-up, closed at shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import cached_reads
from api.errors import install_error_handlers
from api.links import entity_url
from api.models import ErrorResponse
from api.routes import curation, entities, meta, pages
from core.cache import claim
from core.db import Database, one_revision, open_driver, resolve_connection
from core.queries import Queries
from core.schema import GraphSchema, type_heading
from core.settings import Settings
from graph.hub_refresh import HubRefresher
from graph.reader import GraphReader
from graph.vector_scan import ScanRefresher, VectorScans
from suggest.service import SuggestionService

HERE = Path(__file__).parent
# Documented on every operation, in the one error shape api/errors.py answers with.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in [
        (400, "A request body that cannot be read (not UTF-8)"),
        (404, "Unknown entity, decision or path"),
        (422, "Invalid parameters"),
        (503, "Neo4j does not answer, or Atlas is not configured"),
    ]
}
log = logging.getLogger("atlas.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connection = resolve_connection(settings)
        driver = open_driver(connection, retry_seconds=2, pool_size=settings.api_pool_size)
        db = Database(driver, connection.database)
        if not db.ping():  # serve anyway: requests answer 503 until Neo4j is back
            log.warning("Neo4j at %s does not answer yet", connection.uri)
        queries = Queries(settings.cypher_dir)
        scans = VectorScans(db, queries, settings.similar_scan_from) if settings.similar_scan_from else None
        app.state.reader = reader = GraphReader(db, queries, GraphSchema(db, queries), scans=scans)
        app.state.suggestions = SuggestionService(db, queries, settings.suggester_dir)
        app.state.cached_reader, app.state.cached_suggestions, app.state.searcher = cached_reads(
            reader, app.state.suggestions, settings.response_cache_entries
        )
        refresher = None
        # With several workers one of them reads hubs ahead: N copies would cost Neo4j N times.
        reads_ahead = claim(settings.state_dir / "hub-refresh.lock") if settings.api_workers > 1 else None
        if settings.hub_refresh_poll_seconds > 0 and (settings.api_workers == 1 or reads_ahead):
            refresher = HubRefresher(
                reader, settings.hub_refresh_poll_seconds, settings.hub_refresh_settle_seconds
            )
            refresher.start()
        # Every worker keeps its own scan: it answers that worker's requests.
        scan_refresher = None
        if scans is not None and settings.hub_refresh_poll_seconds > 0:
            scan_refresher = ScanRefresher(
                scans,
                reader.embedded_population,
                settings.hub_refresh_poll_seconds,
                settings.hub_refresh_settle_seconds,
            )
            scan_refresher.start()
        app.state.hub_refresher = refresher  # /health says whether it has read ahead
        try:
            yield
        finally:
            if scan_refresher is not None:
                scan_refresher.stop()
            if refresher is not None:
                refresher.stop()
            if reads_ahead is not None:
                reads_ahead.close()
            driver.close()

    app = FastAPI(
        title="Atlas",
        summary="A research field's knowledge graph: entities, typed relations, similar entities.",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        docs_url=None,  # served by install_docs from api/static, not from FastAPI's default CDN
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    # Block tags leave no indentation or blank lines behind (a 500-neighbour page: 7% fewer bytes).
    templates.env.trim_blocks = templates.env.lstrip_blocks = True
    templates.env.filters["plural"] = type_heading
    templates.env.filters["linkable"] = linkable
    templates.env.globals["entity_url"] = entity_url
    app.state.templates = templates
    app.state.settings = settings  # api/auth.py reads the API key from it

    def render_error(request: Request, status: int, message: str) -> Response:
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    app.state.render_error = render_error
    install_error_handlers(app)
    app.add_middleware(OneRevisionPerRead)
    app.include_router(entities.router)
    app.include_router(meta.router)
    app.include_router(pages.router)
    app.include_router(curation.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_docs(app)
    return app


class OneRevisionPerRead:
    """Each GET or HEAD request reads the graph's revision once (core.db.one_revision): its parts,
    each kept per revision, then cost one round trip together and agree on one snapshot. Other
    methods write, and must see the revision move."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            with one_revision():
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the npm package swagger-ui-dist, copied into api/static by `make
    assets`, so the page works without a network (FastAPI's default loads it from a CDN)."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        def static(path: str) -> str:
            return str(request.app.url_path_for("static", path=path))

        return get_swagger_ui_html(
            openapi_url=str(app.openapi_url),
            title=f"{app.title} API",
            swagger_js_url=static("swagger-ui-bundle.js"),
            swagger_css_url=static("swagger-ui.css"),
            swagger_favicon_url=static("favicon-32x32.png"),
            swagger_ui_parameters={"validatorUrl": None},  # no call to the public spec validator
        )


def linkable(url: str) -> bool:
    """Only web and mail addresses become links: a `javascript:` URL written into the graph by
    another client (Neo4j Browser, a notebook) must not run when a reader clicks it."""
    return urlsplit(url.strip()).scheme.lower() in ("http", "https", "mailto")
