"""A complete, comparable picture of the graph: every node, relationship and property."""

from __future__ import annotations

from typing import Any

from core.db import Database

NODES = """
MATCH (n)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY id
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
ORDER BY source, type, target
"""


def graph_snapshot(db: Database) -> dict[str, Any]:
    nodes = [(r["id"], sorted(r["labels"]), _plain(r["props"])) for r in db.read(NODES)]
    relationships = [
        (r["source"], r["type"], r["target"], _plain(r["props"])) for r in db.read(RELATIONSHIPS)
    ]
    return {"nodes": nodes, "relationships": relationships}


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    # Embeddings compare as lists of floats; everything else as stored.
    return {key: list(value) if isinstance(value, (list, tuple)) else value for key, value in props.items()}
