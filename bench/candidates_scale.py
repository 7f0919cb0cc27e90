"""`/candidates` at scale: the first answer (the whole ranked list computed) and later answers for the
same revision (shared), through `CandidateFinder` on a disposable Neo4j holding N synthetic
entities (hashing embeddings).

    python -m bench.candidates_scale --entities 100000 --out bench/results/candidates-100k.json

`--compute-only` times only the blocked products (no Neo4j); with `--seconds S` it stops after S
seconds and extrapolates from the share of the products done (every block's cost is its number of
cells, so the share is the share of the work): how long the products take at a million entities,
without an hour's run. With `--check-extrapolation` it also runs them to the end, to compare.
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
EMBED_CHUNK = 10_000  # the embedder returns Python floats: 1M vectors at once would take ~12 GB


class Enough(Exception):
    """The time given to the products is up."""


def synthetic_entities(entities: int) -> tuple[list[dict[str, Any]], np.ndarray]:
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    for record in generate(SyntheticSpec(entities=entities, relations=0)):
        data = record.data
        rows.append({"id": data["id"], "type": data["type"], "name": data["name"]})
        texts.append(f"{data['name']}: {data['description']}")
    embedder = HashingEmbedder()
    vectors = np.empty((len(texts), embedder.dimensions), dtype=np.float32)
    for begin in range(0, len(texts), EMBED_CHUNK):
        vectors[begin : begin + EMBED_CHUNK] = embedder.embed(texts[begin : begin + EMBED_CHUNK])
    return rows, vectors


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


def timed_products(embedded: Embedded, threshold: float, seconds: float | None) -> dict[str, Any]:
    """The products, for at most `seconds`: the pairs found, the share done, and the seconds the
    whole would take (measured when they ran to the end, else extrapolated from the share)."""
    start = time.perf_counter()
    reached = [0.0]

    def advance(done: float) -> None:
        reached[0] = done
        if done > 0 and seconds is not None and time.perf_counter() - start > seconds:
            raise Enough

    pairs, finished = 0, True
    try:
        for _ in passing_pairs(embedded, threshold, None, None, advance):
            pairs += 1
    except Enough:
        finished = False
    elapsed = time.perf_counter() - start
    share = 1.0 if finished else reached[0]
    return {
        "seconds_run": round(elapsed, 2),
        "share_done": round(share, 5),
        "pairs_found": pairs,
        "pairwise_seconds": round(elapsed / share, 1),
        "extrapolated": not finished,
    }


def compute_only(
    rows: list[dict[str, Any]],
    vectors: np.ndarray,
    threshold: float,
    seconds: float | None,
    check: bool,
    out: Path,
) -> None:
    summaries = [EntitySummary(id=r["id"], type=r["type"], name=r["name"]) for r in rows]
    embedded = Embedded(vectors, np.linalg.norm(vectors.astype(np.float64), axis=1), summaries, [])
    result: dict[str, Any] = {
        "taken": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),  # the machine is shared: how busy it was
        "entities": len(rows),
        "threshold": threshold,
        "compute_only": True,
        "vector_bytes": int(vectors.nbytes),
        "products": timed_products(embedded, threshold, seconds),
    }
    if check and seconds is not None:
        result["products_to_the_end"] = timed_products(embedded, threshold, None)
    for name in ("products", "products_to_the_end"):
        if name in result:
            figures = result[name]
            print(
                f"{name}: {len(rows)} entities, {figures['share_done']:.2%} done in "
                f"{figures['seconds_run']} s: the whole {figures['pairwise_seconds']} s"
                + (" (extrapolated)" if figures["extrapolated"] else "")
            )
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
    parser.add_argument("--seconds", type=float, help="With --compute-only: stop after this long.")
    parser.add_argument("--check-extrapolation", action="store_true", help="Also run them to the end.")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows, vectors = synthetic_entities(args.entities)
    if args.compute_only:
        compute_only(rows, vectors, args.threshold, args.seconds, args.check_extrapolation, args.out)
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
