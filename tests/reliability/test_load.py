"""A bounded loopback load test: concurrent clients read entity pages from a real uvicorn for a fixed
time; every answer must be a 200. Figures (latency distribution, throughput) go to
docs/reliability/load.json, which docs/reliability.md quotes.

    ATLAS_LOAD_CLIENTS=50 ATLAS_LOAD_SECONDS=60 .venv/bin/pytest tests/reliability/test_load.py -m slow
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli.serving import KEEP_ALIVE_SECONDS
from core.db import Database
from core.settings import PROJECT_ROOT
from neo4j_local.server import LocalNeo4j, free_port
from tests.servers import wait_until_healthy

FIGURES = PROJECT_ROOT / "docs" / "reliability" / "load.json"
CLIENTS = int(os.environ.get("ATLAS_LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("ATLAS_LOAD_SECONDS", "60"))


@pytest.fixture
def served_api(neo4j_server: LocalNeo4j, seeded: Database, tmp_path: Path) -> Iterator[str]:
    """uvicorn in a process of its own, on a free loopback port, over the seed graph."""
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "ATLAS_STATE_DIR": str(tmp_path / "state"),
    }
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]  # as `atlas serve` runs it
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, exited=lambda: None if process.poll() is None else f"exit {process.poll()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def hammer(base: str, paths: list[str], clients: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        deadline = time.monotonic() + seconds

        async def one_client(offset: int) -> None:
            i = offset
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.get(paths[i % len(paths)], headers={"accept": "text/html"})
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1
                latencies.append(time.perf_counter() - start)
                i += 1

        started = time.monotonic()
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        elapsed = time.monotonic() - started
    ms = sorted(1000 * x for x in latencies)
    quantiles = statistics.quantiles(ms, n=100)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(ms),
        "requests_per_second": round(len(ms) / elapsed, 1),
        "statuses": dict(statuses),
        "errors": sum(n for status, n in statuses.items() if status != "200"),
        "latency_ms": {
            "min": round(ms[0], 1),
            "p50": round(quantiles[49], 1),
            "p90": round(quantiles[89], 1),
            "p99": round(quantiles[98], 1),
            "max": round(ms[-1], 1),
            "mean": round(statistics.fmean(ms), 1),
        },
        "entity_pages": len(paths),
    }


@pytest.mark.slow
def test_concurrent_clients_read_entity_pages_without_a_single_error(served_api: str) -> None:
    ids = [item["id"] for item in httpx.get(f"{served_api}/entities", params={"limit": 1000}).json()["items"]]
    assert ids
    figures = asyncio.run(hammer(served_api, [f"/e/{entity_id}" for entity_id in ids], CLIENTS, SECONDS))
    figures["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    figures["server"] = "uvicorn, 1 worker; driver pool 50; anyio thread pool 40"
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    assert figures["errors"] == 0, figures["statuses"]
    assert figures["requests"] > CLIENTS
