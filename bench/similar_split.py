"""`python -m bench.similar_split`: where `similar`'s time goes on the full synthetic graph
(entities and relationships, loaded by the bulk first load), in the bench's own process as the API
calls it: GraphReader.similar with the exact scan, then apart its two parts, the scan
(`VectorScan.nearest`) and the Cypher over the scan's candidates (`similar.cypher` with `among`),
and that Cypher without its no-edge check; last, `similar` again right after a brute-force
product over 1M x 384 float32, as bench/measure.py runs one before each request it times.
Python's full (generation 2) garbage collections during the timed calls are recorded, to tell a
slow answer's cause.

    python -m bench.similar_split --entities 1000000 --samples 200 --out bench/results/similar-split-1m.json
"""

from __future__ import annotations

import gc
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from bench.bulk import server
from bench.datasets import bench_graph
from bench.measure import percentiles
from bench.run import DEFAULT_DATASETS, RESULTS, command_line, machine, open_driver_for
from core.db import Database
from core.queries import Queries
from core.schema import GraphSchema
from core.settings import PROJECT_ROOT
from graph.reader import GraphReader, candidate_steps, scan_candidates
from graph.vector_scan import VectorScan, VectorScans
from ingest.bulk import BulkIngester, BulkMode
from ingest.embedding import HashingEmbedder
from ingest.schema_use import DatasetTypes
from ingest.sources.synthetic import SyntheticSpec

NO_EDGE_CHECK = "  AND NOT EXISTS { (e)--(other) }\n"
THRESHOLD, LIMIT = 0.65, 20  # /similar's defaults
STEPS = candidate_steps(LIMIT)  # as GraphReader.similar widens over the scan
WIDEST = STEPS[-1]
app = typer.Typer(add_completion=False)


@app.command()
def main(
    entities: Annotated[int, typer.Option()] = 1_000_000,
    samples: Annotated[int, typer.Option()] = 200,
    out: Annotated[Path, typer.Option()] = RESULTS / "similar-split-1m.json",
) -> None:
    spec = SyntheticSpec(entities=entities, relations=5 * entities, hubs=20, hub_degree=entities // 10)
    graph = bench_graph("synthetic", DEFAULT_DATASETS, spec)
    queries = Queries(PROJECT_ROOT / "cypher")
    report: dict[str, Any] = {"command": command_line("bench.similar_split"), "machine": machine()}
    with (
        tempfile.TemporaryDirectory(prefix="atlas-bench-split-") as work,
        server(Path(work) / "server", "4g", "4g") as local,
    ):
        db = Database(open_driver_for(local), "neo4j")
        start = time.perf_counter()
        BulkIngester(db, queries, HashingEmbedder(), server=local, mode=BulkMode.on).ingest_records(
            graph.records(), [], DatasetTypes(graph.schema())
        )
        report["bulk_load_seconds"] = round(time.perf_counter() - start, 1)
        db.driver.close()  # the load restarted the server
        db = Database(open_driver_for(local), "neo4j")
        scans = VectorScans(db, queries, min(100_000, entities // 2))
        start = time.perf_counter()
        scans.refresh(entities)
        report["scan_read_seconds"] = round(time.perf_counter() - start, 1)
        report.update(measure(db, queries, scans, samples))
        db.driver.close()
    out.write_text(json.dumps(report, indent=1) + "\n")
    for name, figures in report["latency_ms"].items():
        print(f"{name:24} p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  p99 {figures['p99']:7.1f} ms")
    print(f"written to {out}")


def measure(db: Database, queries: Queries, scans: VectorScans, samples: int) -> dict[str, Any]:
    reader = GraphReader(db, queries, GraphSchema(db, queries), scans=scans)
    scan = scans.current()
    assert scan is not None, "the scan must be of the graph's revision"
    without_edge_check = queries["similar"].replace(NO_EDGE_CHECK, "")
    assert without_edge_check != queries["similar"]
    sample = random.Random(11).sample(scan.ids, samples)
    for entity_id in sample[:5]:  # unmeasured: the first queries of a form are planned
        reader.similar(entity_id)
        db.read(without_edge_check, **cypher_params(scan, entity_id))
    rows = len(scan.ids)
    vectors = np.random.default_rng(0).standard_normal((rows, 384), dtype=np.float32)
    ms: dict[str, list[float]] = {
        name: [] for name in ("similar", "scan", "cypher", "cypher_without_edge_check", "similar_after_numpy")
    }
    candidates: list[float] = []
    collected: list[int] = []  # full collections during each `similar`
    collections = FullCollections()
    gc.callbacks.append(collections)
    for entity_id in sample:
        params = cypher_params(scan, entity_id)
        candidates.append(len(params["among"]))
        before = collections.count
        ms["similar"].append(timed(reader.similar, entity_id))
        collected.append(collections.count - before)
        ms["scan"].append(timed(scan.nearest, entity_id, WIDEST))
        ms["cypher"].append(timed(db.read, queries["similar"], **params))
        ms["cypher_without_edge_check"].append(timed(db.read, without_edge_check, **params))
        _ = vectors @ vectors[random.randrange(rows)]
        ms["similar_after_numpy"].append(timed(reader.similar, entity_id))
    gc.callbacks.remove(collections)
    slowest = sorted(range(samples), key=lambda i: -ms["similar"][i])[:5]
    return {
        "samples": samples,
        "latency_ms": {name: percentiles(values) for name, values in ms.items()},
        "candidates": percentiles(candidates),
        "full_collections_ms": percentiles(collections.ms) if collections.ms else {},
        "slowest": [
            {
                "id": sample[i],
                "candidates": candidates[i],
                "full_collections_during_similar": collected[i],
                **{name: round(values[i], 1) for name, values in ms.items()},
            }
            for i in slowest
        ],
    }


class FullCollections:
    """A gc callback: how many full collections ran, and how long each took."""

    def __init__(self) -> None:
        self.count = 0
        self.ms: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.ms.append((time.perf_counter() - self._started) * 1000)


def cypher_params(scan: VectorScan, entity_id: str) -> dict[str, Any]:
    """similar.cypher's parameters as GraphReader._similar_by_scan makes them (graph.reader)."""
    nearest = scan.nearest(entity_id, WIDEST)
    assert nearest is not None
    among = [nearest.pairs[rank][0] for rank in scan_candidates(nearest, STEPS, THRESHOLD)]
    return {
        "id": entity_id,
        "threshold": THRESHOLD,
        "limit": LIMIT,
        "candidates": len(among),
        "types": None,
        "nearest": 0,
        "among": among,
    }


def timed(work: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    work(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


if __name__ == "__main__":
    app()
