"""`atlas`: run Neo4j, ingest files, serve the API, look at entities.

Exit codes: 0 success; 1 invalid input (nothing written); 2 wrong usage; 3 Neo4j unavailable or
not configured; 4 entity not found.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.curation import register_curation
from cli.importers import register_importers
from core.api_key import ensure_api_key
from core.db import Database, open_driver, resolve_connection
from core.errors import ConfigurationError, DatabaseUnavailable, EntityNotFound
from core.queries import Queries
from core.settings import PROJECT_ROOT, Settings
from neo4j_local.server import LocalNeo4j, pinned_version

if TYPE_CHECKING:  # the ingest machinery (and torch) is imported only by commands that write
    from ingest.embedding import Embedder
    from ingest.pipeline import Ingester, IngestSummary

app = typer.Typer(help="Atlas: a knowledge graph of a research field, on Neo4j.", no_args_is_help=True)
neo4j_app = typer.Typer(
    help="Run the local Neo4j server (unless NEO4J_URI points elsewhere).", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")
register_curation(app)  # candidates, link, dismiss, merge, undo, decisions
register_importers(app)  # import wn18rr | codex | synthetic
console = Console()
err_console = Console(stderr=True)

EXIT_INVALID_INPUT, EXIT_UNAVAILABLE, EXIT_NOT_FOUND = 1, 3, 4
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def local_server(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(
        home=settings.state_dir / "neo4j",
        password_file=settings.password_file,
        cache_dir=settings.neo4j_cache_dir,
        bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
    )


def open_database(settings: Settings, retry_seconds: float = 30) -> Database:
    connection = resolve_connection(settings)
    return Database(open_driver(connection, retry_seconds=retry_seconds), connection.database)


def fail(message: str, code: int) -> typer.Exit:
    """Print an error (as plain text: messages may hold brackets) and give the exit to raise."""
    err_console.print("[red]error:[/red] ", end="")
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def emit(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        console.print(text, highlight=False, markup=False)  # names and log lines may hold brackets


@neo4j_app.command("start")
def neo4j_start(as_json: JsonOption = False) -> None:
    """Start Neo4j on 127.0.0.1 (resolving its jars on first use); harmless if already running."""
    settings = Settings()
    if settings.neo4j_uri:
        emit(
            {"uri": settings.neo4j_uri, "managed": False},
            as_json,
            f"NEO4J_URI is set: using {settings.neo4j_uri}; no local server started.",
        )
        return
    server = local_server(settings)
    try:
        server.start()
    except ConfigurationError as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
    emit(
        {
            "bolt_uri": server.bolt_uri,
            "browser_url": server.browser_url,
            "version": pinned_version(),
        },
        as_json,
        f"Neo4j {pinned_version()} is running.\n  Bolt:    {server.bolt_uri}\n"
        f"  Browser: {server.browser_url}  (user neo4j, password in {settings.password_file})",
    )


@neo4j_app.command("stop")
def neo4j_stop(as_json: JsonOption = False) -> None:
    """Shut the local Neo4j down cleanly."""
    stopped = local_server(Settings()).stop()
    emit({"stopped": stopped}, as_json, "Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: JsonOption = False) -> None:
    """Whether the local Neo4j runs, its version and ports. Exit code 3 when it is not running."""
    server = local_server(Settings())
    pid = server.pid()
    if pid is not None:
        server.start()  # adopts the ports of the running server; starts nothing
    status = {
        "running": pid is not None,
        "pid": pid,
        "version": pinned_version(),
        "bolt_port": server.bolt_port,
        "http_port": server.http_port,
    }
    text = (
        f"running (pid {pid}), Neo4j {pinned_version()}, bolt {server.bolt_port}, http {server.http_port}"
        if pid
        else f"not running (Neo4j {pinned_version()})"
    )
    emit(status, as_json, text)
    if pid is None:
        raise typer.Exit(EXIT_UNAVAILABLE)


@neo4j_app.command("logs")
def neo4j_logs(
    lines: Annotated[int, typer.Option(help="How many lines from the end.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The end of the local Neo4j's console log."""
    log = local_server(Settings()).console_log
    if not log.exists():
        raise fail(f"no log at {log}", EXIT_UNAVAILABLE)
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    if as_json:
        emit({"log": str(log), "lines": tail}, True, "")
    else:
        sys.stdout.write("\n".join(tail) + "\n")


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (.jsonl, .yaml, entities.csv, relations.csv)."),
    ],
    as_json: JsonOption = False,
) -> None:
    """Validate the files, then write entities, embeddings and relations. Nothing is written if any
    record is invalid; ingesting the same files twice changes nothing."""
    run_ingest(lambda ingester: ingester.ingest_paths(paths), as_json)


def run_ingest(
    write: Callable[[Ingester], IngestSummary], as_json: bool, embedder: Embedder | None = None
) -> None:
    """Open the database, run `write` with an Ingester, and report its summary (or why it failed)."""
    from ingest.pipeline import Ingester
    from ingest.problems import IngestError

    settings = Settings()
    try:
        db = open_database(settings)
    except ConfigurationError as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
    try:
        with _progress(quiet=as_json) as report:
            ingester = Ingester(
                db,
                Queries(settings.cypher_dir),
                embedder or _LazyEmbedder(settings),
                settings.write_batch_size,
                progress=report,
            )
            summary = write(ingester)
    except IngestError as error:
        raise fail(str(error), EXIT_INVALID_INPUT) from error
    except (DatabaseUnavailable, ConfigurationError) as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
    finally:
        db.driver.close()
    data = summary.as_dict()
    e, r = data["entities"], data["relations"]
    emit(
        data,
        as_json,
        f"entities: {e['created']} created, {e['updated']} updated, {e['unchanged']} unchanged\n"
        f"relations: {r['created']} created, {r['updated']} updated, {r['unchanged']} unchanged\n"
        f"embeddings computed: {data['embeddings_computed']}"
        + (f"\nmerged entities left merged: {data['merged_kept']}" if data["merged_kept"] else ""),
    )


class _LazyEmbedder:
    """Loads the model only if something needs embedding: an unchanged re-ingest never loads it."""

    def __init__(self, settings: Settings) -> None:
        from ingest.embedding import MODEL_NAME

        self.settings = settings
        self.model_name = MODEL_NAME
        self._embedder: Any = None

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self._embedder is None:
            from ingest.embedding import MiniLMEmbedder

            self._embedder = MiniLMEmbedder(self.settings.embedding_batch_size)
        result: list[list[float]] = self._embedder.embed(texts)
        return result


class _progress:
    """Rich progress bars per stage on a terminal; silent otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.bars = Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=quiet or not err_console.is_terminal,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        self.bars.start()

        def report(stage: str, done: int, total: int) -> None:
            if stage not in self.tasks:
                self.tasks[stage] = self.bars.add_task(stage, total=total)
            self.bars.update(self.tasks[stage], completed=done)

        return report

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Serve the HTTP API and entity pages (--json: print the base URL as JSON first)."""
    import uvicorn

    from api.app import create_app

    settings = Settings()
    ensure_api_key(settings)  # write endpoints need it: generated into a 0600 file on first use
    err_console.print(f"API key for writes: ATLAS_API_KEY or {settings.api_key_file}", highlight=False)
    if as_json:
        emit({"url": f"http://{host or settings.api_host}:{port or settings.api_port}"}, True, "")
    uvicorn.run(
        create_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
    )


@app.command()
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
    base = f"http://{settings.api_host}:{settings.api_port}"
    browser = local_server(settings).browser_url if not settings.neo4j_uri else "(external server)"
    urls = {
        "api_docs": f"{base}/docs",
        "entity_page": f"{base}/e/concept:alignment-faking",
        "entity_json": f"{base}/entities/concept:alignment-faking",
        "neo4j_browser": browser,
    }
    emit(
        urls,
        as_json,
        f"\nAtlas is up:\n  API docs:     {urls['api_docs']}\n"
        f"  Entity page:  {urls['entity_page']}\n"
        f"  JSON:         {urls['entity_json']}\n"
        f"  Neo4j Browser: {browser}\n",
    )
    serve(host=None, port=None)


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Counts per entity type and relation type."""
    reader = _reader()
    result = _guard(reader.stats)
    lines = [
        f"{result.entities} entities of {len(result.entity_types)} types, "
        f"{result.relations} relations of {len(result.relation_types)} types"
    ]
    lines += [f"  {row.type:<20} {row.count}" for row in result.entity_types]
    lines += ["relations:"] + [f"  {row.type:<20} {row.count}" for row in result.relation_types]
    emit(result.model_dump(), as_json, "\n".join(lines))


def _reader() -> Any:
    from api.graph import GraphReader
    from core.schema import load_schema

    settings = Settings()
    try:
        db = open_database(settings, retry_seconds=5)
    except ConfigurationError as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
    return GraphReader(db, Queries(settings.cypher_dir), load_schema())


def _guard(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except EntityNotFound as error:
        raise fail(str(error), EXIT_NOT_FOUND) from error
    except (DatabaseUnavailable, ConfigurationError) as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error


@app.command()
def show(
    entity_id: Annotated[str, typer.Argument(help="An entity id, e.g. concept:alignment-faking.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many neighbours per group.")] = 25,
    threshold: Annotated[float, typer.Option(help="Minimum cosine for similar entities.")] = 0.65,
    as_json: JsonOption = False,
) -> None:
    """The entity page in the terminal, grouped and ranked like the web page (--json: the API's JSON)."""
    page = _guard(_reader().page, entity_id, limit=limit, threshold=threshold)
    if as_json:
        emit(page.model_dump(mode="json"), True, "")
        return
    from cli.render import render_page

    console.print(render_page(page))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for in names, aliases and descriptions.")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Full-text search."""
    results = _guard(_reader().search, query, limit=limit)
    lines = [f"{hit.score:6.2f}  {hit.entity.id:<50} {hit.entity.name}" for hit in results.items]
    emit(results.model_dump(mode="json"), as_json, "\n".join(lines) or "nothing found")


if __name__ == "__main__":
    app()
