"""`atlas ingest`: validate files, then write entities, embeddings and relations; and the progress
bars and summary every import shares (cli/importers.py)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.common import (
    EXIT_INVALID_INPUT,
    EXIT_UNAVAILABLE,
    JsonOption,
    emit,
    err_console,
    fail,
    open_database,
)
from core.errors import ConfigurationError, DatabaseUnavailable
from core.queries import Queries
from core.settings import Settings

if TYPE_CHECKING:  # the ingest machinery (and torch) is imported only by commands that write
    from ingest.embedding import Embedder
    from ingest.pipeline import Ingester, IngestSummary

EXIT_USAGE = 2  # wrong usage, as typer exits for it


class BulkChoice(StrEnum):
    """ingest.bulk.BulkMode's values, here so that `atlas --help` imports no ingest machinery."""

    auto = "auto"
    on = "on"
    off = "off"


BulkOption = Annotated[
    BulkChoice,
    typer.Option(
        help="Bulk first load with neo4j-admin (the local server is stopped for it, then restarted), "
        "opt-in while it is not yet proven equal to the Bolt path on every dataset: auto when Atlas "
        "runs the server, the database holds no entity and the input has 1,000,000 records or more; "
        "on: always (or fail saying why); off (the default): the Bolt path."
    ),
]


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (.jsonl, .yaml, entities.csv, relations.csv)."),
    ],
    bulk: BulkOption = BulkChoice.off,
    as_json: JsonOption = False,
) -> None:
    """Validate the files, then write entities, embeddings and relations. Nothing is written if any
    record is invalid; ingesting the same files twice changes nothing."""
    run_ingest(lambda ingester: ingester.ingest_paths(paths), as_json, bulk=bulk)


def run_ingest(
    write: Callable[[Ingester], IngestSummary],
    as_json: bool,
    embedder: Embedder | None = None,
    bulk: BulkChoice = BulkChoice.off,
) -> None:
    """Open the database, run `write` with an Ingester, and report its summary (or why it failed)."""
    from ingest.bulk import BulkIngester, BulkLoadError, BulkLoadRefused, BulkMode
    from ingest.problems import IngestError
    from neo4j_local.server import LocalNeo4j

    settings = Settings()
    db = open_database(settings)
    try:
        with _progress(quiet=as_json) as report:
            ingester = BulkIngester(
                db,
                Queries(settings.cypher_dir),
                embedder or _LazyEmbedder(settings),
                settings.write_batch_size,
                progress=report,
                server=None if settings.neo4j_uri else LocalNeo4j.from_settings(settings),
                mode=BulkMode(bulk.value),
            )
            summary = write(ingester)
    except IngestError as error:
        raise fail(str(error), EXIT_INVALID_INPUT) from error
    except BulkLoadRefused as error:
        raise fail(str(error), EXIT_USAGE) from error
    except BulkLoadError as error:
        raise fail(str(error), EXIT_UNAVAILABLE) from error
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
        + (f"\nmerged entities left merged: {data['merged_kept']}" if data["merged_kept"] else "")
        + "".join(f"\nnote: {notice}" for notice in data["notices"]),
    )


class _LazyEmbedder:
    """Loads the model only if something needs embedding: an unchanged re-ingest never loads it."""

    def __init__(self, settings: Settings) -> None:
        from ingest.embedding import configured_dimensions, configured_model_name

        self.settings = settings
        self.model_name = configured_model_name(settings)
        self.dimensions = configured_dimensions(settings)
        self._embedder: Any = None

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self._embedder is None:
            from ingest.embedding import configured_embedder

            self._embedder = configured_embedder(self.settings)
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
