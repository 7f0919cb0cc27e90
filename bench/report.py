"""The rows of a benchmark result: a rich table on the terminal, a Markdown table for the docs.

`python -m bench.report bench/results/*.json` prints the Markdown of saved results.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HEADER = ("measure", "Atlas", "baseline", "ratio")
PAGES = (
    ("page_random", "page, random ids"),
    ("page_hubs_first", "page, hubs, 1st"),
    ("page_hubs", "page, hubs, again"),
)


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, Atlas, baseline, ratio); the baseline is named in the measure."""
    ratios = result.get("ingest_vs_load_csv", {})
    out = []
    if "atlas_stats" in result:
        stats = result["atlas_stats"]
        figures = f"{stats['entities']:,} / {stats['relation_types']} / {stats['relations']:,}"
        out.append(("atlas stats: entities / relation types / relations", figures, "", ""))
    out += [
        (
            "ingest entities/s (LOAD CSV without vectors)",
            _(ratios.get("atlas_entities_per_s")),
            _(ratios.get("load_csv_entities_per_s")),
            "",
        ),
        (
            "ingest relations/s (LOAD CSV)",
            _(ratios.get("atlas_relations_per_s")),
            _(ratios.get("load_csv_relations_per_s")),
            "",
        ),
        (
            "ingest entities/s, vectors written (LOAD CSV with vectors)",
            _(ratios.get("atlas_entities_per_s")),
            _(ratios.get("load_csv_embedded_entities_per_s")),
            "",
        ),
        (
            "ingest s, model excluded (LOAD CSV without vectors; ratio = throughput)",
            _(ratios.get("atlas_seconds_without_embedding")),
            _(ratios.get("load_csv_seconds")),
            _(ratios.get("ratio")),
        ),
        (
            "ingest s, model excluded (LOAD CSV writing the same vectors)",
            _(ratios.get("atlas_seconds_without_embedding")),
            _(ratios.get("load_csv_embedded_seconds")),
            _(ratios.get("ratio_embedded")),
        ),
    ]
    if "admin_import_seconds" in ratios:
        out.append(("neo4j-admin database import s", "", _(ratios.get("admin_import_seconds")), ""))
    ingest = result["atlas_ingest"]
    out.append(("embedding step s (" + result["embedder"] + ")", _(ingest["seconds"].get("embed")), "", ""))
    if "embedding" in result:
        embedding = result["embedding"]
        out.append(
            (
                "embedding texts/s (bare SentenceTransformer.encode)",
                _(embedding["ingest_texts_per_s"]),
                _(embedding["bare_encode_texts_per_s"]),
                _(embedding["ratio"]),
            )
        )
    if "atlas_reingest" in result:
        reingest = result["atlas_reingest"]
        out.append(("unchanged re-ingest: embeddings computed", _(reingest["embeddings_computed"]), "", ""))
        out.append(("unchanged re-ingest s", _(reingest["wall_seconds"]), "", ""))
    if "ready_seconds" in result:
        out.append(
            ("API start: hubs and similar scan read ahead after s", _(result["ready_seconds"]), "", "")
        )
    for key, label in PAGES:
        if key not in result:
            continue
        page = result[key]
        for q in ("p50", "p95", "p99"):
            ratio = _(page.get(f"overhead_ratio_{q}", ""))
            out.append(
                (
                    f"{label} {q} ms (same Cypher via driver)",
                    _(page["api_ms"][q]),
                    _(page["driver_ms"][q]),
                    ratio,
                )
            )
    if "similar" in result:
        similar = result["similar"]
        out.append(("similar recall@20 (exact brute force)", _(similar["recall"]), "1.0", ""))
        right = similar.get("counts_right_fraction", similar.get("counts_equal_fraction"))
        out.append(("similar: count right (exact, or a true lower bound)", _(right), "1.0", ""))
        if "counts_lower_bound_fraction" in similar:
            lower = _(similar["counts_lower_bound_fraction"])
            out.append(("similar: share of counts that are lower bounds", lower, "", ""))
        for q in ("p50", "p99"):
            out.append((f"similar {q} ms", _(similar["latency_ms"].get(q)), "", ""))
    out.append(("peak RSS MiB, ingest process", _(ingest["peak_rss_mib"]), "", ""))
    out.append(("peak RSS MiB, API process", _(result.get("api_peak_rss_mib")), "", ""))
    return out


def _(value: Any) -> str:
    if value is None or value == "":
        return ""
    return f"{value:,}" if isinstance(value, int) else str(value)


def title(name: str, result: dict[str, Any]) -> str:
    partial = "" if result.get("complete", True) else " (incomplete run)"
    return f"{name}: {result['entities']:,} entities, {result['relations']:,} relations{partial}"


def print_table(name: str, result: dict[str, Any]) -> None:
    table = Table(title=title(name, result))
    for number, column in enumerate(HEADER):
        table.add_column(column, justify="left" if number == 0 else "right")
    for row in rows(result):
        table.add_row(*row)
    Console().print(table)


def markdown(report: dict[str, Any]) -> str:
    parts = []
    for name, result in report["graphs"].items():
        lines = [
            f"### {title(name, result)}",
            "",
            "| " + " | ".join(HEADER) + " |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in rows(result)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    for path in sys.argv[1:]:
        sys.stdout.write(markdown(json.loads(Path(path).read_text())) + "\n")
