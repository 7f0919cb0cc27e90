"""Shared by the BibTeX and CSL-JSON tests: the hand-written library and how to import it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.db import Database
from ingest.pipeline import Ingester
from ingest.problems import Problem
from ingest.readers import RawRecord
from ingest.sources.library_import import LibrarySummary, import_library

DATA = Path(__file__).parent / "data"
LIBRARY_BIB = DATA / "ai-safety.bib"
LIBRARY_CSL = DATA / "ai-safety.json"

# Counted by hand from the library: 16 entries (the @proceedings is a crossref container, not a
# paper); 86 distinct people among the authors ("Paul F. Christiano" and "Paul Christiano" are one)
# and one corporate author (OpenAI); the 7 editors of NeurIPS 2017; 105 authorships; 8 citations
# within the library.
PAPERS = 16
AUTHOR_PEOPLE = 86
EDITORS = 7
AUTHORSHIPS = 105
CITATIONS = 8

# The authors of the two seed papers, in order (seeds/alignment-faking.yaml).
SEED_PAPERS = {
    "paper:arxiv-2412-14093": [
        "Ryan Greenblatt", "Carson Denison", "Benjamin Wright", "Fabien Roger", "Monte MacDiarmid",
        "Sam Marks", "Johannes Treutlein", "Tim Belonax", "Jack Chen", "David Duvenaud", "Akbir Khan",
        "Julian Michael", "Sören Mindermann", "Ethan Perez", "Linda Petrini", "Jonathan Uesato",
        "Jared Kaplan", "Buck Shlegeris", "Samuel R. Bowman", "Evan Hubinger",
    ],
    "paper:arxiv-2506-18032": [
        "Abhay Sheshadri", "John Hughes", "Julian Michael", "Alex Mallen", "Arun Jose", "Janus",
        "Fabien Roger",
    ],
}  # fmt: skip

# One more real paper, two of whose three authors are new to the library.
ADDED_ENTRY = """
@misc{ngo2022alignment,
  title         = {The Alignment Problem from a Deep Learning Perspective},
  author        = {Ngo, Richard and Chan, Lawrence and Mindermann, S{\\"o}ren},
  year          = {2022},
  eprint        = {2209.00626},
  archivePrefix = {arXiv}
}
"""

Reader = Callable[..., tuple[list[RawRecord], list[Problem]]]


def import_files(ingester: Ingester, reader: Reader, *paths: Path, dry_run: bool = False) -> LibrarySummary:
    notes: list[str] = []
    records, problems = reader(list(paths), notes)
    return import_library(ingester, records, problems, notes, dry_run=dry_run)


def counts(db: Database) -> dict[str, int]:
    rows = db.read(
        "MATCH (n:Entity) RETURN n.type AS type, count(*) AS n UNION ALL "
        "MATCH ()-[r]->() RETURN toLower(type(r)) AS type, count(*) AS n"
    )
    return {row["type"]: row["n"] for row in rows}


def without_vectors(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A graph snapshot without the embedding vectors (their hashes stay, and say the same)."""
    nodes = [
        (i, labels, {k: v for k, v in props.items() if k != "embedding"})
        for i, labels, props in snapshot["nodes"]
    ]
    return {"nodes": nodes, "relationships": snapshot["relationships"]}
