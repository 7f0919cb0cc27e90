"""A complete, comparable picture of the graph: every node, relationship and property.

Nodes and relationships come back sorted (by their whole content, so the order never depends on
how Neo4j happens to return them) and property lists as Python lists, so two snapshots compare
with `==` and a failing comparison shows the difference.
"""

from __future__ import annotations

import json
from typing import Any

from core.db import Database

# Curation's own bookkeeping: a decision log and the counter that numbers it. A merge followed by
# its undo must restore the graph exactly, but it leaves its decision behind, marked undone. And
# the suggester's stored output (`:Suggestion`), which each fit rewrites.
BOOKKEEPING_LABELS = ("Decision", "CurationCounter", "Suggestion")

NODES = """
MATCH (n)
WHERE $bookkeeping OR NONE(label IN labels(n) WHERE label IN $skipped)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
WHERE $bookkeeping OR NONE(label IN labels(a) + labels(b) WHERE label IN $skipped)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""

Node = tuple[str | None, list[str], dict[str, Any]]
Relationship = tuple[str | None, str, str | None, dict[str, Any]]


def graph_snapshot(db: Database, *, bookkeeping: bool = True) -> dict[str, Any]:
    """`{"nodes": [(id, labels, props)], "relationships": [(source, type, target, props)]}`.

    With `bookkeeping=False`, the nodes of BOOKKEEPING_LABELS (and anything
    joined to them) are left out: what a curation round trip must leave exactly as it found."""
    params = {"bookkeeping": bookkeeping, "skipped": list(BOOKKEEPING_LABELS)}
    nodes: list[Node] = [(r["id"], sorted(r["labels"]), _plain(r["props"])) for r in db.read(NODES, **params)]
    relationships: list[Relationship] = [
        (r["source"], r["type"], r["target"], _plain(r["props"])) for r in db.read(RELATIONSHIPS, **params)
    ]
    return {"nodes": sorted(nodes, key=_order), "relationships": sorted(relationships, key=_order)}


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    # Embeddings and other list properties compare as lists; everything else as stored.
    return {key: list(value) if isinstance(value, (list, tuple)) else value for key, value in props.items()}


def _order(item: Node | Relationship) -> str:
    # A total order even where ids are missing (None) or repeated: the whole item as JSON.
    return json.dumps(item, sort_keys=True, default=str)
