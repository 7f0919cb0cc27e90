"""`python -m bench`: ingest, embedding, entity-page and `similar` figures for each graph, every
comparison measured side by side in the same run, printed as a table and written as JSON.

For each graph, on servers of its own (fresh folder, free loopback ports):
  1. Atlas: `atlas import ...` into an empty database (stage times, peak memory), then the same
     import again (it must compute no embedding), then a bare `SentenceTransformer.encode` over the
     same texts; then `GET /entities/{id}` and `/similar` through a served API, and the same Cypher
     straight through the driver.
  2. Neo4j's LOAD CSV of the same records into an empty database with the same indexes, and
     again with each entity's row carrying a 384-float vector that LOAD CSV sets as Atlas does:
     Atlas writes each entity's vector with the entity, so this is the like-for-like baseline.
  3. `neo4j-admin database import full` of the same records.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from bench.datasets import BenchGraph, bench_graph
from bench.loaders import admin_import, load_csv, write_admin_import_files, write_load_csv_files
from bench.measure import page_latency, peak_rss_mib, sample_ids, similar_recall
from bench.report import print_table
from core.db import Connection, Database, open_driver
from core.queries import Queries
from core.settings import PROJECT_ROOT, Settings
from graph.hub_cache import HUB_DEGREE
from ingest.embedding import HashingEmbedder, MiniLMEmbedder, embedding_text
from ingest.sources.synthetic import SyntheticSpec
from neo4j_local.server import LocalNeo4j, free_port, pinned_version

BENCH_QUERIES = Path(__file__).parent / "cypher"
DEFAULT_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
RESULTS = Path(__file__).parent / "results"
SEED = 20261125

app = typer.Typer(add_completion=False)
console = Console()


@dataclass(frozen=True)
class Options:
    page_samples: int
    hub_samples: int
    similar_samples: int
    similar_graphs: frozenset[str]
    heap: str
    pagecache: str
    admin_import: bool


@app.command()
def main(
    graphs: Annotated[str, typer.Option(help="Comma-separated: wn18rr, codex-s, codex-m, synthetic.")] = (
        "wn18rr,codex-m,synthetic"
    ),
    datasets: Annotated[Path, typer.Option(help="Folder holding wn18rr/ and codex/.")] = DEFAULT_DATASETS,
    entities: Annotated[int, typer.Option(help="Synthetic graph: entities.")] = 1_000_000,
    relations: Annotated[int, typer.Option(help="Synthetic graph: relations.")] = 5_000_000,
    hubs: Annotated[int, typer.Option(help="Synthetic graph: hub entities.")] = 20,
    hub_degree: Annotated[int, typer.Option(help="Synthetic graph: relations per hub.")] = 100_000,
    embedder: Annotated[str, typer.Option(help="Synthetic graph: hashing or minilm.")] = "hashing",
    page_samples: Annotated[int, typer.Option(help="Random entity pages per graph.")] = 1000,
    hub_samples: Annotated[int, typer.Option(help="Highest-degree entities paged.")] = 20,
    similar_samples: Annotated[int, typer.Option(help="Entities whose `similar` is checked.")] = 200,
    similar_graphs: Annotated[str, typer.Option(help="Graphs on which `similar` is measured.")] = (
        "wn18rr,synthetic"
    ),
    heap: Annotated[str, typer.Option(help="Neo4j heap of each server.")] = "4g",
    pagecache: Annotated[str, typer.Option(help="Neo4j page cache of each server.")] = "6g",
    skip_admin_import: Annotated[bool, typer.Option(help="Leave out neo4j-admin import.")] = False,
    out: Annotated[Path | None, typer.Option(help="JSON file (default bench/results/<time>.json).")] = None,
) -> None:
    """Run the benchmarks; print a table per graph and write every figure as JSON."""
    spec = SyntheticSpec(entities, relations, hubs, hub_degree)
    options = Options(
        page_samples,
        hub_samples,
        similar_samples,
        frozenset(similar_graphs.split(",")),
        heap,
        pagecache,
        not skip_admin_import,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out or RESULTS / f"{stamp}.json"
    command = command_line("bench")
    report: dict[str, Any] = {"taken": stamp, "machine": machine(), "command": command, "graphs": {}}
    out.parent.mkdir(parents=True, exist_ok=True)
    for name in graphs.split(","):
        graph = bench_graph(name.strip(), datasets, spec, embedder)
        console.rule(f"[bold]{graph.name}")
        result: dict[str, Any] = {"complete": False}
        report["graphs"][graph.name] = result

        def save() -> None:  # after every phase: a long run that stops keeps what it measured
            out.write_text(json.dumps(report, indent=2) + "\n")

        run_graph(graph, options, result, save)
        result["complete"] = True
        save()
        print_table(graph.name, result)
    console.print(f"JSON: {out}")


def run_graph(graph: BenchGraph, options: Options, result: dict[str, Any], save: Callable[[], None]) -> None:
    """Fill `result` phase by phase, saving after each."""
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as work:
        folder = Path(work)
        start = time.perf_counter()
        prepared = prepare(graph, folder / "files")
        result.update(
            entities=prepared.entities,
            relations=prepared.relations,
            prepare_seconds=round(time.perf_counter() - start, 2),
            embedder="all-MiniLM-L6-v2" if graph.real_model else "hashing-bow-384",
        )
        with running_server(folder / "atlas", options) as server:
            result["atlas_ingest"] = atlas_import(graph, server, folder)
            result["atlas_stats"] = atlas_stats(server, folder)
            save()
            result.update(read_figures(graph, server, folder, options))
            save()
            result["atlas_reingest"] = atlas_import(graph, server, folder)
            save()
        if graph.real_model:
            result["embedding"] = embedding_comparison(prepared.texts, result["atlas_ingest"])
            save()
        with running_server(folder / "load-csv", options) as server:
            result["load_csv"] = load_csv_figures(prepared.load_csv_folder, server)
        result["ingest_vs_load_csv"] = ingest_ratios(result)
        save()
        with running_server(folder / "load-csv-embedded", options) as server:
            embedded = prepared.load_csv_embedded_folder
            result["load_csv_embedded"] = load_csv_figures(embedded, server, embedded=True)
        result["ingest_vs_load_csv"] = ingest_ratios(result)
        save()
        if options.admin_import:
            result["admin_import"] = admin_import_figures(prepared, folder / "admin", options)
            result["ingest_vs_load_csv"] = ingest_ratios(result)
            save()


@dataclass(frozen=True)
class PreparedGraph:
    """A graph's validated records, as the baselines read them: files, and what is compared."""

    entities: int
    relations: int
    texts: list[str]  # what the ingest embeds, for the bare encode; empty for the hashing embedder
    load_csv_folder: Path
    load_csv_embedded_folder: Path  # the same, each entity with a vector (hashing: its values do not matter)
    admin_nodes: Path
    admin_relationships: Path


def prepare(graph: BenchGraph, folder: Path) -> PreparedGraph:
    """Validate the records and write both loaders' files in a child process, so that the bench
    holds no record while Atlas imports: millions of validated records take gigabytes, and Python
    would keep that memory after freeing it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_prepare, graph, folder).result()


def _prepare(graph: BenchGraph, folder: Path) -> PreparedGraph:
    valid = graph.validated()
    write_load_csv_files(valid, folder / "load-csv")
    write_load_csv_files(valid, folder / "load-csv-embedded", HashingEmbedder())
    nodes, relationships = write_admin_import_files(valid, folder / "admin")
    texts = [embedding_text(entity) for entity in valid.entities] if graph.real_model else []
    return PreparedGraph(
        len(valid.entities),
        len(valid.relations),
        texts,
        folder / "load-csv",
        folder / "load-csv-embedded",
        nodes,
        relationships,
    )


def new_server(home: Path, options: Options) -> LocalNeo4j:
    """A server of its own in `home`, on free loopback ports."""
    return LocalNeo4j.disposable(home, heap=options.heap, pagecache=options.pagecache)


@contextmanager
def running_server(home: Path, options: Options) -> Iterator[LocalNeo4j]:
    server = new_server(home, options)
    server.start(die_with_parent=True)
    try:
        yield server
    finally:
        server.stop()


def server_env(server: LocalNeo4j, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": server.password(),
        "ATLAS_STATE_DIR": str(folder / "state"),
    }


def atlas_import(graph: BenchGraph, server: LocalNeo4j, folder: Path) -> dict[str, Any]:
    """`atlas import ... --json` as a user runs it; its summary, wall time and peak memory."""
    command = [sys.executable, "-m", "cli.main", "import", *graph.import_args, "--json"]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=server_env(server, folder), stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"atlas import exited with {process.returncode}:\n{output[-2000:]}")
    summary: dict[str, Any] = json.loads(output)
    summary["wall_seconds"] = round(time.perf_counter() - start, 2)
    summary["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # kilobytes on Linux
    return summary


def atlas_stats(server: LocalNeo4j, folder: Path) -> dict[str, int]:
    """What `atlas stats` reports after the import: to compare with the published statistics."""
    command = [sys.executable, "-m", "cli.main", "stats", "--json"]
    output = subprocess.run(
        command, cwd=PROJECT_ROOT, env=server_env(server, folder), capture_output=True, text=True, check=True
    ).stdout
    stats = json.loads(output)
    return {
        "entities": stats["entities"],
        "entity_types": len(stats["entity_types"]),
        "relations": stats["relations"],
        "relation_types": len(stats["relation_types"]),
    }


def embedding_comparison(texts: list[str], ingest: dict[str, Any]) -> dict[str, Any]:
    """The ingest's embedding stage against one bare `encode` call over the same texts."""
    model: Any = MiniLMEmbedder()._model  # the same model object, loaded the same offline way
    start = time.perf_counter()
    model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    bare = time.perf_counter() - start
    ingest_seconds = ingest["seconds"]["embed"]
    return {
        "texts": len(texts),
        "ingest_texts_per_s": round(ingest["embeddings_computed"] / ingest_seconds, 1),
        "bare_encode_texts_per_s": round(len(texts) / bare, 1),
        "ratio": round((ingest["embeddings_computed"] / ingest_seconds) / (len(texts) / bare), 3),
    }


def read_figures(graph: BenchGraph, server: LocalNeo4j, folder: Path, options: Options) -> dict[str, Any]:
    """Entity-page latency (random ids and hubs) and `similar` recall, through a served API."""
    queries, bench_queries = Queries(PROJECT_ROOT / "cypher"), Queries(BENCH_QUERIES)
    db = Database(open_driver_for(server), "neo4j")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    api_process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=server_env(server, folder))
    figures: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:
            wait_until_healthy(api, api_process)
            all_ids = [record["id"] for record in db.read(bench_queries["all_ids"])]
            # As after any start: measured once the API has read ahead what it reads in the
            # background (the largest hubs; the similar scan from its size on).
            figures["ready_seconds"] = wait_until_read_ahead(
                api, scans=len(all_ids) >= Settings().similar_scan_from
            )
            hubs = db.read(queries["hubs"], min_degree=0, count=options.hub_samples)  # the largest
            random_ids = sample_ids(all_ids, options.page_samples, SEED)
            figures["page_random"] = page_latency(api, db, queries, random_ids)
            hub_ids = [hub["id"] for hub in hubs]
            # First request of each hub, then a second one: from HUB_DEGREE relationships on, the
            # API keeps a neighbourhood until the graph changes (api/hub_cache.py).
            figures["page_hubs_first"] = page_latency(api, db, queries, hub_ids, warmup=0, per_id=True)
            figures["page_hubs"] = page_latency(api, db, queries, hub_ids, warmup=0, per_id=True)
            figures["page_hubs"]["degrees"] = [hub["degree"] for hub in hubs]
            figures["page_hubs"]["kept_from_degree"] = HUB_DEGREE
            if graph.name in options.similar_graphs:
                sample = sample_ids(all_ids, options.similar_samples, SEED + 1)
                figures["similar"] = similar_recall(api, db, bench_queries, sample)
            figures["api_peak_rss_mib"] = peak_rss_mib(api_process.pid)
    finally:
        api_process.terminate()
        api_process.wait(timeout=30)
        db.driver.close()
    return figures


def open_driver_for(server: LocalNeo4j) -> Any:
    return open_driver(Connection(server.bolt_uri, "neo4j", server.password(), "neo4j"), retry_seconds=30)


def wait_until_healthy(api: httpx.Client, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the API exited before it answered")
        try:
            if api.get("/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the API did not answer /health")


def wait_until_read_ahead(api: httpx.Client, scans: bool, timeout: float = 900) -> float:
    """Seconds until /health says the hubs are read ahead and, with `scans`, that `similar`
    answers from the scan."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        health = api.get("/health").json()
        if health.get("hubs_read_ahead") is not False and (not scans or health["similar_search"] == "scan"):
            return round(time.monotonic() - start, 1)
        time.sleep(1)
    raise RuntimeError(f"the API had not read ahead within {timeout:.0f} s: {health}")


def load_csv_figures(files: Path, server: LocalNeo4j, *, embedded: bool = False) -> dict[str, Any]:
    """LOAD CSV of `files` into the server's empty database; seconds per file and what arrived."""
    shutil.copytree(files, server.home / "import", dirs_exist_ok=True)
    queries = Queries(BENCH_QUERIES)
    db = Database(open_driver_for(server), "neo4j")
    try:
        seconds = load_csv(db, Queries(PROJECT_ROOT / "cypher"), queries, embedded=embedded)
        counts = dict(db.read(queries["counts"])[0])
        vectors = db.read(queries["embedded_entities"])[0]["embedded"]
    finally:
        db.driver.close()
    if embedded and vectors != counts["entities"]:
        raise RuntimeError(f"LOAD CSV wrote {vectors} embeddings for {counts['entities']} entities")
    return {"seconds": {k: round(v, 2) for k, v in seconds.items()}, "counts": counts}


def admin_import_figures(prepared: PreparedGraph, home: Path, options: Options) -> dict[str, Any]:
    """Import offline into a database that has never run, then start it to count what arrived."""
    server = new_server(home, options)
    server.start(die_with_parent=True)  # writes conf and the password, creates the system database
    server.stop()
    seconds = admin_import(server, prepared.admin_nodes, prepared.admin_relationships)
    server.start(die_with_parent=True)
    try:
        db = Database(open_driver_for(server), "neo4j")
        counts = db.read(Queries(BENCH_QUERIES)["counts"])[0]
        db.driver.close()
    finally:
        server.stop()
    return {"seconds": round(seconds, 2), "counts": dict(counts)}


def ingest_ratios(result: dict[str, Any]) -> dict[str, Any]:
    """Throughput of Atlas's ingest, the model's time excluded (its entity writes carry their
    vectors), against LOAD CSV's without vectors and, where run, with them; per record kind."""
    atlas = result["atlas_ingest"]["seconds"]
    load = result["load_csv"]["seconds"]
    entities, relations = result["entities"], result["relations"]
    atlas_no_embed = sum(atlas.get(stage, 0.0) for stage in ("validate", "plan", "entities", "relations"))
    ratios = {
        "atlas_entities_per_s": rate(entities, atlas.get("entities", 0.0)),
        "load_csv_entities_per_s": rate(entities, load["entities"]),
        "atlas_relations_per_s": rate(relations, atlas.get("relations", 0.0)),
        "load_csv_relations_per_s": rate(relations, load["relations"]),
        "atlas_seconds_without_embedding": round(atlas_no_embed, 2),
        "load_csv_seconds": round(load["entities"] + load["relations"], 2),
    }
    ratios["ratio"] = round(ratios["load_csv_seconds"] / atlas_no_embed, 3) if atlas_no_embed else None
    if "load_csv_embedded" in result:
        embedded = result["load_csv_embedded"]["seconds"]
        ratios["load_csv_embedded_entities_per_s"] = rate(entities, embedded["entities"])
        ratios["load_csv_embedded_seconds"] = round(embedded["entities"] + embedded["relations"], 2)
        if atlas_no_embed:
            ratios["ratio_embedded"] = round(ratios["load_csv_embedded_seconds"] / atlas_no_embed, 3)
    if "admin_import" in result:
        ratios["admin_import_seconds"] = result["admin_import"]["seconds"]
    return ratios


def rate(count: int, seconds: float) -> float | None:
    return round(count / seconds, 1) if seconds > 0 else None


def command_line(module: str) -> list[str]:
    """How this benchmark was run, for its JSON: absolute paths given to it are written relative
    to the project, so that a result names no folder of the machine it ran on."""

    def relative(argument: str) -> str:
        option, equals, value = argument.rpartition("=") if argument.startswith("--") else ("", "", argument)
        if os.path.isabs(value):
            value = os.path.relpath(value, PROJECT_ROOT)
        return option + equals + value

    return ["python", "-m", module, *(relative(argument) for argument in sys.argv[1:])]


def machine() -> dict[str, Any]:
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else None,
        "neo4j": pinned_version(),
        "platform": platform.platform(),
    }


def cpu_model() -> str | None:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return None
