"""Suggestions as a user gets them: held-out test edges looked up through the running API.

    python -m bench.suggest_api --dataset wn18rr|codex-m|codex-s [--sample 500] [--datasets DIR]
                                [--folder DIR [--refit]] [--warm-up 100]

What a user does, on a server of its own (fresh folder, free loopback ports): `atlas import ...
--splits train,dev` (the test edges are really missing from the graph), `atlas suggest fit`, then
`atlas serve`'s app under uvicorn. For a seeded sample of test triples (h, r, t), both ends are
asked, as a client would:

- `GET /entities/{h}/suggestions?limit=10` (every relation type, both directions): is
  (r, out, t) among the ten items? And for t: is (r, in, h)?
- `GET /entities/{h}/suggestions?limit=10&relation_type=r&direction=out` (tail prediction as in
  the standard protocol), and the same with `direction=in` at t (head prediction).

The hit rate of the second kind is comparable to Hits@10 of `bench.linkpred` (there the other
test triples are filtered out too; here only what the graph holds is, so this rate is slightly
lower); the first kind is what the entity page shows. Latency percentiles of every request (the
first one, which loads the model, apart); before the sample, `--warm-up` other test triples are
looked up the same way and reported apart (`warm_up`): the first few hundred requests after the
server starts wait on Neo4j compiling and JIT-warming their queries (measured: p99 2-3x the
steady state). JSON in ``bench/results/suggest-api-<dataset>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import peak_rss_mib, percentiles
from bench.run import DEFAULT_DATASETS, RESULTS, server_env, wait_until_healthy
from core.settings import PROJECT_ROOT
from ingest.readers import RawRecord
from ingest.sources.codex import read_codex
from ingest.sources.wn18rr import read_wn18rr
from neo4j_local.server import LocalNeo4j, free_port

SEED = 20261202


def import_args(dataset: str, datasets: Path) -> list[str]:
    if dataset == "wn18rr":
        return ["wn18rr", str(datasets / "wn18rr"), "--splits", "train,dev"]
    return ["codex", str(datasets / "codex"), "--size", dataset[-1], "--splits", "train,dev"]


def test_edges(dataset: str, datasets: Path) -> list[tuple[str, str, str]]:
    """The test split's triples in Atlas ids and relation types, read by the importer's own reader."""
    records: list[RawRecord]
    if dataset == "wn18rr":
        records, _ = read_wn18rr(datasets / "wn18rr", splits=("test",))
    else:
        records, _ = read_codex(datasets / "codex", dataset[-1], splits=("test",))  # type: ignore[arg-type]
    return [
        (r.data["source"], r.data["type"], r.data["target"]) for r in records if r.data["kind"] == "relation"
    ]


def atlas(arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    """An `atlas ... --json` command as a user runs it; its JSON answer and wall time."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "cli.main", *arguments, "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if process.returncode != 0:
        raise RuntimeError(
            f"atlas {arguments[0]} exited with {process.returncode}:\n{process.stdout[-2000:]}"
        )
    answer: dict[str, Any] = json.loads(process.stdout)
    answer["wall_seconds"] = round(time.perf_counter() - started, 1)
    return answer


def import_graph(dataset: str, datasets: Path, env: dict[str, str]) -> dict[str, Any]:
    imported = atlas(["import", *import_args(dataset, datasets)], env)
    print(f"imported in {imported['wall_seconds']} s", file=sys.stderr)
    return {"import_wall_seconds": imported["wall_seconds"]}


def fit(env: dict[str, str]) -> dict[str, Any]:
    fitted = atlas(["suggest", "fit"], env)
    print(f"fitted in {fitted['seconds']} s", file=sys.stderr)
    keys = ("seconds", "entities", "edges", "relation_types", "best", "wall_seconds")
    return {"fit": {k: fitted[k] for k in keys}}


def ask(api: httpx.Client, entity: str, **params: str) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    response = api.get(f"/entities/{entity}/suggestions", params={"limit": "10", **params})
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return response.json()["items"], elapsed_ms


def lookups(api: httpx.Client, triples: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Both ends of each triple, with and without the relation filter: hit rates and latencies."""
    hits = {"any_relation": 0, "relation_given": 0}
    latency: dict[str, list[float]] = {"any_relation": [], "relation_given": []}
    for head, relation, tail in triples:
        for entity, direction, other in ((head, "out", tail), (tail, "in", head)):
            items, ms = ask(api, entity)
            latency["any_relation"].append(ms)
            hits["any_relation"] += any(
                (i["id"], i["relation_type"], i["direction"]) == (other, relation, direction) for i in items
            )
            items, ms = ask(api, entity, relation_type=relation, direction=direction)
            latency["relation_given"].append(ms)
            hits["relation_given"] += any(i["id"] == other for i in items)
    queries = 2 * len(triples)
    return {
        "queries": queries,
        "hits@10_relation_given": round(hits["relation_given"] / queries, 4),
        "hits@10_any_relation": round(hits["any_relation"] / queries, 4),
        "latency_ms": {kind: percentiles(samples) for kind, samples in latency.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--dataset", required=True, choices=["wn18rr", "codex-m", "codex-s"])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--sample", type=int, default=500, help="test triples looked up (both ends)")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=100,
        help="test triples (others than the sample's) looked up first and reported apart: the "
        "server's first requests after a start (Neo4j compiling the queries) are not its steady state",
    )
    parser.add_argument("--heap", default="2g")
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="keep the server and state here; a later run given the same folder reuses its "
        "imported and fitted graph (to measure a change to the serving code without a refit)",
    )
    parser.add_argument(
        "--refit", action="store_true", help="with a reused --folder: fit again (the import is kept)"
    )
    args = parser.parse_args(argv)

    folder = args.folder or Path(tempfile.mkdtemp(prefix="atlas-suggest-api-"))
    prepared = folder / "prepared.json"  # what the import and the fit took, written once both are done
    reused = prepared.exists()
    server = LocalNeo4j.disposable(folder / "neo4j", heap=args.heap, pagecache="1g")
    server.start(die_with_parent=True)
    result: dict[str, Any] = {"dataset": args.dataset, "sample": args.sample, "seed": SEED}
    try:
        env = server_env(server, folder)
        if reused:
            result |= json.loads(prepared.read_text(encoding="utf-8")) | {"reused_folder": True}
        else:
            result |= import_graph(args.dataset, args.datasets, env)
        if args.refit or not reused:
            result |= fit(env) | {"refitted": reused}
            prepared.write_text(json.dumps({k: result[k] for k in ("import_wall_seconds", "fit")}))
        triples = test_edges(args.dataset, args.datasets)
        sample = random.Random(SEED).sample(triples, min(args.sample, len(triples)))
        others = sorted(set(triples) - set(sample))
        warm_up = random.Random(SEED + 1).sample(others, min(args.warm_up, len(others)))
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        api_process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as api:
                wait_until_healthy(api, api_process)
                started = time.perf_counter()
                first = ask(api, sample[0][0])[1]  # loads the model: reported, not in the percentiles
                result["first_request_ms"] = round(first, 1)
                result["warm_up"] = lookups(api, warm_up)
                result["lookups"] = lookups(api, sample)
                result["lookup_seconds"] = round(time.perf_counter() - started, 1)
                result["api_peak_rss_mib"] = peak_rss_mib(api_process.pid)
        finally:
            api_process.terminate()
            api_process.wait(timeout=30)
    finally:
        server.stop()
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"suggest-api-{args.dataset}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    looked = result["lookups"]
    print(
        f"| {args.dataset} | {looked['queries']} | {looked['hits@10_relation_given']:.3f} | "
        f"{looked['hits@10_any_relation']:.3f} | {looked['latency_ms']['relation_given']['p99']} | "
        f"{looked['latency_ms']['any_relation']['p99']} | {result['fit']['seconds']} |"
    )
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
