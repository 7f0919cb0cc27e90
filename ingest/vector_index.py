"""The vector index over the embeddings, with the dimension of the embedding model in use.

`CREATE ... IF NOT EXISTS` keeps an index of the same name whatever its dimension, so after a switch
to a model of another dimension the index would skip every new vector. Ingest reads the dimension
first, drops an index of another one and builds it again, and says so.
"""

from __future__ import annotations

import logging

from core.db import Database
from core.queries import Queries

log = logging.getLogger("atlas.ingest")


def ensure_embedding_index(db: Database, queries: Queries, dimensions: int) -> str | None:
    """Create the index if absent; recreate it if its dimension differs. Returns a notice saying
    so, or None when it was already right (or new)."""
    records = db.read(queries["embedding_index_dimensions"])
    found = records[0]["dimensions"] if records else None
    notice = None
    if found is not None and int(found) != dimensions:
        db.write(queries["drop_entity_embedding_index"])
        notice = (
            f"vector index 'entity_embedding' had {found} dimensions and the embedding model gives "
            f"{dimensions}: recreated"
        )
        log.warning(notice)
    db.write(queries["create_entity_embedding_index"], dimensions=dimensions)
    return notice
