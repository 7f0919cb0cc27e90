"""`atlas neo4j start | stop | status | logs`: the local Neo4j server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.common import EXIT_UNAVAILABLE, JsonOption, emit, fail
from core.errors import ConfigurationError
from core.settings import Settings
from neo4j_local.server import LocalNeo4j, pinned_version

neo4j_app = typer.Typer(
    help="Run the local Neo4j server (unless NEO4J_URI points elsewhere).", no_args_is_help=True
)


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
    server = LocalNeo4j.from_settings(settings)
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
        f"  Browser: {server.browser_login_url}\n"
        f"           (user neo4j filled in; the password is in {settings.password_file})",
    )


@neo4j_app.command("stop")
def neo4j_stop(as_json: JsonOption = False) -> None:
    """Shut the local Neo4j down cleanly."""
    stopped = LocalNeo4j.from_settings(Settings()).stop()
    emit({"stopped": stopped}, as_json, "Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status(as_json: JsonOption = False) -> None:
    """Whether the local Neo4j runs, its version and ports. Exit code 3 when it is not running."""
    server = LocalNeo4j.from_settings(Settings())
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
    log = LocalNeo4j.from_settings(Settings()).console_log
    if not log.exists():
        raise fail(f"no log at {log}", EXIT_UNAVAILABLE)
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    if as_json:
        emit({"log": str(log), "lines": tail}, True, "")
    else:
        sys.stdout.write("\n".join(tail) + "\n")
