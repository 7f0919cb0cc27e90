"""The vector index over the embeddings: the dimension of the embedding model in use, and the
index settings Atlas chooses.

`CREATE ... IF NOT EXISTS` keeps an index of the same name whatever its configuration, so after a
switch to a model of another dimension the index would skip every new vector, and an index made by
an earlier version (or by hand) would keep its settings. Ingest reads the configuration first,
drops an index that differs and builds it again, and says so.
"""

from __future__ import annotations

import logging
from typing import Any

from core.db import Database
from core.queries import Queries

log = logging.getLogger("atlas.ingest")

# Neo4j 5.26's defaults, kept by measurement (docs/performance.md, "similar at scale";
# bench.similar_recall, 200k entities): without quantisation the index built in 114 s against 121 s
# and found the same neighbours (recall@20 0.996 against 0.996 with 400 candidates), so the int8
# copy's smaller memory decides; m 32 / ef_construction 200 reached 0.99 with fewer candidates but
# built in twice the time. Stated here so that an index made otherwise is recreated.
INDEX_SETTINGS = {"quantization": True, "m": 16, "ef_construction": 100}
CONFIG_KEYS = {
    "dimensions": "vector.dimensions",
    "quantization": "vector.quantization.enabled",
    "m": "vector.hnsw.m",
    "ef_construction": "vector.hnsw.ef_construction",
}


def ensure_embedding_index(db: Database, queries: Queries, dimensions: int) -> str | None:
    """Create the index if absent; recreate it if its dimension or settings differ. Returns a
    notice saying so, or None when it was already right (or new)."""
    wanted: dict[str, Any] = {"dimensions": dimensions, **INDEX_SETTINGS}
    records = db.read(queries["embedding_index_config"])
    notice = None
    if records and (differences := _differences(records[0]["config"], wanted)):
        db.write(queries["drop_entity_embedding_index"])
        notice = f"vector index 'entity_embedding' had {', '.join(differences)}: recreated"
        log.warning(notice)
    db.write(queries["create_entity_embedding_index"], **wanted)
    return notice


def _differences(config: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """'384 dimensions where the embedding model gives 8', 'vector.hnsw.m 32 where Atlas uses 16'."""
    found = {name: config.get(key) for name, key in CONFIG_KEYS.items()}
    differences = []
    if found["dimensions"] is None or int(found["dimensions"]) != wanted["dimensions"]:
        differences.append(
            f"{found['dimensions']} dimensions and the embedding model gives {wanted['dimensions']}"
        )
    for name in INDEX_SETTINGS:
        if found[name] != wanted[name]:
            differences.append(f"{CONFIG_KEYS[name]} {found[name]} where Atlas uses {wanted[name]}")
    return differences
