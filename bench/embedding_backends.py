"""`python -m bench.embedding_backends`: the ONNX backend against PyTorch on one graph's texts, and
the ingest's embedding stage against a bare `encode` with the same backend, side by side in one run.

1. The texts Atlas embeds for the graph's entities (all, or `--sample` of them, seeded).
2. A bare `encode` of them with each backend (batch 64, normalised), alternating torch and ONNX
   `--rounds` times; the fastest round of each counts.
3. Per-vector cosine of the ONNX vector to the torch vector, and for each entity whether its 20
   nearest entities (exact cosine over the same texts, itself excluded: what `similar` ranks before
   its threshold and exclusions) are the same with both backends, as a set and in order.
4. The ingest's embedding stage with each backend: the entities ingested by the real `Ingester`
   into an empty disposable Neo4j (no relations), its `embed` seconds against the bare `encode`
   of the same texts with the same backend, measured right after it.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from bench.datasets import bench_graph
from bench.run import command_line
from core.db import Connection, Database, open_driver
from core.queries import Queries
from core.settings import PROJECT_ROOT, Settings
from ingest.embedding import BACKENDS, Backend, SentenceEmbedder, embedding_text
from ingest.pipeline import Ingester
from ingest.sources.synthetic import SyntheticSpec
from ingest.validate import ValidInput
from neo4j_local.server import LocalNeo4j

RESULTS = Path(__file__).parent / "results"
DEFAULT_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
NEIGHBOURS = 20
SEED = 20261202

app = typer.Typer(add_completion=False)
console = Console()


@app.command()
def main(
    graph: Annotated[str, typer.Option(help="wn18rr, codex-m or codex-s")] = "wn18rr",
    datasets: Annotated[Path, typer.Option()] = DEFAULT_DATASETS,
    sample: Annotated[int, typer.Option(help="entities to use; 0 = all")] = 0,
    rounds: Annotated[int, typer.Option(help="bare encodes per backend, alternating")] = 2,
    stage: Annotated[bool, typer.Option(help="also measure the ingest's stage in a Neo4j")] = True,
    out: Annotated[Path | None, typer.Option()] = None,
) -> None:
    valid = sampled(bench_graph(graph, datasets, SyntheticSpec()).validated(), sample)
    texts = [embedding_text(entity) for entity in valid.entities]
    console.print(f"{graph}: {len(texts)} texts")
    target = out or RESULTS / f"embedding-{graph}.json"
    scratch = Path(tempfile.mkdtemp(prefix="bench-embedding-"))
    try:
        embedders = {
            backend: SentenceEmbedder(backend=backend, onnx_cache=scratch / "models") for backend in BACKENDS
        }
        result: dict[str, Any] = {
            "graph": graph,
            "texts": len(texts),
            "sample": sample,
            "command": " ".join(command_line("bench.embedding_backends")),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        encode, vectors = bare_encodes(embedders, texts, rounds)
        result["encode"] = encode
        result["agreement"] = agreement(vectors["torch"], vectors["onnx"])
        target.write_text(json.dumps(result, indent=2) + "\n")  # kept if the stage fails
        if stage:
            result["stage"] = {
                backend: stage_against_bare(valid, embedder, scratch / backend)
                for backend, embedder in embedders.items()
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_table(result)
    target.write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"written to {target}")


def sampled(valid: ValidInput, sample: int) -> ValidInput:
    if not sample or sample >= len(valid.entities):
        return ValidInput(valid.entities, [])
    return ValidInput(random.Random(SEED).sample(valid.entities, sample), [])


def bare_encodes(
    embedders: dict[Backend, SentenceEmbedder], texts: list[str], rounds: int
) -> tuple[dict[str, Any], dict[Backend, np.ndarray]]:
    seconds: dict[Backend, list[float]] = {backend: [] for backend in embedders}
    vectors: dict[Backend, np.ndarray] = {}
    for _ in range(rounds):
        for backend, embedder in embedders.items():
            start = time.perf_counter()
            vectors[backend] = embedder.encode(texts)
            seconds[backend].append(time.perf_counter() - start)
    best = {backend: min(times) for backend, times in seconds.items()}
    figures: dict[str, Any] = {
        backend: {"seconds": round(best[backend], 2), "texts_per_s": round(len(texts) / best[backend], 1)}
        for backend in embedders
    }
    figures["onnx_over_torch"] = round(best["torch"] / best["onnx"], 3)
    figures["rounds"] = {backend: [round(s, 2) for s in times] for backend, times in seconds.items()}
    return figures, vectors


def agreement(torch_vectors: np.ndarray, onnx_vectors: np.ndarray) -> dict[str, Any]:
    cosines = np.sum(torch_vectors * onnx_vectors, axis=1)
    same_set = same_order = 0
    for start in range(0, len(torch_vectors), 1024):
        rows = slice(start, start + 1024)
        torch_top = top_neighbours(torch_vectors, rows)
        onnx_top = top_neighbours(onnx_vectors, rows)
        same_order += int(np.sum(np.all(torch_top == onnx_top, axis=1)))
        same_set += sum(set(a) == set(b) for a, b in zip(torch_top, onnx_top, strict=True))
    count = len(torch_vectors)
    return {
        "cosine_min": float(cosines.min()),
        "cosine_p001": float(np.quantile(cosines, 0.001)),
        "vectors_below_0_9999": int(np.sum(cosines < 0.9999)),
        "top20_same_set": round(same_set / count, 5),
        "top20_same_order": round(same_order / count, 5),
    }


def top_neighbours(vectors: np.ndarray, rows: slice) -> np.ndarray:
    """The NEIGHBOURS nearest entities of each row by cosine (the vectors are normalised), in order,
    the entity itself excluded."""
    scores = vectors[rows] @ vectors.T
    own = np.arange(rows.start, rows.start + scores.shape[0])
    scores[np.arange(scores.shape[0]), own] = -np.inf
    nearest = np.argpartition(-scores, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
    order = np.argsort(-np.take_along_axis(scores, nearest, axis=1), axis=1, kind="stable")
    return np.take_along_axis(nearest, order, axis=1)


def stage_against_bare(valid: ValidInput, embedder: SentenceEmbedder, home: Path) -> dict[str, Any]:
    """The Ingester's `embed` seconds on an empty database, then a bare encode of the same texts."""
    server = LocalNeo4j.disposable(home, heap="1g", pagecache="512m")
    server.start(die_with_parent=True)
    try:
        driver = open_driver(Connection(server.bolt_uri, "neo4j", server.password(), "neo4j"))
        db = Database(driver)
        queries = Queries(Settings().cypher_dir)
        ingester = Ingester(db, queries, embedder)
        ingester.ensure_indexes()
        summary = ingester.write(valid)
        driver.close()
    finally:
        server.stop()
    texts = [embedding_text(entity) for entity in valid.entities]
    start = time.perf_counter()
    embedder.encode(texts)
    bare = time.perf_counter() - start
    stage = summary.seconds["embed"]
    return {
        "stage_seconds": round(stage, 2),
        "bare_encode_seconds": round(bare, 2),
        "stage_over_bare": round(bare / stage, 3),
        "embeddings_computed": summary.embeddings_computed,
        "entity_write_seconds": summary.seconds.get("entities"),
    }


def print_table(result: dict[str, Any]) -> None:
    table = Table(title=f"embedding backends, {result['graph']} ({result['texts']} texts)")
    table.add_column("figure")
    table.add_column("torch", justify="right")
    table.add_column("onnx", justify="right")
    table.add_column("ratio / value", justify="right")
    encode = result["encode"]
    table.add_row(
        "bare encode, texts/s",
        str(encode["torch"]["texts_per_s"]),
        str(encode["onnx"]["texts_per_s"]),
        f"{encode['onnx_over_torch']}x",
    )
    agreement = result["agreement"]
    table.add_row("cosine onnx-torch, min", "", "", f"{agreement['cosine_min']:.7f}")
    table.add_row(
        "top 20 same set / order", "", "", f"{agreement['top20_same_set']} / {agreement['top20_same_order']}"
    )
    for backend, figures in result.get("stage", {}).items():
        table.add_row(
            f"ingest stage vs bare encode ({backend})",
            "",
            "",
            f"{figures['stage_over_bare']}x "
            f"({figures['stage_seconds']} s vs {figures['bare_encode_seconds']} s)",
        )
    console.print(table)


if __name__ == "__main__":
    app()
