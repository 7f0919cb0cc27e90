"""The vector index is created with Atlas's settings, and one made otherwise (an earlier Atlas, by
hand, for an experiment) is recreated by the next ingest, which says so."""

from core.db import Database
from core.queries import Queries
from ingest.embedding import DIMENSIONS
from ingest.vector_index import CONFIG_KEYS, INDEX_SETTINGS, ensure_embedding_index

OTHER_SETTINGS = """
CREATE VECTOR INDEX entity_embedding
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {
  `vector.dimensions`: 384, `vector.similarity_function`: 'cosine',
  `vector.quantization.enabled`: false, `vector.hnsw.m`: 32, `vector.hnsw.ef_construction`: 200
}}
"""


def index_config(db: Database, queries: Queries) -> dict[str, object]:
    (index,) = db.read(queries["embedding_index_config"])
    return {name: index["config"][key] for name, key in CONFIG_KEYS.items()}


def test_an_index_with_other_settings_is_recreated_with_atlas_settings_and_the_ingest_says_so(
    db: Database, queries: Queries
) -> None:
    db.write(queries["drop_entity_embedding_index"])
    db.write(OTHER_SETTINGS)
    try:
        before = index_config(db, queries)
        assert before != {"dimensions": DIMENSIONS, **INDEX_SETTINGS}  # else this proves nothing

        notice = ensure_embedding_index(db, queries, DIMENSIONS)

        assert notice is not None and notice.endswith(": recreated")
        for name, value in INDEX_SETTINGS.items():
            if before[name] != value:
                assert f"{CONFIG_KEYS[name]} {before[name]} where Atlas uses {value}" in notice
        assert index_config(db, queries) == {"dimensions": DIMENSIONS, **INDEX_SETTINGS}
        assert ensure_embedding_index(db, queries, DIMENSIONS) is None  # right now: left alone
    finally:
        ensure_embedding_index(db, queries, DIMENSIONS)
