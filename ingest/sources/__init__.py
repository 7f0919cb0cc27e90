"""Adapters that turn public datasets into Atlas records, for the normal ingest path.

Each adapter reads a dataset in its authors' own layout and returns raw records located at the
dataset file and line they came from, so that validation errors name them like any other input:

- `wn18rr.read_wn18rr(folder)`: WordNet synsets and their 11 relation types.
- `codex.read_codex(folder, size)`: CoDEx-S or CoDEx-M (Wikidata items and properties).
- `synthetic.generate(...)`: a deterministic power-law graph for scale runs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

from ingest.problems import Location, Problem

SPLITS = ("train", "dev", "test")  # the published splits, as Atlas names them


def checked_splits(splits: Collection[str]) -> tuple[str, ...]:
    """The splits asked for, in their published order; a ValueError names an unknown one.
    Importing only train and dev leaves the test triples really missing: the link-prediction
    benchmark (bench/linkpred.py) and `atlas suggest` are evaluated on them."""
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown or not splits:
        raise ValueError(
            f"unknown split(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(SPLITS)}"
        )
    return tuple(split for split in SPLITS if split in splits)


def tab_separated(path: Path, columns: int, problems: list[Problem]) -> Iterator[tuple[Location, list[str]]]:
    """The rows of a tab-separated file with exactly `columns` fields; others become problems."""
    if not path.is_file():
        problems.append(Problem(Location(path, 0), None, "no such file in the dataset folder"))
        return
    with path.open(encoding="utf-8", newline="\n") as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split("\t", columns - 1)
            location = Location(path, number)
            if len(fields) != columns or not all(fields):
                problems.append(
                    Problem(location, None, f"expected {columns} tab-separated fields, got {line!r}")
                )
                continue
            yield location, fields
