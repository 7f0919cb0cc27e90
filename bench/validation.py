"""`python -m bench.validation`: where the ingest's "validate" stage spends its time on the
synthetic graph: making the records, or checking them.

The records stream from the synthetic source into `validate` (ingest/validate.py) as in `atlas
import synthetic`, and the stage's timer covers both. Here the seconds spent inside the source's
generator are counted apart ("source"), so that what is left is validation alone. Then the
ingest's planning of the entities (what to write and embed; here, into an empty database), and the
process's peak memory: holding the validated records is most of an import's memory. `--rounds`
rounds; the fastest counts.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.run import RESULTS, command_line, machine
from ingest.embedding import HashingEmbedder
from ingest.pipeline import IngestSummary, plan_entities
from ingest.readers import RawRecord
from ingest.sources.synthetic import SCHEMA, SyntheticSpec, generate
from ingest.validate import validate

app = typer.Typer(add_completion=False)
console = Console()


class TimedSource:
    """The records of `records`, counting the seconds spent making them."""

    def __init__(self, records: Iterable[RawRecord]) -> None:
        self.records = records
        self.seconds = 0.0

    def __iter__(self) -> Iterator[RawRecord]:
        iterator = iter(self.records)
        while True:
            started = time.perf_counter()
            record = next(iterator, None)
            self.seconds += time.perf_counter() - started
            if record is None:
                return
            yield record


def one_round(spec: SyntheticSpec) -> dict[str, Any]:
    source = TimedSource(generate(spec))
    started = time.perf_counter()
    valid, problems = validate(source, lambda ids: set(), SCHEMA)
    total = time.perf_counter() - started
    assert not problems, problems[:3]
    started = time.perf_counter()
    plan_entities(valid.entities, {}, HashingEmbedder().model_name, IngestSummary())
    planned = time.perf_counter() - started
    return {
        "source_seconds": round(source.seconds, 2),
        "validate_seconds": round(total - source.seconds, 2),
        "stage_seconds": round(total, 2),
        "plan_seconds": round(planned, 2),
        "records": len(valid.entities) + len(valid.relations),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


@app.command()
def main(
    entities: Annotated[int, typer.Option(help="Synthetic graph: entities.")] = 200_000,
    relations: Annotated[int, typer.Option(help="Synthetic graph: relations.")] = 1_000_000,
    rounds: Annotated[int, typer.Option(help="Rounds per mode, alternating.")] = 2,
    out: Annotated[Path, typer.Option(help="JSON file.")] = RESULTS / "validation.json",
) -> None:
    """Validate the records; print a table and write every figure as JSON."""
    spec = SyntheticSpec(entities, relations, 0)
    runs = []
    for round_number in range(rounds):
        runs.append(one_round(spec))
        console.print(f"round {round_number + 1}: {runs[-1]}")
    best = min(runs, key=lambda r: r["validate_seconds"])
    report = {
        "taken": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "command": command_line("bench.validation"),
        "machine": machine(),
        "spec": {"entities": entities, "relations": relations},
        "rounds": runs,
        "best": best,
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    table = Table(title=f"the validate stage on {best['records']:,} synthetic records (fastest of {rounds})")
    for column in ("part", "seconds", "records/s"):
        table.add_column(column)
    for part in ("source", "validate", "stage", "plan"):
        seconds = best[f"{part}_seconds"]
        table.add_row(part, str(seconds), f"{best['records'] / seconds:,.0f}")
    console.print(table)
    console.print(f"peak RSS of this process: {runs[-1]['peak_rss_mib']:,} MiB")
    console.print(f"JSON: {out}")


if __name__ == "__main__":
    app()
