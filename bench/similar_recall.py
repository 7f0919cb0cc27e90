"""Recall@20 of the vector index against a brute force, per index configuration and per number of
candidates asked, on the synthetic graph's entities (hashing embeddings).

    python -m bench.similar_recall --entities 200000 --samples 200 --out bench/results/recall-200k.json

A disposable Neo4j holds only the entities (id and float32 embedding); for each configuration the
index is built afresh (its build time reported), then every sampled entity asks it for k
candidates, k in --candidates, and the ids are compared with the exact top 20 (numpy, float32,
every stored vector, the entity itself left out). Prints a table; writes JSON.
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
from bench.run import BENCH_QUERIES, SEED, machine
from core.db import Database, open_driver, resolve_connection
from core.queries import Queries
from core.settings import Settings
from ingest.embedding import HashingEmbedder
from ingest.sources.synthetic import SyntheticSpec, generate
from neo4j_local.server import LocalNeo4j

CONFIGS = ("default", "noquant_m16_ef100", "noquant_m32_ef200", "quant_m32_ef200")
CANDIDATES = (40, 100, 200, 400, 800)
TOP = 20
WRITE_BATCH = 2_000


def synthetic_vectors(entities: int) -> tuple[list[str], np.ndarray]:
    """The synthetic graph's entity ids and their hashing embeddings of 'name: description'."""
    embedder = HashingEmbedder()
    ids: list[str] = []
    texts: list[str] = []
    for record in generate(SyntheticSpec(entities=entities, relations=0)):
        data = record.data
        ids.append(data["id"])
        texts.append(f"{data['name']}: {data['description']}")
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    return ids, vectors


def load(db: Database, queries: Queries, ids: list[str], vectors: np.ndarray) -> float:
    start = time.perf_counter()
    for begin in range(0, len(ids), WRITE_BATCH):
        rows = [
            {"id": entity_id, "embedding": vector}
            for entity_id, vector in zip(
                ids[begin : begin + WRITE_BATCH], vectors[begin : begin + WRITE_BATCH].tolist(), strict=True
            )
        ]
        db.write(queries["recall_load_vectors"], rows=rows)
    return time.perf_counter() - start


def exact_top(vectors: np.ndarray, rows: list[int]) -> list[list[int]]:
    """The TOP nearest rows of each sampled row by cosine (vectors are unit length), self excluded."""
    scores = vectors[rows] @ vectors.T
    scores[np.arange(len(rows)), rows] = -np.inf
    top = np.argpartition(-scores, TOP, axis=1)[:, :TOP]
    return [list(row_top) for row_top in top]


def measure_config(
    db: Database, queries: Queries, config: str, ids: list[str], sample: list[int], truth: list[list[int]]
) -> dict[str, Any]:
    db.write(queries["recall_drop_index"])
    start = time.perf_counter()
    db.write(queries[f"recall_index_{config}"])
    db.write(queries["recall_await_index"])
    build = time.perf_counter() - start
    options = db.read(queries["recall_index_options"])[0]["config"]
    by_k: dict[str, Any] = {}
    for k in CANDIDATES:
        found = 0
        latency: list[float] = []
        for row, exact in zip(sample, truth, strict=True):
            begin = time.perf_counter()
            returned = db.read(queries["recall_nearest"], id=ids[row], candidates=k + 1)[0]["ids"]
            latency.append((time.perf_counter() - begin) * 1000)
            got = [entity_id for entity_id in returned if entity_id != ids[row]][:k]
            found += len({ids[r] for r in exact} & set(got))
        by_k[str(k)] = {"recall": round(found / (TOP * len(sample)), 4), "latency_ms": percentiles(latency)}
        print(
            f"  {config:<20} k={k:<4} recall@{TOP} {by_k[str(k)]['recall']:.4f}  "
            f"p50 {by_k[str(k)]['latency_ms']['p50']:.1f} ms  p99 {by_k[str(k)]['latency_ms']['p99']:.1f} ms",
            flush=True,
        )
    return {"build_seconds": round(build, 1), "index_config": dict(options), "by_candidates": by_k}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    ids, vectors = synthetic_vectors(args.entities)
    rng = np.random.default_rng(SEED)
    sample = sorted(int(r) for r in rng.choice(len(ids), size=min(args.samples, len(ids)), replace=False))
    truth = exact_top(vectors, sample)
    result: dict[str, Any] = {
        "taken": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),  # the machine is shared: how busy it was
        "entities": len(ids),
        "samples": len(sample),
        "top": TOP,
        "prepare_seconds": round(time.perf_counter() - started, 1),
        "configs": {},
    }
    queries = Queries(BENCH_QUERIES)
    with tempfile.TemporaryDirectory(prefix="atlas-recall-") as home:
        server = LocalNeo4j.disposable(Path(home), heap=args.heap, pagecache=args.pagecache)
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
            result["load_seconds"] = round(load(db, queries, ids, vectors), 1)
            print(f"{len(ids)} entities loaded in {result['load_seconds']} s", flush=True)
            for config in args.configs:
                result["configs"][config] = measure_config(db, queries, config, ids, sample, truth)
                args.out.write_text(json.dumps(result, indent=2) + "\n")  # keep what was measured
            driver.close()
        finally:
            server.stop()
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
