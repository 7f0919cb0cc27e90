"""What every `atlas` command shares: the consoles, exit codes, JSON output, errors, the database.

Exit codes: 0 success; 1 invalid input (nothing written); 2 wrong usage; 3 Neo4j unavailable or
not configured; 4 entity (or decision) not found.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from core.db import Database, open_driver, resolve_connection
from core.errors import ConfigurationError, DatabaseUnavailable, EntityNotFound
from core.queries import Queries
from core.schema import GraphSchema
from core.settings import Settings

if TYPE_CHECKING:
    from graph.reader import GraphReader

EXIT_INVALID_INPUT, EXIT_UNAVAILABLE, EXIT_NOT_FOUND = 1, 3, 4
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int) -> typer.Exit:
    """Print an error (as plain text: messages may hold brackets) and give the exit to raise."""
    err_console.print("[red]error:[/red] ", end="")
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def emit(data: Any, as_json: bool, text: str) -> None:
    """The command's answer: `data` as JSON with --json, else `text` for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        console.print(text, highlight=False, markup=False)  # names and log lines may hold brackets


def open_database(settings: Settings, retry_seconds: float = 30) -> Database:
    """The configured database; exit 3 with the reason when it is not configured."""
    try:
        connection = resolve_connection(settings)
    except ConfigurationError as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
    return Database(open_driver(connection, retry_seconds=retry_seconds), connection.database)


@contextmanager
def atlas_errors() -> Iterator[None]:
    """Atlas's errors as exit codes with their message, never a traceback."""
    try:
        yield
    except EntityNotFound as error:
        raise fail(str(error), EXIT_NOT_FOUND) from error
    except (DatabaseUnavailable, ConfigurationError) as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error


@contextmanager
def graph_reader() -> Iterator[GraphReader]:
    """A GraphReader on the configured database, closed afterwards."""
    from graph.reader import GraphReader

    settings = Settings()
    db = open_database(settings, retry_seconds=5)
    try:
        with atlas_errors():
            queries = Queries(settings.cypher_dir)
            yield GraphReader(db, queries, GraphSchema(db, queries))
    finally:
        db.driver.close()
