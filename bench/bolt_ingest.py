"""`python -m bench.bolt_ingest`: Atlas's Bolt ingest against LOAD CSV, side by side in one run, on
servers of their own (fresh folder, free loopback ports), without the rest of `python -m bench`
(pages, `similar`, neo4j-admin), so that it fits a busy machine.

For each graph:
  1. LOAD CSV of the validated records (bench/loaders.py: Atlas's constraint and indexes first,
     entities MERGEd, relations CREATEd, 10,000 rows per transaction) into an empty database.
  2. `atlas import` of the same records (a process of its own, for its peak RSS) into another
     empty database: the synthetic graph with the hashing embedder, the datasets with the model
     (`atlas import` of a dataset has no other), whose stage, `embed`, no ratio counts (the model's
     cost is measured by bench.embedding_backends): seconds per stage and peak RSS. Its vectors
     are written with the entities, so the `entities` stage includes writing 384 floats per
     entity, which LOAD CSV does not.
  3. The same ingest again: nothing written, no embedding computed.
The ratio is LOAD CSV seconds over Atlas's validate + plan + entities + relations seconds.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.datasets import BenchGraph, bench_graph
from bench.loaders import load_csv, write_load_csv_files
from bench.run import atlas_import, command_line
from core.db import Connection, Database, open_driver
from core.queries import Queries
from core.settings import PROJECT_ROOT
from ingest.sources.synthetic import SyntheticSpec
from neo4j_local.server import LocalNeo4j

BENCH_QUERIES = Path(__file__).parent / "cypher"
RESULTS = Path(__file__).parent / "results"
DEFAULT_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
STAGES = ("validate", "plan", "entities", "relations")

app = typer.Typer(add_completion=False)
console = Console()


@app.command()
def main(
    graphs: Annotated[
        str, typer.Option(help="comma-separated: wn18rr, codex-m, codex-s, synthetic")
    ] = "wn18rr,codex-m",
    datasets: Annotated[Path, typer.Option()] = DEFAULT_DATASETS,
    entities: Annotated[int, typer.Option(help="Synthetic graph: entities.")] = 1_000_000,
    relations: Annotated[int, typer.Option(help="Synthetic graph: relations.")] = 5_000_000,
    hubs: Annotated[int, typer.Option(help="Synthetic graph: hub entities.")] = 20,
    hub_degree: Annotated[int, typer.Option(help="Synthetic graph: relations per hub.")] = 100_000,
    heap: Annotated[str, typer.Option()] = "2g",
    pagecache: Annotated[str, typer.Option()] = "1g",
    out: Annotated[Path, typer.Option()] = RESULTS / "bolt-ingest.json",
) -> None:
    report: dict[str, Any] = {
        "command": " ".join(command_line("bench.bolt_ingest")),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rust_extension": find_spec("neo4j._rust") is not None,
        "graphs": {},
    }
    for name in graphs.split(","):
        graph = bench_graph(name, datasets, SyntheticSpec(entities, relations, hubs, hub_degree))
        report["graphs"][name] = run_graph(graph, heap, pagecache)
        out.write_text(json.dumps(report, indent=2) + "\n")
        print_table(name, report["graphs"][name])
    console.print(f"written to {out}")


def run_graph(graph: BenchGraph, heap: str, pagecache: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-bolt-") as work:
        folder = Path(work)
        valid = graph.validated()
        write_load_csv_files(valid, folder / "load-csv")
        result: dict[str, Any] = {"entities": len(valid.entities), "relations": len(valid.relations)}
        del valid
        with server(folder / "load-csv-server", heap, pagecache) as (local, db):
            shutil.copytree(folder / "load-csv", local.home / "import", dirs_exist_ok=True)
            seconds = load_csv(db, Queries(PROJECT_ROOT / "cypher"), Queries(BENCH_QUERIES))
            result["load_csv"] = {
                "seconds": {k: round(v, 2) for k, v in seconds.items()},
                "counts": counts(db),
            }
        with server(folder / "atlas-server", heap, pagecache) as (local, db):
            result["atlas"] = atlas_import(graph, local, folder)
            result["atlas"]["counts"] = counts(db)
            result["atlas_reingest"] = atlas_import(graph, local, folder)
    result["ratio"] = ratios(result)
    return result


@contextmanager
def server(home: Path, heap: str, pagecache: str) -> Iterator[tuple[LocalNeo4j, Database]]:
    local = LocalNeo4j.disposable(home, heap=heap, pagecache=pagecache)
    local.start(die_with_parent=True)
    driver = open_driver(Connection(local.bolt_uri, "neo4j", local.password(), "neo4j"))
    try:
        yield local, Database(driver)
    finally:
        driver.close()
        local.stop()


def counts(db: Database) -> dict[str, Any]:
    return dict(db.read(Queries(BENCH_QUERIES)["counts"])[0])


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    atlas = result["atlas"]["seconds"]
    load = result["load_csv"]["seconds"]
    atlas_seconds = sum(atlas.get(stage, 0.0) for stage in STAGES)
    load_seconds = load["entities"] + load["relations"]
    return {
        "atlas_seconds_without_embedding": round(atlas_seconds, 2),
        "load_csv_seconds": round(load_seconds, 2),
        "ingest_over_load_csv": round(load_seconds / atlas_seconds, 3),
        "entities": round(load["entities"] / atlas["entities"], 3),
        "relations": round(load["relations"] / atlas["relations"], 3),
    }


def print_table(name: str, result: dict[str, Any]) -> None:
    table = Table(
        title=f"{name}: Bolt ingest against LOAD CSV ({result['entities']} entities, "
        f"{result['relations']} relations)"
    )
    for column in ("", "Atlas (s)", "LOAD CSV (s)", "throughput ratio"):
        table.add_column(column, justify="right" if column else "left")
    atlas, load, ratio = result["atlas"]["seconds"], result["load_csv"]["seconds"], result["ratio"]
    table.add_row(
        "entities (+ vectors for Atlas)",
        str(atlas["entities"]),
        str(load["entities"]),
        f"{ratio['entities']}x",
    )
    table.add_row("relations", str(atlas["relations"]), str(load["relations"]), f"{ratio['relations']}x")
    table.add_row("validate + plan", str(round(atlas["validate"] + atlas["plan"], 2)), "", "")
    table.add_row(
        "total, embedding excluded",
        str(ratio["atlas_seconds_without_embedding"]),
        str(ratio["load_csv_seconds"]),
        f"{ratio['ingest_over_load_csv']}x",
    )
    table.add_row("import (wall), peak RSS", str(result["atlas"]["wall_seconds"]), "", _mib(result["atlas"]))
    reingest = result["atlas_reingest"]
    table.add_row(
        "re-ingest (wall)", str(reingest["wall_seconds"]), "", f"{reingest['embeddings_computed']} embedded"
    )
    table.add_row("re-ingest per stage", _stages(reingest["seconds"]), "", _mib(reingest))
    console.print(table)


def _mib(run: dict[str, Any]) -> str:
    return f"{run['peak_rss_mib']} MiB peak"


def _stages(seconds: dict[str, float]) -> str:
    return ", ".join(f"{stage} {seconds[stage]}" for stage in STAGES if stage in seconds)


if __name__ == "__main__":
    app()
