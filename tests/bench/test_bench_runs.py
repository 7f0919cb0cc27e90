"""`python -m bench` runs end to end on a tiny graph and writes every figure the issue asks for.
The figures themselves are not asserted: benchmarks measure, they do not pass or fail.

Marked slow: it starts Neo4j servers of its own, several times, and guards only the benchmark
tooling (the import path it drives is tested in tests/sources and tests/ingest). `make bench` and
`pytest -m slow` run it."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT

TINY = [
    "--graphs=synthetic",
    "--entities=400",
    "--relations=1500",
    "--hubs=1",
    "--hub-degree=300",
    "--embedder=minilm",
    "--page-samples=20",
    "--hub-samples=3",
    "--similar-samples=10",
    "--heap=512m",
    "--pagecache=256m",
]


@pytest.mark.slow
@pytest.mark.neo4j
def test_bench_writes_a_table_and_json_with_every_comparison(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", *TINY, f"--out={out}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COLUMNS": "200"},  # the table unwrapped
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ingest relations/s (LOAD CSV)" in result.stdout and "page, hubs, again p99 ms" in result.stdout

    report = json.loads(out.read_text())
    assert report["machine"]["cpus"] and report["machine"]["neo4j"].startswith("5.26.")
    graph = report["graphs"]["synthetic"]
    assert (graph["entities"], graph["relations"]) == (400, 1500)
    # Every loader wrote the same graph.
    expected = {"entities": 400, "relations": 1500, "relation_types": 8}
    assert graph["load_csv"]["counts"] == expected
    assert graph["load_csv_embedded"]["counts"] == expected
    assert graph["admin_import"]["counts"] == expected
    assert graph["atlas_ingest"]["entities"]["created"] == 400
    assert graph["atlas_reingest"]["embeddings_computed"] == 0
    assert graph["embedding"]["texts"] == 400 and graph["embedding"]["ratio"] > 0
    assert graph["ingest_vs_load_csv"]["ratio"] > 0 and graph["ingest_vs_load_csv"]["ratio_embedded"] > 0
    for page in ("page_random", "page_hubs_first", "page_hubs"):
        assert graph[page]["api_ms"]["n"] == graph[page]["driver_ms"]["n"] > 0
        assert graph[page]["overhead_ratio_p99"] > 0
    assert graph["page_hubs"]["degrees"][0] >= 300
    hub_ids = [sample["id"] for sample in graph["page_hubs"]["per_id"]]
    assert hub_ids == [sample["id"] for sample in graph["page_hubs_first"]["per_id"]]
    assert len(set(hub_ids)) == len(hub_ids) == graph["page_hubs"]["api_ms"]["n"]
    assert 0 <= graph["similar"]["recall"] <= 1 and graph["similar"]["queries"] == 10
    assert graph["atlas_ingest"]["peak_rss_mib"] > 0 and graph["api_peak_rss_mib"] > 0
    assert graph["complete"] is True
    assert graph["atlas_stats"] == {**expected, "entity_types": graph["atlas_stats"]["entity_types"]}


@pytest.mark.slow
@pytest.mark.neo4j
def test_load_bench_measures_the_driver_and_every_api_cell_and_probes_for_stale_reads(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    arguments = [
        "--dataset=seeds",
        "--clients=4",
        "--seconds=2",
        "--warm-up=1",
        "--workers=1,2",
        "--heap=512m",
        f"--out={out}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    cells = json.loads(out.read_text())["cells"]
    assert list(cells) == [
        "warm-up",
        "driver json, 1 worker",
        "api json, 1 worker",
        "driver html, 1 worker",
        "api html, 1 worker",
        "driver json, 2 workers",
        "api json, 2 workers",
        "driver html, 2 workers",
        "api html, 2 workers",
    ]
    for name, cell in cells.items():
        assert cell["pages"] > 0 and cell["errors"] == 0, name
        if name.startswith("api"):
            assert cell["after_a_driver_write"] == {"reads": 20, "stale": 0}, name
            assert cell["throughput_vs_driver"] > 0, name


@pytest.mark.slow
@pytest.mark.neo4j
def test_recall_bench_measures_the_index_the_in_process_scans_and_atlas_similar(tmp_path: Path) -> None:
    result = run_bench(
        "bench.similar_recall",
        "--entities=2000",
        "--samples=10",
        "--configs",
        "default",
        "--candidates",
        "40",
        "100",
        "--in-process",
        "--atlas",
        "--heap=512m",
        "--pagecache=256m",
        out=tmp_path / "recall.json",
    )
    assert set(result["configs"]["default"]["by_candidates"]) == {"40", "100"}
    assert {"numpy_exact", "faiss_fp16", "faiss_int8"} <= set(result["in_process"])
    assert result["in_process"]["faiss_int8"]["40"]["recall"] == 1.0
    assert result["atlas"]["index"]["search"] == ["index"]
    assert result["atlas"]["scan"]["search"] == ["scan"]
    for cell in result["atlas"].values():
        assert {"page_recall", "page_latency_ms", "count_equal", "similar_latency_ms"} <= set(cell)


def test_the_candidates_bench_extrapolates_the_products_from_a_share_and_checks_it(tmp_path: Path) -> None:
    result = run_bench(
        "bench.candidates_scale",
        "--entities=20000",
        "--compute-only",
        "--seconds=0.01",
        "--check-extrapolation",
        out=tmp_path / "candidates.json",
    )
    stopped, whole = result["products"], result["products_to_the_end"]
    assert stopped["extrapolated"] and 0 < stopped["share_done"] < 1
    assert not whole["extrapolated"] and whole["share_done"] == 1.0
    assert stopped["pairs_found"] <= whole["pairs_found"]


def run_bench(module: str, *arguments: str, out: Path) -> Any:
    """Run a bench module as a user does; the JSON it wrote to `out`."""
    subprocess.run(
        [sys.executable, "-m", module, *arguments, f"--out={out}"], cwd=PROJECT_ROOT, check=True, timeout=600
    )
    return json.loads(out.read_text())
