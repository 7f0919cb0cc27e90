"""Many readers at once: `python -m bench.load [--clients 50] [--seconds 60] [--workers 1,2]`.

On a server of its own, WN18RR imported as a user does (`atlas import wn18rr DIR`, every split;
`--dataset seeds` loads the seed graph instead, to try the bench in seconds).
Side by side in one run, after a minute of unmeasured load (`--warm-up`, on ids no cell reads:
Neo4j compiles its queries' hot paths under load), each API cell right after its own baseline, so
that each ratio compares neighbouring minutes of a shared machine; every cell reads the same
random entities in the same order (every client its own slice of them, so no page is asked twice
in a cell):

- **driver json / driver html**: `--clients` threads in this process running a page's reads
  through one shared driver: `GraphReader.page` (the reads behind `GET /entities/{id}`), and that
  plus `api.routes.pages.entity_page_reads` (what `GET /e/{id}` also reads: the edges' sources,
  the suggestions, the decisions). What the database gives each kind of page without the API,
  templates or HTTP;
- **api**: `atlas serve --workers N` as a user starts it, fresh for each cell (its response cache
  empty), and `--clients` concurrent HTTP clients (asyncio; aiohttp by default, `--client httpx`
  for the earlier runs' client) asking for the JSON page (`/entities/{id}`) or the HTML page
  (`/e/{id}`); each is compared with the driver cell of its kind just before it.

Every cell: pages/s, latency percentiles, errors, and this process's CPU seconds (the clients share
the two cores with the API and Neo4j). After the API cells, a change made through the driver must
show on the very next read through every worker (no stale cache). Prints a table; writes
bench/results/load-<dataset>.json (or --out).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from bench.measure import html_page_through_driver, page_through_driver, percentiles
from bench.run import (
    BENCH_QUERIES,
    DEFAULT_DATASETS,
    RESULTS,
    machine,
    open_driver_for,
    server_env,
    wait_until_healthy,
)
from bench.suggest_api import atlas
from core.db import Database
from core.queries import Queries
from core.settings import PROJECT_ROOT
from neo4j_local.server import LocalNeo4j, free_port
from suggest.service import SuggestionService

SEED = 20261204
WARMUP_PAGES = 40  # per cell, ids the measured part does not use: connection pools, query plans
TARGETS = {"p99_ms": 300, "throughput_vs_driver": 0.9}
PROBE_READS = 20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def slices(ids: list[str], clients: int) -> list[list[str]]:
    return [ids[client::clients] for client in range(clients)]


def summary(latencies_ms: list[float], outcomes: Counter[str], elapsed: float, cpu: float) -> dict[str, Any]:
    done = outcomes.get("200", 0)
    return {
        "pages_per_s": round(done / elapsed, 1),
        "pages": done,
        "errors": sum(count for outcome, count in outcomes.items() if outcome != "200"),
        "outcomes": dict(outcomes),
        "latency_ms": percentiles(latencies_ms),
        "seconds": round(elapsed, 1),
        "client_cpu_seconds": round(cpu, 1),
    }


def driver_cell(
    read_page: Callable[[str], None], ids: list[str], clients: int, seconds: float, cycle: bool = False
) -> dict[str, Any]:
    """`clients` threads reading pages through the driver until the time is up; with `cycle`,
    each reads its pages over and over (the warm-up), else once, after WARMUP_PAGES unmeasured."""
    if not cycle:
        for entity_id in ids[:WARMUP_PAGES]:
            read_page(entity_id)
        ids = ids[WARMUP_PAGES:]
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one_client(own: list[str]) -> None:
        for entity_id in itertools.cycle(own) if cycle else own:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                read_page(entity_id)
                outcome = "200"
            except Exception as error:  # counted and reported, as an HTTP client would count a 500
                outcome = type(error).__name__
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                outcomes[outcome] += 1

    threads = [threading.Thread(target=one_client, args=(own,)) for own in slices(ids, clients)]
    cpu, started = cpu_seconds(), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, outcomes, time.monotonic() - started, cpu_seconds() - cpu)


async def http_cell(
    base: str, paths: list[str], clients: int, seconds: float, accept: str, client: str
) -> dict[str, Any]:
    """`clients` concurrent HTTP clients, each reading its own pages until the time is up, over one
    pool of keep-alive connections: aiohttp's, or httpx's (which costs this process several times
    the CPU per request, taken from the two cores the API and Neo4j share)."""
    get = aiohttp_getter if client == "aiohttp" else httpx_getter
    async with get(base, clients, accept) as fetch:
        for path in paths[:WARMUP_PAGES]:
            if await fetch(path) != "200":
                raise RuntimeError(f"warm-up request {path} failed")
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        deadline = time.monotonic() + seconds

        async def one_client(own: list[str]) -> None:
            for path in own:
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                outcome = await fetch(path)
                latencies.append((time.perf_counter() - started) * 1000)
                outcomes[outcome] += 1

        cpu, started = cpu_seconds(), time.monotonic()
        await asyncio.gather(*(one_client(own) for own in slices(paths[WARMUP_PAGES:], clients)))
        return summary(latencies, outcomes, time.monotonic() - started, cpu_seconds() - cpu)


Fetch = Callable[[str], Awaitable[str]]  # a path -> its status code, or the error's class name


@asynccontextmanager
async def aiohttp_getter(base: str, clients: int, accept: str) -> AsyncIterator[Fetch]:
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:

        async def fetch(path: str) -> str:
            try:
                async with session.get(path, headers={"accept": accept}) as response:
                    await response.read()
                    return str(response.status)
            except (aiohttp.ClientError, TimeoutError) as error:
                return type(error).__name__

        yield fetch


@asynccontextmanager
async def httpx_getter(base: str, clients: int, accept: str) -> AsyncIterator[Fetch]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"accept": accept}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, headers=headers) as session:

        async def fetch(path: str) -> str:
            try:
                return str((await session.get(path)).status_code)
            except httpx.HTTPError as error:
                return type(error).__name__

        yield fetch


@contextmanager
def atlas_serve(env: dict[str, str], workers: int) -> Iterator[str]:
    """`atlas serve --workers N` on a free loopback port, as a user starts it; its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    log = Path(env["ATLAS_STATE_DIR"]).parent / f"serve-{port}.log"  # its access log would drown the table
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=base, timeout=10) as probe:
                wait_until_healthy(probe, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=60)


def no_stale_reads(
    base: str, path: str, db: Database, bench_queries: Queries, entity_id: str
) -> dict[str, Any]:
    """Read a page PROBE_READS times on fresh connections (which reach every worker, so each keeps
    it), change the entity through the driver as Browser or a notebook would, and read it as many
    times again: each read must show the change."""

    def reads() -> list[str]:
        texts = []
        for _ in range(PROBE_READS):
            with httpx.Client(base_url=base, timeout=30) as api:  # a new connection each time
                response = api.get(path)
                response.raise_for_status()
                texts.append(response.text)
        return texts

    marker = f"changed through the driver at {time.time():.3f}"
    reads()
    db.write(bench_queries["load_change_description"], id=entity_id, description=marker)
    stale = sum(marker not in text for text in reads())
    return {"reads": PROBE_READS, "stale": stale}


def prepared_graph(folder: Path, env: dict[str, str], dataset: str, datasets: Path) -> dict[str, Any]:
    """The graph loaded into the folder's server, once: a later run with the same folder reuses it."""
    marker = folder / "prepared.json"
    if marker.exists():
        earlier: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
        return earlier | {"reused_folder": True}
    if dataset == "seeds":
        imported = atlas(["ingest", str(PROJECT_ROOT / "seeds")], env)
    else:
        imported = atlas(["import", "wn18rr", str(datasets / "wn18rr")], env)
    prepared = {"import_wall_seconds": imported["wall_seconds"]}
    marker.write_text(json.dumps(prepared), encoding="utf-8")
    return prepared


def run_cells(
    server: LocalNeo4j,
    env: dict[str, str],
    args: argparse.Namespace,
    report: Callable[[str, dict[str, Any]], None],
) -> dict[str, Any]:
    queries, bench_queries = Queries(PROJECT_ROOT / "cypher"), Queries(BENCH_QUERIES)
    db = Database(open_driver_for(server), "neo4j")
    cells: dict[str, Any] = {}
    try:
        ids = [record["id"] for record in db.read(bench_queries["all_ids"])]
        random.Random(SEED).shuffle(ids)
        suggester = SuggestionService(db, queries, Path(env["ATLAS_STATE_DIR"]) / "suggest" / "neo4j")
        # The baseline of each kind of page is its own reads: the HTML page reads more than the JSON.
        baselines: dict[str, Callable[[str], None]] = {
            "json": lambda entity_id: page_through_driver(db, queries, entity_id),
            "html": lambda entity_id: html_page_through_driver(db, queries, suggester, entity_id),
        }
        # Neo4j compiles its queries' hot paths during the first minute of load: warm it up with
        # every query of both pages, on ids no cell reads, before anything is measured.
        warm_ids, ids = ids[: len(ids) // 4], ids[len(ids) // 4 :]
        cells["warm-up"] = driver_cell(baselines["html"], warm_ids, args.clients, args.warm_up, cycle=True)
        report("warm-up", cells["warm-up"])
        for workers in args.workers:
            suffix = f"{workers} worker{'s' if workers > 1 else ''}"
            for kind, prefix, accept in (
                ("json", "/entities/", "application/json"),
                ("html", "/e/", "text/html"),
            ):
                # each API cell beside its own baseline: the shared machine's load moves between
                # minutes, and the ratio of neighbours is the figure that means something
                driver = driver_cell(baselines[kind], ids, args.clients, args.seconds)
                driver["load_average"] = round(os.getloadavg()[0], 1)
                cells[f"driver {kind}, {suffix}"] = driver
                report(f"driver {kind}, {suffix}", driver)
                with atlas_serve(env, workers) as base:
                    paths = [prefix + entity_id for entity_id in ids]
                    load = http_cell(base, paths, args.clients, args.seconds, accept, args.client)
                    cell = asyncio.run(load)
                    cell["workers"] = workers
                    cell["load_average"] = round(os.getloadavg()[0], 1)
                    # after the load, with the cache full: a change must show at once
                    cell["after_a_driver_write"] = no_stale_reads(base, paths[0], db, bench_queries, ids[0])
                cell["throughput_vs_driver"] = round(cell["pages_per_s"] / driver["pages_per_s"], 3)
                cells[f"api {kind}, {suffix}"] = cell
                report(f"api {kind}, {suffix}", cell)
    finally:
        db.driver.close()
    return cells


def print_row(name: str, cell: dict[str, Any]) -> None:
    latency = cell["latency_ms"]
    ratio = cell.get("throughput_vs_driver", 1.0)
    print(
        f"| {name:<22} | {cell['pages_per_s']:>8} | {ratio:>6.2f} | {latency['p50']:>7} | "
        f"{latency['p99']:>7} | {latency['max']:>8} | {cell['errors']:>6} | "
        f"{cell['client_cpu_seconds']:>7} |",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--dataset", choices=["wn18rr", "seeds"], default="wn18rr")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warm-up", type=float, default=60, help="seconds of unmeasured load first")
    parser.add_argument("--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--heap", default="2g")
    parser.add_argument(
        "--client", choices=["aiohttp", "httpx"], default="aiohttp", help="the load's HTTP client"
    )
    parser.add_argument(
        "--folder", type=Path, default=None, help="keep the server here; a later run reuses it"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="the JSON (default bench/results/load-<dataset>.json)"
    )
    args = parser.parse_args(argv)

    folder = args.folder or Path(tempfile.mkdtemp(prefix="atlas-load-"))
    server = LocalNeo4j.disposable(folder / "neo4j", heap=args.heap, pagecache="1g")
    server.start(die_with_parent=True)
    result: dict[str, Any] = {"dataset": args.dataset, "clients": args.clients, "seconds": args.seconds}
    result["http_client"] = args.client
    result |= {"seed": SEED, "targets": TARGETS, "machine": machine()}
    try:
        env = server_env(server, folder)
        result |= prepared_graph(folder, env, args.dataset, args.datasets)
        print(
            f"{args.clients} clients for {args.seconds:.0f} s each; pages/s, ratio to the driver, ms, "
            "errors, the clients' CPU seconds"
        )
        print(
            "| cell                   |  pages/s |  ratio |     p50 |     p99 |      max | errors |  client |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        result["cells"] = run_cells(server, env, args, print_row)
    finally:
        server.stop()
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    out = args.out or RESULTS / f"load-{args.dataset}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
