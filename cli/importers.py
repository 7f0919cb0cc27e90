"""`atlas import wn18rr | codex | synthetic | bibtex | csl`: public datasets, scale graphs and
reference-manager libraries, through the normal ingest path (validation of every record first,
embeddings, idempotent batches).

The adapters and their mapping to Atlas records are in ingest/sources/.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import EXIT_INVALID_INPUT, JsonOption, fail
from cli.loading import BulkChoice, BulkOption, run_ingest

DatasetFolder = Annotated[
    Path,
    typer.Argument(exists=True, file_okay=False, help="The dataset folder, as its authors lay it out."),
]

import_app = typer.Typer(
    help="Import a public dataset or generate a synthetic graph, through the normal ingest path.",
    no_args_is_help=True,
)


class CodexSize(StrEnum):
    s = "s"
    m = "m"


class EmbedderChoice(StrEnum):
    minilm = "minilm"
    hashing = "hashing"


ALL_SPLITS = "train,dev,test"
SplitsOption = Annotated[
    str,
    typer.Option(
        help="The published splits to load, comma-separated: e.g. train,dev leaves the test "
        "triples out, for evaluating suggestions on them. Every entity is loaded either way."
    ),
]


def _splits(value: str) -> tuple[str, ...]:
    from ingest.sources import checked_splits

    try:
        return checked_splits([part.strip() for part in value.split(",") if part.strip()])
    except ValueError as error:
        raise fail(f"--splits: {error}", EXIT_INVALID_INPUT) from error


def register_importers(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@import_app.command("wn18rr")
def import_wn18rr(
    folder: DatasetFolder,
    splits: SplitsOption = ALL_SPLITS,
    bulk: BulkOption = BulkChoice.off,
    as_json: JsonOption = False,
) -> None:
    """WN18RR: 40,943 WordNet synsets (type `synset`) and 93,003 triples of 11 relation types."""
    from ingest.schema_use import DatasetTypes
    from ingest.sources.wn18rr import SCHEMA, read_wn18rr

    chosen = _splits(splits)
    types = DatasetTypes(SCHEMA)  # WordNet's types join the graph's schema
    run_ingest(
        lambda ingester: ingester.ingest_records(*read_wn18rr(folder, chosen), types), as_json, bulk=bulk
    )


@import_app.command("codex")
def import_codex(
    folder: DatasetFolder,
    size: Annotated[CodexSize, typer.Option(help="CoDEx-S (2,034 items) or CoDEx-M (17,050).")],
    splits: SplitsOption = ALL_SPLITS,
    bulk: BulkOption = BulkChoice.off,
    as_json: JsonOption = False,
) -> None:
    """CoDEx-S or CoDEx-M: Wikidata items (person, place, organization, work, concept) and
    properties (42 or 51 relation types)."""
    from ingest.schema_use import DatasetTypes
    from ingest.sources.codex import SCHEMA, read_codex

    chosen = _splits(splits)
    types = DatasetTypes(SCHEMA)  # CoDEx's types join the graph's schema
    run_ingest(
        lambda ingester: ingester.ingest_records(*read_codex(folder, size.value, chosen), types),
        as_json,
        bulk=bulk,
    )


@import_app.command("synthetic")
def import_synthetic(
    entities: Annotated[int, typer.Option(min=2, help="Number of entities.")] = 10_000,
    relations: Annotated[int, typer.Option(min=0, help="Number of relations.")] = 50_000,
    hubs: Annotated[int, typer.Option(min=0, help="Hub entities with --hub-degree relations.")] = 0,
    hub_degree: Annotated[int, typer.Option(min=1, help="Relations of each hub.")] = 100_000,
    seed: Annotated[int, typer.Option(help="The same seed gives the same graph.")] = 7,
    embedder: Annotated[
        EmbedderChoice,
        typer.Option(help="hashing: fast bag-of-words vectors for scale runs; minilm: the model."),
    ] = EmbedderChoice.hashing,
    bulk: BulkOption = BulkChoice.off,
    as_json: JsonOption = False,
) -> None:
    """A deterministic power-law research graph (see ingest/sources/synthetic.py)."""
    from ingest.embedding import HashingEmbedder
    from ingest.schema_use import DatasetTypes
    from ingest.sources.synthetic import SCHEMA, SyntheticSpec, generate

    try:
        spec = SyntheticSpec(entities, relations, hubs, hub_degree, seed=seed)
    except ValueError as error:
        raise fail(str(error), EXIT_INVALID_INPUT) from error
    chosen = HashingEmbedder() if embedder is EmbedderChoice.hashing else None  # None: the model
    types = DatasetTypes(SCHEMA)
    run_ingest(
        lambda ingester: ingester.ingest_records(generate(spec), [], types), as_json, chosen, bulk=bulk
    )


LibraryFiles = Annotated[
    list[Path],
    typer.Argument(exists=True, dir_okay=False, help="The library's files, read as one library."),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Validate and report what the import would write; write nothing."),
]


@import_app.command("bibtex")
def import_bibtex(files: LibraryFiles, dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """A BibTeX library (Zotero, JabRef, Mendeley, Overleaf): papers, their authors and editors
    in order, and what they cite (see the README's mapping)."""
    from ingest.sources.bibtex import read_bibtex

    _import_library(read_bibtex, files, dry_run, as_json)


@import_app.command("csl")
def import_csl(files: LibraryFiles, dry_run: DryRunOption = False, as_json: JsonOption = False) -> None:
    """A CSL-JSON library (Zotero, pandoc, Crossref): the same mapping as `import bibtex`."""
    from ingest.sources.csl import read_csl

    _import_library(read_csl, files, dry_run, as_json)


def _import_library(reader: Any, files: list[Path], dry_run: bool, as_json: bool) -> None:
    from cli.common import err_console
    from cli.loading import run_ingest
    from ingest.sources.library_import import LibrarySummary, import_library

    notes: list[str] = []
    records, problems = reader(files, notes)

    def write(ingester: Any) -> LibrarySummary:
        summary = import_library(ingester, records, problems, notes, dry_run=dry_run)
        if not as_json:
            for note in notes:
                err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
            if summary.linked_existing:
                err_console.print(
                    f"already in the graph, linked: {summary.linked_existing} people or organisations"
                )
            if dry_run:
                err_console.print("dry run: valid; nothing was written. The import would do this:")
        return summary

    run_ingest(write, as_json)
