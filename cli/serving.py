"""`atlas serve` (the API and pages) and `atlas run` (Neo4j, the seeds and the API at once)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import JsonOption, emit, err_console, open_database
from cli.loading import ingest
from cli.server import neo4j_start
from core.api_key import ensure_api_key
from core.settings import PROJECT_ROOT, Settings
from neo4j_local.server import LocalNeo4j

SEED_ENTITY = "concept:alignment-faking"
# How long an idle keep-alive connection stays open. Clients keep idle connections in their pools
# too (httpx for 5 s, requests and browsers longer) and reuse them without warning: when the server
# closes first, a request sent at that moment fails on the client (`ReadError`, seen in the load
# bench with uvicorn's default of 5 s: 12-14 of ~5,000 requests). The side that closes must be the
# client, so the server waits longer than clients and proxies usually keep a connection idle.
KEEP_ALIVE_SECONDS = 75


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Processes answering requests, one per core (default ATLAS_API_WORKERS, 1)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Serve the HTTP API and entity pages (--json: print the base URL as JSON first)."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    workers = workers or settings.api_workers
    if ensure_api_key(settings) is None:  # write endpoints need a key: generated on first use
        err_console.print(
            "Writes are disabled: ATLAS_API_KEY is empty, or no key file could be made in "
            f"{settings.state_dir}. Set ATLAS_API_KEY to enable them.",
            highlight=False,
        )
    else:
        err_console.print(f"API key for writes: ATLAS_API_KEY or {settings.api_key_file}", highlight=False)
    if as_json:
        emit({"url": f"http://{host or settings.api_host}:{port or settings.api_port}"}, True, "")
    host, port = host or settings.api_host, port or settings.api_port
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info"}
    options["timeout_keep_alive"] = KEEP_ALIVE_SECONDS
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Each worker is a process of its own that builds the app from the environment: it learns the
    # worker count there (one of them reads hubs ahead) and opens its own driver pool.
    os.environ["ATLAS_API_WORKERS"] = str(workers)
    uvicorn.run("api.app:create_app", factory=True, workers=workers, **options)


def run(
    seeds: Annotated[Path, typer.Option(help="Seed folder to load.")] = PROJECT_ROOT / "seeds",
    as_json: JsonOption = False,
) -> None:
    """Everything at once: start Neo4j, load the seeds, serve the API; prints the URLs. With --json,
    one JSON document per step: the server (as `neo4j start`), the ingest summary, the URLs."""
    settings = Settings()
    if not settings.neo4j_uri:
        neo4j_start(as_json=as_json)
    ingest([seeds], as_json=as_json)
    fit_suggester_if_stale(settings, as_json)
    base = f"http://{settings.api_host}:{settings.api_port}"
    browser = (
        LocalNeo4j.from_settings(settings).browser_login_url
        if not settings.neo4j_uri
        else "(external server)"
    )
    login_hint = (
        ""
        if settings.neo4j_uri
        else f"    (user neo4j filled in; the password is in {settings.password_file})\n"
    )
    urls = {
        "api_docs": f"{base}/docs",
        "entity_page": f"{base}/e/{SEED_ENTITY}",
        "entity_json": f"{base}/entities/{SEED_ENTITY}",
        "neo4j_browser": browser,
    }
    emit(
        urls,
        as_json,
        f"\nAtlas is up:\n  API docs:     {urls['api_docs']}\n"
        f"  Entity page:  {urls['entity_page']}\n"
        f"  JSON:         {urls['entity_json']}\n"
        f"  Neo4j Browser: {browser}\n{login_hint}",
    )
    serve(host=None, port=None, workers=None)


def fit_suggester_if_stale(settings: Settings, as_json: bool) -> None:
    """So that the pages show suggested edges from the start: fit when there is no model yet or
    the graph changed since (seconds on the seed graph)."""
    from core.queries import Queries
    from suggest.service import SuggestionService

    db = open_database(settings)
    try:
        service = SuggestionService(db, Queries(settings.cypher_dir), settings.suggester_dir)
        info = service.info()
        if info is not None and info.current:
            return
        report = service.fit()
    finally:
        db.driver.close()
    emit(
        {"suggester": report.as_dict()},
        as_json,
        f"suggester fitted on {report.entities} entities and {report.edges} edges in {report.seconds} s",
    )
