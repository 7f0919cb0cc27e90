"""`python -m bench.bulk`: Atlas's bulk first load against LOAD CSV, a bare `neo4j-admin database
import` of the same records and the Bolt path, side by side in one run, per graph.

Each loader gets a fresh server of its own (same heap and page cache) and an empty database:
  1. bulk: BulkIngester with --bulk on, from the raw records (validation, planning, embedding, the
     import files, stopping the server, neo4j-admin, starting it, the constraint and indexes);
  2. bare neo4j-admin: the very files the bulk load wrote (embeddings included), imported into a
     stopped server; timed as the command alone, and with the stop and start any user of it pays;
  3. LOAD CSV of the same records (bench/loaders.py), the same constraint and indexes in place;
     once without the embeddings, and once with them (the same float32 vectors and hashes, set
     as Atlas sets them, the vector index updated as it goes): the baseline that writes what
     Atlas writes;
  4. the Bolt path (Ingester) from the same raw records.
Both Atlas paths embed with the hashing embedder: the model's time is excluded from every ratio
anyway, and the same 384 float32 values per entity are written either way.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.datasets import BenchGraph, bench_graph
from bench.loaders import write_load_csv_files
from bench.run import (
    BENCH_QUERIES,
    DEFAULT_DATASETS,
    RESULTS,
    command_line,
    load_csv_figures,
    machine,
    open_driver_for,
)
from core.db import Database
from core.queries import Queries
from core.settings import PROJECT_ROOT
from ingest.bulk import BulkIngester, BulkMode, ImportFiles
from ingest.embedding import HashingEmbedder
from ingest.pipeline import Ingester
from ingest.schema_use import DatasetTypes
from ingest.sources.synthetic import SyntheticSpec
from neo4j_local.server import LocalNeo4j

app = typer.Typer(add_completion=False)
console = Console()
WITHOUT_EMBEDDING = ("embed",)  # the model's stage; everything else counts
BOLT_WITHOUT_EMBEDDING = ("validate", "plan", "entities", "relations")  # bench/run.py's rule


@app.command()
def main(
    graphs: Annotated[str, typer.Option(help="Comma-separated: wn18rr, codex-s, codex-m, synthetic.")] = (
        "wn18rr,codex-m"
    ),
    datasets: Annotated[Path, typer.Option(help="Folder holding wn18rr/ and codex/.")] = DEFAULT_DATASETS,
    entities: Annotated[int, typer.Option(help="Synthetic graph: entities.")] = 1_000_000,
    relations: Annotated[int, typer.Option(help="Synthetic graph: relations.")] = 5_000_000,
    hubs: Annotated[int, typer.Option(help="Synthetic graph: hubs of 100,000 relations.")] = 20,
    heap: Annotated[str, typer.Option(help="Neo4j heap of each server.")] = "2g",
    pagecache: Annotated[str, typer.Option(help="Neo4j page cache of each server.")] = "2g",
    out: Annotated[
        Path | None, typer.Option(help="JSON file (default bench/results/bulk-<time>.json).")
    ] = None,
    markdown: Annotated[Path | None, typer.Option(help="Print a saved result's tables as Markdown.")] = None,
) -> None:
    """Run the four loaders per graph; print a table and write every figure as JSON."""
    if markdown is not None:
        print(markdown_tables(json.loads(markdown.read_text())))
        return
    spec = SyntheticSpec(entities, relations, hubs, 100_000)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out or RESULTS / f"bulk-{stamp}.json"
    report: dict[str, Any] = {
        "taken": stamp,
        "machine": machine(),
        "command": command_line("bench.bulk"),
        "heap": heap,
        "pagecache": pagecache,
        "graphs": {},
    }
    for name in graphs.split(","):
        graph = bench_graph(name.strip(), datasets, spec)
        console.rule(f"[bold]{graph.name}")
        result: dict[str, Any] = {"complete": False}
        report["graphs"][graph.name] = result
        run_graph(graph, heap, pagecache, result, lambda: out.write_text(json.dumps(report, indent=2) + "\n"))
        result["complete"] = True
        out.write_text(json.dumps(report, indent=2) + "\n")
        print_table(graph.name, result)
    console.print(f"JSON: {out}")


def run_graph(graph: BenchGraph, heap: str, pagecache: str, result: dict[str, Any], save: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="atlas-bench-bulk-") as work:
        folder = Path(work)
        counts = prepare_load_csv(graph, folder / "load-csv")
        result.update(counts)
        with server(folder / "bulk", heap, pagecache) as bulk_server:
            result["bulk"], files = bulk_load(graph, bulk_server, folder / "kept")
            result["bulk"]["counts"] = graph_counts(bulk_server)
        save()
        result["admin_import"] = bare_admin_import(files, folder / "admin", heap, pagecache)
        save()
        with server(folder / "load-csv-server", heap, pagecache) as csv_server:
            result["load_csv"] = load_csv_figures(folder / "load-csv", csv_server)
        save()
        with server(folder / "load-csv-embedded-server", heap, pagecache) as csv_server:
            embedded = load_csv_figures(folder / "load-csv-embedded", csv_server, embedded=True)
            result["load_csv_embedded"] = embedded
        save()
        with server(folder / "bolt", heap, pagecache) as bolt_server:
            result["bolt"] = bolt_load(graph, bolt_server)
        save()
        result["ratios"] = ratios(result)


def prepare_load_csv(graph: BenchGraph, folder: Path) -> dict[str, int]:
    """LOAD CSV's files from the validated records, in a child process (its memory goes with it)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_prepare_load_csv, graph, folder).result()


def _prepare_load_csv(graph: BenchGraph, folder: Path) -> dict[str, int]:
    valid = graph.validated()
    write_load_csv_files(valid, folder)
    write_load_csv_files(valid, folder.with_name("load-csv-embedded"), HashingEmbedder())
    return {"entities": len(valid.entities), "relations": len(valid.relations)}


@contextmanager
def server(home: Path, heap: str, pagecache: str) -> Iterator[LocalNeo4j]:
    local = LocalNeo4j.disposable(home, heap=heap, pagecache=pagecache)
    local.start(die_with_parent=True)
    try:
        yield local
    finally:
        local.stop()


class KeepingBulkIngester(BulkIngester):
    """Keeps a copy of the import files for the bare neo4j-admin run of the same records."""

    def __init__(self, *args: Any, keep: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep = keep
        self.kept: ImportFiles | None = None
        self.copy_seconds = 0.0

    def _run_import(self, files: ImportFiles, database: str) -> None:
        start = time.perf_counter()
        shutil.copytree(files.folder, self.keep)
        self.copy_seconds = time.perf_counter() - start
        self.kept = ImportFiles(self.keep, self.keep / files.nodes.name, self.keep / files.relationships.name)
        super()._run_import(files, database)


def bulk_load(graph: BenchGraph, local: LocalNeo4j, keep: Path) -> tuple[dict[str, Any], ImportFiles]:
    db = Database(open_driver_for(local), "neo4j")
    try:
        ingester = KeepingBulkIngester(
            db, Queries(PROJECT_ROOT / "cypher"), HashingEmbedder(), server=local, mode=BulkMode.on, keep=keep
        )
        start = time.perf_counter()
        summary = ingester.ingest_records(graph.records(), [], DatasetTypes(graph.schema()))
        wall = time.perf_counter() - start
    finally:
        db.driver.close()
    assert ingester.kept is not None
    # The copy for the bare run is not part of the load.
    seconds = dict(summary.seconds)
    seconds["admin_import"] = round(seconds["admin_import"] - ingester.copy_seconds, 3)
    wall -= ingester.copy_seconds
    return {"seconds": seconds, "wall_seconds": round(wall, 2)}, ingester.kept


def bare_admin_import(files: ImportFiles, home: Path, heap: str, pagecache: str) -> dict[str, Any]:
    """neo4j-admin of the bulk load's own files into a server that has run once (system database,
    password), stopped; then started, as a user must to use what was imported."""
    local = LocalNeo4j.disposable(home, heap=heap, pagecache=pagecache)
    local.start(die_with_parent=True)
    start = time.perf_counter()
    local.stop()
    stopped = time.perf_counter()
    process = local.admin_process(
        "database",
        "import",
        "full",
        "neo4j",
        f"--nodes={files.nodes}",
        f"--relationships={files.relationships}",
        "--overwrite-destination=true",
        "--multiline-fields=true",
        "--array-delimiter=\\u001F",
        f"--report-file={home / 'import.report'}",
        f"--max-off-heap-memory={pagecache}",  # as the bulk load passes it
    )
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"bare neo4j-admin import failed:\n{output[-2000:]}")
    imported = time.perf_counter()
    local.start(die_with_parent=True)
    started = time.perf_counter()
    try:
        counts = graph_counts(local)
    finally:
        local.stop()
    return {
        "import_seconds": round(imported - stopped, 2),
        "with_stop_and_start_seconds": round(started - start, 2),
        "counts": counts,
    }


def bolt_load(graph: BenchGraph, local: LocalNeo4j) -> dict[str, Any]:
    db = Database(open_driver_for(local), "neo4j")
    try:
        ingester = Ingester(db, Queries(PROJECT_ROOT / "cypher"), HashingEmbedder())
        start = time.perf_counter()
        summary = ingester.ingest_records(graph.records(), [], DatasetTypes(graph.schema()))
        wall = time.perf_counter() - start
    finally:
        db.driver.close()
    return {"seconds": dict(summary.seconds), "wall_seconds": round(wall, 2), "counts": graph_counts(local)}


def graph_counts(local: LocalNeo4j) -> dict[str, int]:
    db = Database(open_driver_for(local), "neo4j")
    try:
        return dict(db.read(Queries(BENCH_QUERIES)["counts"])[0])
    finally:
        db.driver.close()


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """Throughput ratios (seconds of the baseline over seconds of the bulk load, embedding excluded)."""
    bulk = result["bulk"]["wall_seconds"] - sum(
        result["bulk"]["seconds"].get(s, 0.0) for s in WITHOUT_EMBEDDING
    )
    load_csv_seconds = sum(result["load_csv"]["seconds"].values())
    embedded_seconds = sum(result["load_csv_embedded"]["seconds"].values())
    bolt = sum(result["bolt"]["seconds"].get(s, 0.0) for s in BOLT_WITHOUT_EMBEDDING)
    admin = result["admin_import"]
    return {
        "bulk_seconds_without_embedding": round(bulk, 2),
        "load_csv_seconds": round(load_csv_seconds, 2),
        "load_csv_embedded_seconds": round(embedded_seconds, 2),
        "bulk_vs_load_csv_embedded": round(embedded_seconds / bulk, 3),
        "bolt_vs_load_csv": round(load_csv_seconds / bolt, 3),
        "bolt_vs_load_csv_embedded": round(embedded_seconds / bolt, 3),
        "bolt_seconds_without_embedding": round(bolt, 2),
        "admin_import_seconds": admin["import_seconds"],
        "admin_import_with_stop_and_start_seconds": admin["with_stop_and_start_seconds"],
        "bulk_vs_load_csv": round(load_csv_seconds / bulk, 3),
        "bulk_vs_bolt": round(bolt / bulk, 3),
        "bulk_over_admin_import": round(bulk / admin["import_seconds"], 3),
        "bulk_over_admin_import_with_stop_and_start": round(bulk / admin["with_stop_and_start_seconds"], 3),
        "same_counts": result["bulk"]["counts"]
        == admin["counts"]
        == result["load_csv"]["counts"]
        == result["load_csv_embedded"]["counts"]
        == result["bolt"]["counts"],
    }


def print_table(name: str, result: dict[str, Any]) -> None:
    table = Table(title=f"{name}: {result['entities']:,} entities, {result['relations']:,} relations")
    for column in ("loader", "seconds (embedding excluded)", "bulk's throughput ratio"):
        table.add_column(column)
    r = result["ratios"]
    table.add_row("Atlas bulk first load", f"{r['bulk_seconds_without_embedding']}", "1.0")
    table.add_row("LOAD CSV", f"{r['load_csv_seconds']}", f"{r['bulk_vs_load_csv']}x")
    table.add_row(
        "LOAD CSV with embeddings", f"{r['load_csv_embedded_seconds']}", f"{r['bulk_vs_load_csv_embedded']}x"
    )
    table.add_row("Atlas Bolt path", f"{r['bolt_seconds_without_embedding']}", f"{r['bulk_vs_bolt']}x")
    table.add_row(
        "neo4j-admin import alone",
        f"{r['admin_import_seconds']}",
        f"{1 / r['bulk_over_admin_import']:.3f}x",
    )
    table.add_row(
        "neo4j-admin + server stop/start",
        f"{r['admin_import_with_stop_and_start_seconds']}",
        f"{1 / r['bulk_over_admin_import_with_stop_and_start']:.3f}x",
    )
    console.print(table)
    console.print(f"bulk stages (s): {result['bulk']['seconds']}; same counts everywhere: {r['same_counts']}")
    console.print(
        f"Bolt path's throughput: {r['bolt_vs_load_csv']}x LOAD CSV, "
        f"{r['bolt_vs_load_csv_embedded']}x LOAD CSV with embeddings"
    )


def markdown_tables(report: dict[str, Any]) -> str:
    """The docs' tables (docs/performance.md), from a saved result."""
    out = []
    for name, result in report["graphs"].items():
        if "ratios" not in result:
            out.append(f"### {name}: incomplete run\n")
            continue
        r, bulk = result["ratios"], result["bulk"]["seconds"]
        out.append(f"### {name}: {result['entities']:,} entities, {result['relations']:,} relations\n")
        out.append("| loader | seconds, embedding excluded | bulk load's throughput against it |")
        out.append("| --- | --- | --- |")
        out.append(f"| Atlas bulk first load | {r['bulk_seconds_without_embedding']} | |")
        out.append(f"| LOAD CSV | {r['load_csv_seconds']} | {r['bulk_vs_load_csv']}x |")
        if "load_csv_embedded_seconds" in r:
            out.append(
                f"| LOAD CSV with embeddings | {r['load_csv_embedded_seconds']} "
                f"| {r['bulk_vs_load_csv_embedded']}x |"
            )
        out.append(f"| Atlas Bolt path | {r['bolt_seconds_without_embedding']} | {r['bulk_vs_bolt']}x |")
        out.append(
            f"| neo4j-admin import alone | {r['admin_import_seconds']} "
            f"| {1 / r['bulk_over_admin_import']:.3f}x |"
        )
        out.append(
            f"| neo4j-admin + server stop and start | {r['admin_import_with_stop_and_start_seconds']} "
            f"| {1 / r['bulk_over_admin_import_with_stop_and_start']:.3f}x |"
        )
        stages = ", ".join(f"{stage} {seconds}" for stage, seconds in bulk.items())
        out.append(f"\nBulk load stages (s): {stages}. Same counts from every loader: {r['same_counts']}.")
        if "bolt_vs_load_csv_embedded" in r:
            out.append(
                f"The Bolt path's throughput: {r['bolt_vs_load_csv']}x LOAD CSV's, "
                f"{r['bolt_vs_load_csv_embedded']}x LOAD CSV's with embeddings."
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    app()
