"""Fixtures for curation: a small graph built to exercise every merge case, the whole-graph
snapshot that undo must restore, a Curator, and an API client whose server has a key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.queries import Queries
from core.schema import GraphSchema
from core.settings import Settings
from curation.curator import Curator
from tests.snapshot import graph_snapshot

API_KEY = "test-key-0123456789"
CANONICAL, DUPLICATE = "concept:reward-hacking", "concept:reward-hacking-twin"

# Every relation case of a merge of DUPLICATE into CANONICAL:
#   dup -> canonical and canonical -> dup (would be self-loops: dropped, restored by undo);
#   paper:p1 introduces both (folds into the canonical's, descriptions kept);
#   dup -> concept:other and concept:other -> canonical of one type (folds across directions);
#   concept:other part_of dup both ways (first moves, second folds into it);
#   paper:p2 and thinker:t1 -> dup only (move, source_ref kept).
CURATION_RECORDS: list[dict[str, Any]] = [
    {"kind": "entity", "type": "concept", "id": CANONICAL, "name": "Reward Hacking",
     "description": "An agent exploiting flaws in its reward signal instead of doing the task.",
     "aliases": ["specification gaming"]},
    {"kind": "entity", "type": "concept", "id": DUPLICATE, "name": "Reward hacking",
     "description": "Agents exploiting loopholes in the reward function rather than solving the task.",
     "aliases": ["reward tampering"]},
    {"kind": "entity", "type": "concept", "id": "concept:other", "name": "Goodhart's Law",
     "description": "When a measure becomes a target, it ceases to be a good measure."},
    {"kind": "entity", "type": "paper", "id": "paper:p1", "name": "Concrete Problems in AI Safety",
     "description": "Five practical research problems for accident risk in machine learning."},
    {"kind": "entity", "type": "paper", "id": "paper:p2", "name": "Specification gaming examples",
     "description": "A list of examples of AI systems gaming their specification."},
    {"kind": "entity", "type": "thinker", "id": "thinker:t1", "name": "Victoria Krakovna",
     "description": "Research scientist who catalogued specification gaming."},
    {"kind": "entity", "type": "concept", "id": "concept:sycophancy", "name": "Sycophancy",
     "description": "Telling users what they want to hear."},
    {"kind": "relation", "source": DUPLICATE, "type": "associated_with", "target": CANONICAL,
     "description": "same idea"},
    {"kind": "relation", "source": CANONICAL, "type": "extends", "target": DUPLICATE},
    {"kind": "relation", "source": "paper:p1", "type": "introduces", "target": DUPLICATE,
     "description": "desc A"},
    {"kind": "relation", "source": "paper:p1", "type": "introduces", "target": CANONICAL,
     "description": "desc B", "source_ref": "paper:p1"},
    {"kind": "relation", "source": DUPLICATE, "type": "associated_with", "target": "concept:other",
     "description": "desc D"},
    {"kind": "relation", "source": "concept:other", "type": "associated_with", "target": CANONICAL,
     "description": "desc E"},
    {"kind": "relation", "source": "concept:other", "type": "part_of", "target": DUPLICATE,
     "description": "x"},
    {"kind": "relation", "source": DUPLICATE, "type": "part_of", "target": "concept:other"},
    {"kind": "relation", "source": "paper:p2", "type": "studies", "target": DUPLICATE,
     "description": "desc C"},
    {"kind": "relation", "source": "thinker:t1", "type": "studies", "target": DUPLICATE,
     "description": "catalogue", "source_ref": "paper:p2"},
]  # fmt: skip


def graph_state(db: Database) -> dict[str, Any]:
    """Every node but curation's bookkeeping, every relationship and property, comparable."""
    return graph_snapshot(db, bookkeeping=False)


def decision_count(db: Database) -> int:
    return int(db.read("MATCH (d:Decision) RETURN count(d) AS n")[0]["n"])


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def curation_file(tmp_path: Path) -> Path:
    return write_records(tmp_path / "curation.jsonl", CURATION_RECORDS)


@pytest.fixture
def curation_graph(ingest, curation_file: Path) -> Path:
    ingest(curation_file)
    return curation_file


@pytest.fixture
def curator(db: Database, queries: Queries) -> Curator:
    return Curator(db, queries, GraphSchema(db, queries))


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_key": API_KEY})


@pytest.fixture
def keyed_client(keyed_settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(keyed_settings)) as test_client:
        yield test_client
