"""Measurements that need a running graph: entity-page latency (API and driver side by side),
`similar` recall against exact brute force, and the peak memory of processes."""

from __future__ import annotations

import random
import statistics
import time
import weakref
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from core.db import Database
from core.queries import Queries
from core.schema import GraphSchema
from graph.reader import GraphReader
from suggest.service import SuggestionService

WARMUP = 10


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def page_through_driver(db: Database, queries: Queries, entity_id: str) -> None:
    """GET /entities/{id} without the API: the same GraphReader.page, hub neighborhoods read afresh."""
    driver_reader(db, queries).page(entity_id)


def html_page_through_driver(
    db: Database, queries: Queries, suggester: SuggestionService, entity_id: str
) -> None:
    """GET /e/{id}'s reads without the API: the JSON page's, then the same `entity_page_reads` the
    route runs (the edges' sources, the suggestions, the curation decisions)."""
    from api.routes.pages import entity_page_reads

    reader = driver_reader(db, queries)
    entity_page_reads(reader, suggester, reader.page(entity_id))


_readers: weakref.WeakKeyDictionary[Database, GraphReader] = weakref.WeakKeyDictionary()


def driver_reader(db: Database, queries: Queries) -> GraphReader:
    """One reader per database, long-lived as the API's is (its count of the graph's size is reused
    the same way), but keeping no hub: every neighborhood is read afresh."""
    if db not in _readers:
        _readers[db] = GraphReader(db, queries, GraphSchema(db, queries), keep_hubs=False)
    return _readers[db]


def page_latency(
    api: httpx.Client,
    db: Database,
    queries: Queries,
    ids: list[str],
    warmup: int = WARMUP,
    per_id: bool = False,
) -> dict[str, Any]:
    """Each id through the API and through the driver, alternating which goes first. The first
    `warmup` ids go through both once unmeasured: the steady state is measured, not query planning.
    `per_id` adds every id's two times (for the hubs: which one was slow)."""
    for entity_id in ids[:warmup]:
        api.get(f"/entities/{entity_id}", headers={"accept": "application/json"}).raise_for_status()
        page_through_driver(db, queries, entity_id)
    api_ms: list[float] = []
    driver_ms: list[float] = []
    for number, entity_id in enumerate(ids):
        order = ("api", "driver") if number % 2 == 0 else ("driver", "api")
        for way in order:
            start = time.perf_counter()
            if way == "api":
                response = api.get(f"/entities/{entity_id}", headers={"accept": "application/json"})
                response.raise_for_status()
            else:
                page_through_driver(db, queries, entity_id)
            (api_ms if way == "api" else driver_ms).append((time.perf_counter() - start) * 1000)
    api_stats, driver_stats = percentiles(api_ms), percentiles(driver_ms)
    figures: dict[str, Any] = {
        "api_ms": api_stats,
        "driver_ms": driver_stats,
        "overhead_ratio_p50": round(api_stats["p50"] / driver_stats["p50"], 3),
        "overhead_ratio_p99": round(api_stats["p99"] / driver_stats["p99"], 3),
    }
    if per_id:
        figures["per_id"] = [
            {"id": entity_id, "api_ms": round(a, 2), "driver_ms": round(d, 2)}
            for entity_id, a, d in zip(ids, api_ms, driver_ms, strict=True)
        ]
    return figures


def all_embeddings(db: Database, bench_queries: Queries) -> tuple[list[str], np.ndarray]:
    ids: list[str] = []
    chunks: list[np.ndarray] = []
    after = ""
    while True:
        records = db.read(bench_queries["embeddings"], after=after, batch=10_000)
        if not records:
            break
        ids.extend(r["id"] for r in records)
        chunks.append(np.asarray([r["embedding"] for r in records], dtype=np.float32))
        after = records[-1]["id"]
    return ids, np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)


def similar_recall(
    api: httpx.Client,
    db: Database,
    bench_queries: Queries,
    sample: list[str],
    threshold: float = 0.65,
    limit: int = 20,
) -> dict[str, Any]:
    """Top-`limit` of GET /entities/{id}/similar against an exact numpy ranking of every entity."""
    ids, vectors = all_embeddings(db, bench_queries)
    row_of = {entity_id: row for row, entity_id in enumerate(ids)}
    found = expected = 0
    counts_equal = lower_bounds = 0
    latency_ms: list[float] = []
    timed: list[tuple[float, int, str, int]] = []  # ms, position in the run, id, exact count
    for entity_id in sample:
        if entity_id not in row_of:
            continue
        linked = set(db.read(bench_queries["neighbour_ids"], id=entity_id)[0]["ids"])
        cosine = vectors @ vectors[row_of[entity_id]]
        passing = [
            (float(cosine[row]), ids[row])
            for row in np.flatnonzero(cosine >= threshold)
            if ids[row] != entity_id and ids[row] not in linked
        ]
        passing.sort(key=lambda hit: (-hit[0], hit[1]))
        exact = {hit_id for _, hit_id in passing[:limit]}
        start = time.perf_counter()
        response = api.get(f"/entities/{entity_id}/similar", params={"limit": limit, "threshold": threshold})
        latency_ms.append((time.perf_counter() - start) * 1000)
        timed.append((round(latency_ms[-1], 1), len(latency_ms), entity_id, len(passing)))
        response.raise_for_status()
        answer = response.json()
        returned = {item["id"] for item in answer["items"]}
        found += len(exact & returned)
        expected += len(exact)
        # A count the API flags as a lower bound must be one; an exact count must be exact.
        if answer["count_exact"]:
            counts_equal += answer["count"] == len(passing)
        else:
            lower_bounds += 1
            counts_equal += answer["count"] <= len(passing)
    # Entities with nothing similar count as recalled: there was nothing to find.
    return {
        "queries": len(sample),
        "expected_matches": expected,
        "recall": round(found / expected, 4) if expected else 1.0,
        "counts_right_fraction": round(counts_equal / len(sample), 4) if sample else 1.0,
        "counts_lower_bound_fraction": round(lower_bounds / len(sample), 4) if sample else 0.0,
        "latency_ms": percentiles(latency_ms) if latency_ms else {},
        # The five slowest answers, to tell a first query's planning from a costly entity.
        "slowest": [
            {"ms": ms, "position": position, "id": entity_id, "exact_count": count}
            for ms, position, entity_id, count in sorted(timed, reverse=True)[:5]
        ],
        "entities_with_embeddings": len(ids),
    }


def sample_ids(all_ids: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return rng.sample(all_ids, min(count, len(all_ids)))


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")
