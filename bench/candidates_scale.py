"""`/candidates` at scale: the first answer (the whole ranked list computed) and later answers for the
same revision (shared), through `CandidateFinder` on a disposable Neo4j holding N synthetic
entities (hashing embeddings).

    python -m bench.candidates_scale --entities 100000 --out bench/results/candidates-100k.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import percentiles
from bench.run import BENCH_QUERIES, machine
from core.db import Database, open_driver, resolve_connection
from core.queries import Queries
from core.settings import Settings
from curation.candidates import CandidateFinder, Embedded, passing_pairs
from graph.models import EntitySummary
from ingest.embedding import HashingEmbedder
from ingest.sources.synthetic import SyntheticSpec, generate
from neo4j_local.server import LocalNeo4j

WRITE_BATCH = 2_000
LATER = 20


def synthetic_entities(entities: int) -> tuple[list[dict[str, Any]], np.ndarray]:
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    for record in generate(SyntheticSpec(entities=entities, relations=0)):
        data = record.data
        rows.append({"id": data["id"], "type": data["type"], "name": data["name"]})
        texts.append(f"{data['name']}: {data['description']}")
    return rows, np.asarray(HashingEmbedder().embed(texts), dtype=np.float32)


def load(db: Database, queries: Queries, rows: list[dict[str, Any]], vectors: np.ndarray) -> float:
    start = time.perf_counter()
    for begin in range(0, len(rows), WRITE_BATCH):
        batch = [
            {**row, "embedding": vector}
            for row, vector in zip(
                rows[begin : begin + WRITE_BATCH], vectors[begin : begin + WRITE_BATCH].tolist(), strict=True
            )
        ]
        db.write(queries["candidates_load_entities"], rows=batch)
    return time.perf_counter() - start


def compute_only(rows: list[dict[str, Any]], vectors: np.ndarray, threshold: float, out: Path) -> None:
    summaries = [EntitySummary(id=r["id"], type=r["type"], name=r["name"]) for r in rows]
    embedded = Embedded(vectors, np.linalg.norm(vectors.astype(np.float64), axis=1), summaries, [])
    start = time.perf_counter()
    pairs = sum(1 for _ in passing_pairs(embedded, threshold, None, None))
    seconds = round(time.perf_counter() - start, 2)
    result = {
        "taken": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),  # the machine is shared: how busy it was
        "entities": len(rows),
        "threshold": threshold,
        "compute_only": True,
        "pairs_above_threshold": pairs,
        "pairwise_seconds": seconds,
    }
    print(f"pairwise cosine at {len(rows)} entities: {pairs} pairs >= {threshold} in {seconds} s")
    out.write_text(json.dumps(result, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument(
        "--compute-only",
        action="store_true",
        help="Time only the blocked pairwise cosine (no Neo4j: no vector reads, no pair checks).",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows, vectors = synthetic_entities(args.entities)
    if args.compute_only:
        compute_only(rows, vectors, args.threshold, args.out)
        return
    result: dict[str, Any] = {
        "taken": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),  # the machine is shared: how busy it was
        "entities": len(rows),
        "threshold": args.threshold,
    }
    with tempfile.TemporaryDirectory(prefix="atlas-candidates-") as home:
        server = LocalNeo4j.disposable(Path(home), heap="2g", pagecache="1g")
        server.start(die_with_parent=True)
        try:
            settings = Settings(
                neo4j_uri=server.bolt_uri,
                neo4j_user="neo4j",
                neo4j_password=server.password(),
                _env_file=None,
            )
            connection = resolve_connection(settings)
            driver = open_driver(connection, retry_seconds=60)
            db = Database(driver, connection.database)
            atlas_queries = Queries(settings.cypher_dir)
            db.write(atlas_queries["create_entity_id_constraint"])  # the pair check looks ids up
            result["load_seconds"] = round(load(db, Queries(BENCH_QUERIES), rows, vectors), 1)
            start = time.perf_counter()
            first = CandidateFinder(db, atlas_queries).find(args.threshold, limit=50)
            result["first_seconds"] = round(time.perf_counter() - start, 2)
            result["pairs"] = first.count
            result["first_stages"] = first.computed_stages
            later: list[float] = []
            cursor = first.next_cursor
            for _ in range(LATER):  # later pages, a new finder each time, as the API builds one per request
                start = time.perf_counter()
                page = CandidateFinder(db, atlas_queries).find(args.threshold, limit=50, cursor=cursor)
                later.append((time.perf_counter() - start) * 1000)
                cursor = page.next_cursor
            result["later_ms"] = percentiles(later)
            result["computed_at"] = first.computed_at
            driver.close()
        finally:
            server.stop()
    print(
        f"candidates at {len(rows)} entities (threshold {args.threshold}): {result['pairs']} pairs; "
        f"first answer {result['first_seconds']} s ({result['first_stages']}); "
        f"later p50 {result['later_ms']['p50']} ms, "
        f"p99 {result['later_ms']['p99']} ms"
    )
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
