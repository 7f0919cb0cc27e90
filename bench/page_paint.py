"""The entity page with its graph in Chromium: `python -m bench.page_paint [--runs N]`.

On a fresh Neo4j of its own: the seeds (through `atlas ingest`, as a user loads them) and a hub
joined to 500 neighbours (bench/cypher/paint_hub.cypher); the API served by uvicorn on loopback.
Each run opens the page in a new browser context (nothing cached) in Debian's Chromium, with every
request to another machine aborted and counted, and reads:

- first paint: the page's `first-contentful-paint` (performance timeline);
- graph drawn: when Cytoscape.js drew its first frame (`data-drawn-ms` set by entity-graph.js);
- server: the HTML's `responseEnd` (what the API and Neo4j take before the browser can start),
  and both times above less it: what the page itself costs in the browser.

Pages: the seed page (25 neighbours per type, as served) and the hub with all 500 neighbours
listed and drawn (`?limit=500`). Prints a table; writes bench/results/page-paint.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

from api.app import create_app
from bench.run import machine
from core.db import Connection, Database, open_driver
from core.settings import PROJECT_ROOT, Settings
from neo4j_local.server import LocalNeo4j, free_port

RESULTS = PROJECT_ROOT / "bench" / "results" / "page-paint.json"
HUB_CYPHER = PROJECT_ROOT / "bench" / "cypher" / "paint_hub.cypher"
HUB = {"hub": "concept:hub", "n": 500, "types": ["paper", "thinker", "concept", "method", "claim"]}
PAGES = {"seed page": "/e/concept:alignment-faking", "500-neighbour hub": "/e/concept:hub?limit=500"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TARGET_MS = 300
MEASURE = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return {first_paint_ms: paint ? paint.startTime : null,
          graph_drawn_ms: Number(document.getElementById('entity-graph').dataset.drawnMs),
          server_ms: nav.responseEnd,
          nodes: window.atlasGraph.nodes().length};
}"""


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            threading.Event().wait(0.2)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def measure(base: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import Route, sync_playwright

    left: list[str] = []

    def guard(route: Route) -> None:
        if (urlsplit(route.request.url).hostname or "") in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort("internetdisconnected")

    from tests.browser_helpers import CHROMIUM, OFFLINE_FLAGS

    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_FLAGS)
        try:
            for name, path in PAGES.items():
                samples = []
                for run in range(runs + 1):  # the first run warms the server up and is not counted
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.route("**/*", guard)
                    page.goto(base + path, timeout=180_000)  # a loaded machine can be slow
                    page.wait_for_selector("#entity-graph.drawn", timeout=180_000)
                    sample = page.evaluate(MEASURE)
                    context.close()
                    if run:
                        samples.append(sample)
                results[name] = summarise(samples)
        finally:
            browser.close()
    return {"pages": results, "requests_off_machine": left}


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"runs": len(samples), "nodes": samples[0]["nodes"]}
    for sample in samples:  # the browser's own part: from the HTML's last byte on
        sample["paint_after_html_ms"] = sample["first_paint_ms"] - sample["server_ms"]
        sample["drawn_after_html_ms"] = sample["graph_drawn_ms"] - sample["server_ms"]
    for key in (
        "first_paint_ms",
        "graph_drawn_ms",
        "server_ms",
        "paint_after_html_ms",
        "drawn_after_html_ms",
    ):
        values = sorted(s[key] for s in samples)
        summary[key] = {
            "median": round(statistics.median(values), 1),
            "max": round(values[-1], 1),
        }
    return summary


def load_graph(server: LocalNeo4j, state: Path) -> None:
    env = {
        **os.environ,
        "NEO4J_URI": server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": server.password(),
        "ATLAS_STATE_DIR": str(state),
    }
    subprocess.run([sys.executable, "-m", "cli", "ingest", str(PROJECT_ROOT / "seeds")], env=env, check=True)
    connection = Connection(server.bolt_uri, "neo4j", server.password(), "neo4j")
    driver = open_driver(connection, retry_seconds=5)
    try:
        Database(driver, "neo4j").write(HUB_CYPHER.read_text(), **HUB)
    finally:
        driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="atlas-paint-") as tmp:
        server = LocalNeo4j.disposable(Path(tmp))
        server.start()
        try:
            load_graph(server, Path(tmp) / "state")
            settings = Settings(
                neo4j_uri=server.bolt_uri,
                neo4j_user="neo4j",
                neo4j_password=server.password(),
                state_dir=Path(tmp) / "state",
                hub_refresh_poll_seconds=0,
                _env_file=None,
            )
            with serving(settings) as base:
                result = measure(base, args.runs)
        finally:
            server.stop()
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "target_ms": TARGET_MS,
        # The machine is shared: its load says how far these times are from a quiet machine's.
        "load_average_1min": {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)},
        **result,
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"{'page':<20} {'nodes':>5} {'first paint':>13} {'graph drawn':>13} {'server':>13}"
        f" {'paint - html':>13} {'drawn - html':>13}"
        f"   (median/max ms, {args.runs} runs)"
    )
    for name, row in result["pages"].items():
        print(
            f"{name:<20} {row['nodes']:>5} "
            + " ".join(
                f"{row[k]['median']:>6}/{row[k]['max']:<6}"
                for k in (
                    "first_paint_ms",
                    "graph_drawn_ms",
                    "server_ms",
                    "paint_after_html_ms",
                    "drawn_after_html_ms",
                )
            )
        )
    print(f"requests off the machine: {len(result['requests_off_machine'])}")
    print(f"load average (1 min) before / after: {report['load_average_1min']}")


if __name__ == "__main__":
    main()
