"""Recall@20 of the vector index against a brute force, per index configuration and per number of
candidates asked, on the synthetic graph's entities (hashing embeddings); beside it, the same
search kept in the bench's own process (`--in-process`): an exact float32 scan with numpy, and
Atlas's 8-bit scan beside a float16 one, their k candidates re-ranked by their exact float32 cosine.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import percentiles
from bench.run import BENCH_QUERIES, SEED, machine
from core.db import Database, open_driver, resolve_connection
from core.queries import Queries
from core.schema import Schema
from core.settings import Settings
from graph.reader import GraphReader
from graph.vector_scan import SHARDS, VECTOR_PAGE, ScanParts, VectorScans
from ingest.embedding import HashingEmbedder
from ingest.sources.synthetic import SyntheticSpec, generate
from neo4j_local.server import LocalNeo4j

CONFIGS = ("default", "noquant_m16_ef100", "noquant_m32_ef200", "quant_m32_ef200")
CANDIDATES = (40, 100, 200, 400, 800)
TOP = 20
THRESHOLD = 0.65  # `similar`'s default
WARM_UP = 5
WRITE_BATCH = 2_000
EMBED_CHUNK = 10_000  # the embedder returns Python floats: 1M vectors at once would take ~12 GB


def synthetic_vectors(entities: int) -> tuple[list[str], np.ndarray]:
    """The synthetic graph's entity ids and their hashing embeddings of 'name: description'."""
    embedder = HashingEmbedder()
    ids: list[str] = []
    texts: list[str] = []
    for record in generate(SyntheticSpec(entities=entities, relations=0)):
        data = record.data
        ids.append(data["id"])
        texts.append(f"{data['name']}: {data['description']}")
    vectors = np.empty((len(texts), embedder.dimensions), dtype=np.float32)
    for begin in range(0, len(texts), EMBED_CHUNK):
        vectors[begin : begin + EMBED_CHUNK] = embedder.embed(texts[begin : begin + EMBED_CHUNK])
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


def exact_top(vectors: np.ndarray, rows: list[int]) -> tuple[list[list[int]], list[int]]:
    """The TOP nearest rows of each sampled row by cosine (vectors are unit length), self excluded,
    and how many rows reach THRESHOLD (what `similar` counts)."""
    scores = vectors[rows] @ vectors.T
    scores[np.arange(len(rows)), rows] = -np.inf
    top = np.argpartition(-scores, TOP, axis=1)[:, :TOP]
    counts = (scores >= THRESHOLD).sum(axis=1)
    return [list(row_top) for row_top in top], [int(c) for c in counts]


def measure_atlas(
    reader: GraphReader, ids: list[str], sample: list[int], truth: list[list[int]], counts: list[int]
) -> dict[str, Any]:
    """Atlas's own `similar`, as the API calls it: the page's single query (its top 20 against the
    exact top 20, every candidate passing at threshold -1) and /similar at the default threshold
    (its count against the exact count: equal, or a flagged lower bound)."""
    found, equal, honest = 0, 0, 0
    page_ms: list[float] = []
    similar_ms: list[float] = []
    slowest: list[tuple[float, int]] = []  # /similar's ms and the entity's exact count
    search = set()
    for row in sample[:WARM_UP]:  # unmeasured: the first queries of a form are planned
        reader.similar(ids[row], threshold=-1.0, limit=TOP, widen=False)
        reader.similar(ids[row], threshold=THRESHOLD, limit=TOP)
    for row, exact, exact_count in zip(sample, truth, counts, strict=True):
        begin = time.perf_counter()
        page = reader.similar(ids[row], threshold=-1.0, limit=TOP, widen=False)
        page_ms.append((time.perf_counter() - begin) * 1000)
        found += len({ids[r] for r in exact} & {item.id for item in page.items})
        begin = time.perf_counter()
        full = reader.similar(ids[row], threshold=THRESHOLD, limit=TOP)
        similar_ms.append((time.perf_counter() - begin) * 1000)
        slowest.append((round(similar_ms[-1], 1), exact_count))
        equal += full.count_exact and full.count == exact_count
        honest += (full.count == exact_count) if full.count_exact else (full.count <= exact_count)
        search |= {page.search, full.search}
    return {
        "search": sorted(search),
        "page_recall": round(found / (TOP * len(sample)), 4),
        "page_latency_ms": percentiles(page_ms),
        "count_equal": round(equal / len(sample), 4),
        "count_exact_or_flagged_lower_bound": round(honest / len(sample), 4),
        "similar_latency_ms": percentiles(similar_ms),
        "similar_slowest_ms_and_exact_count": sorted(slowest, reverse=True)[:5],
    }


def measure_in_process(
    vectors: np.ndarray, sample: list[int], truth: list[list[int]], candidates: list[int]
) -> dict[str, Any]:
    """One query at a time, as a page would ask: the exact scan's latency (its recall is 1 by
    construction), and per k the recall and latency of Atlas's 8-bit scan and of a float16 scan of
    the same layout, their k candidates re-ranked exactly."""
    result: dict[str, Any] = {"float32_bytes": int(vectors.nbytes)}
    latency = []
    for row in sample:
        begin = time.perf_counter()
        scores = vectors @ vectors[row]
        scores[row] = -np.inf
        np.argpartition(-scores, TOP)[:TOP]
        latency.append((time.perf_counter() - begin) * 1000)
    result["numpy_exact"] = {"recall": 1.0, "latency_ms": percentiles(latency)}
    print(
        f"  numpy exact scan     p50 {result['numpy_exact']['latency_ms']['p50']:.1f} ms  "
        f"p99 {result['numpy_exact']['latency_ms']['p99']:.1f} ms",
        flush=True,
    )
    ids = [str(row) for row in range(len(vectors))]
    for name, build in (("faiss_fp16", Float16Scan), ("faiss_int8", atlas_scan)):
        start = time.perf_counter()
        nearest = build(vectors, ids)
        result[name] = {"build_seconds": round(time.perf_counter() - start, 1), "parts": SHARDS}
        for k in candidates:
            found = 0
            latency = []
            for row, exact in zip(sample, truth, strict=True):
                begin = time.perf_counter()
                rows = np.asarray([int(i) for i, _ in nearest(row, k)[0]])
                reranked = rows[np.argsort(-(vectors[rows] @ vectors[row]))][:TOP]
                latency.append((time.perf_counter() - begin) * 1000)
                found += len(set(exact) & set(reranked.tolist()))
            figures: dict[str, Any] = {
                "recall": round(found / (TOP * len(sample)), 4),
                "latency_ms": percentiles(latency),
            }
            result[name][str(k)] = figures
            ms = figures["latency_ms"]
            print(
                f"  {name} scan k={k:<4} recall@{TOP} {figures['recall']:.4f}  "
                f"p50 {ms['p50']:.1f} ms  p99 {ms['p99']:.1f} ms",
                flush=True,
            )
        # What each scan's error costs `similar`: the candidates it must re-rank exactly because
        # their scan cosine is within the error of the threshold, against those that pass.
        asked = []
        for row in sample:
            pairs, errors = nearest(row, max(candidates))
            asked.append(
                sum(score >= THRESHOLD - error for (_, score), error in zip(pairs, errors, strict=True))
            )
        result[name]["can_pass_at_threshold"] = {"mean": round(float(np.mean(asked)), 2), "max": max(asked)}
    return result


Scored = tuple[list[tuple[str, float]], list[float]]  # nearest (id, scan cosine) pairs, their error bounds


class Float16Scan:
    """The scan Atlas kept before the 8-bit one: float16 in SHARDS parts searched side by side,
    with the float32 query; its error bound was 0.01 (float16 moves a cosine by about 1e-3)."""

    def __init__(self, vectors: np.ndarray, ids: list[str]) -> None:
        import faiss

        self.vectors, self.ids = vectors, ids
        self.index = faiss.IndexShards(vectors.shape[1], True)
        self.index.successive_ids = True
        self.parts = []  # kept here: `index` does not own them
        for chunk in np.array_split(vectors, SHARDS):
            part = faiss.IndexScalarQuantizer(
                vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
            part.add(chunk)
            self.parts.append(part)
            self.index.add_shard(part)

    def __call__(self, row: int, count: int) -> Scored:
        scores, found = self.index.search(self.vectors[row : row + 1], count + 1)
        pairs = zip(found[0].tolist(), scores[0].tolist(), strict=True)
        nearest = [(self.ids[r], score) for r, score in pairs if r != row][:count]
        return nearest, [0.01] * len(nearest)


def atlas_scan(vectors: np.ndarray, ids: list[str]) -> Callable[[int, int], Scored]:
    """Atlas's own scan (graph/vector_scan.py), filled page by page as the API reads it."""
    parts = ScanParts(part_rows=-(-len(vectors) // SHARDS))
    for begin in range(0, len(vectors), VECTOR_PAGE):
        parts.add(vectors[begin : begin + VECTOR_PAGE])
    scan = parts.scan("bench", ids)

    def nearest(row: int, count: int) -> Scored:
        found = scan.nearest(ids[row], count)
        assert found is not None
        return found.pairs, found.errors

    return nearest


def atlas_cells(
    db: Database,
    queries: Queries,
    ids: list[str],
    sample: list[int],
    truth: list[list[int]],
    counts: list[int],
) -> dict[str, Any]:
    """`similar` through the vector index left by the last configuration, then through the scan."""
    schema = Schema(entity_types=(), relation_types=())
    cells: dict[str, Any] = {
        "index": measure_atlas(GraphReader(db, queries, schema), ids, sample, truth, counts)
    }
    print(f"  atlas, index: {cells['index']}", flush=True)
    scans = VectorScans(db, queries, from_entities=1)
    started = time.perf_counter()
    assert scans.refresh(len(ids))
    scan = scans.current()
    assert scan is not None
    reader = GraphReader(db, queries, schema, scans=scans)
    cells["scan"] = {
        "read_seconds": round(time.perf_counter() - started, 1),
        "bytes": scan.nbytes,
        **measure_atlas(reader, ids, sample, truth, counts),
    }
    print(f"  atlas, scan: {cells['scan']}", flush=True)
    return cells


def measure_config(
    db: Database,
    queries: Queries,
    config: str,
    ids: list[str],
    sample: list[int],
    truth: list[list[int]],
    candidates: list[int],
) -> dict[str, Any]:
    db.write(queries["recall_drop_index"])
    start = time.perf_counter()
    db.write(queries[f"recall_index_{config}"])
    db.write(queries["recall_await_index"])
    build = time.perf_counter() - start
    options = db.read(queries["recall_index_options"])[0]["config"]
    for row in sample[:WARM_UP]:  # unmeasured: the first queries are planned
        db.read(queries["recall_nearest"], id=ids[row], candidates=candidates[0])
    by_k: dict[str, Any] = {}
    for k in candidates:
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
    parser.add_argument("--candidates", nargs="+", type=int, default=list(CANDIDATES))
    parser.add_argument("--in-process", action="store_true", help="also the exact and faiss scans")
    parser.add_argument("--atlas", action="store_true", help="also GraphReader.similar, index and scan")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    ids, vectors = synthetic_vectors(args.entities)
    rng = np.random.default_rng(SEED)
    sample = sorted(int(r) for r in rng.choice(len(ids), size=min(args.samples, len(ids)), replace=False))
    truth, counts = exact_top(vectors, sample)
    result: dict[str, Any] = {
        "taken": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),  # the machine is shared: how busy it was
        "entities": len(ids),
        "samples": len(sample),
        "top": TOP,
        "prepare_seconds": round(time.perf_counter() - started, 1),
        # How many entities reach the default threshold, per sampled entity: what `count` is
        # compared with (hashing embeddings give few; the figure says how much it tests).
        "exact_counts": {
            "mean": round(float(np.mean(counts)), 2),
            "nonzero": round(float(np.mean([c > 0 for c in counts])), 4),
            "max": max(counts),
        },
        "configs": {},
    }
    if args.in_process:
        result["in_process"] = measure_in_process(vectors, sample, truth, args.candidates)
    queries = Queries(BENCH_QUERIES)
    atlas_queries = Queries(Settings(_env_file=None).cypher_dir)
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
            db.write(atlas_queries["create_entity_id_constraint"])  # lookups by id, as in Atlas
            result["load_seconds"] = round(load(db, queries, ids, vectors), 1)
            print(f"{len(ids)} entities loaded in {result['load_seconds']} s", flush=True)
            for config in args.configs:
                result["configs"][config] = measure_config(
                    db, queries, config, ids, sample, truth, args.candidates
                )
                args.out.write_text(json.dumps(result, indent=2) + "\n")  # keep what was measured
            if args.atlas:
                result["atlas"] = atlas_cells(db, atlas_queries, ids, sample, truth, counts)
            driver.close()
        finally:
            server.stop()
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
