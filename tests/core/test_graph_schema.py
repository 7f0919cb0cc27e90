"""The schema stored in the graph (core/schema.py): one `:AtlasSchema` node that Browser queries read
too, written only when it changes, refused when it drops a type still in use, and seen by
`GraphSchema` readers as soon as the graph's revision moves."""

from __future__ import annotations

import pytest

from core.db import Database
from core.queries import Queries
from core.schema import GraphSchema, Schema, SchemaError, read_stored_schema, store_schema

FIELD = Schema(
    entity_types=("protein", "fold"),
    relation_types=("adopts", "homologous_to"),
    reflexive_relation_types=frozenset({"homologous_to"}),
    entity_descriptions={"protein": "A polypeptide chain"},
    relation_descriptions={"adopts": "protein -> fold"},
)


def test_a_stored_schema_reads_back_the_same_and_browser_sees_one_node(
    db: Database, queries: Queries
) -> None:
    store_schema(db, queries, FIELD)
    assert read_stored_schema(db, queries) == FIELD
    rows = db.read("MATCH (s:AtlasSchema) RETURN s.entity_types AS types, s.entity_descriptions AS texts")
    assert [(r["types"], r["texts"]) for r in rows] == [(["protein", "fold"], ["A polypeptide chain", ""])]


def test_storing_the_schema_the_graph_has_writes_nothing(db: Database, queries: Queries) -> None:
    store_schema(db, queries, FIELD)
    revision = db.revision()
    store_schema(db, queries, FIELD)
    assert db.revision() == revision


def test_dropping_types_in_use_is_refused_with_counts_merged_entities_included(
    db: Database, queries: Queries
) -> None:
    store_schema(db, queries, FIELD)
    db.write(
        "CREATE (:Entity:Protein {id: 'protein:a', type: 'protein'})"
        "-[:ADOPTS]->(:Entity:Fold {id: 'fold:b', type: 'fold'}),"
        " (:Entity:Fold {id: 'fold:c', type: 'fold', status: 'merged'})"
    )
    with pytest.raises(SchemaError) as raised:
        store_schema(db, queries, Schema(("protein",), ("homologous_to",)))
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("entity_types", "removes 'fold', still the type of 2 entities"),
        ("relation_types", "removes 'adopts', still the type of 1 relation"),
    ]
    assert read_stored_schema(db, queries) == FIELD


def test_a_graph_schema_reader_sees_a_change_from_any_client_at_once(db: Database, queries: Queries) -> None:
    store_schema(db, queries, FIELD)
    live = GraphSchema(db, queries)
    assert live.entity_types == ("protein", "fold")
    db.write("MATCH (s:AtlasSchema) SET s.entity_types = ['fold', 'protein']")  # e.g. from Browser
    assert live.entity_types == ("fold", "protein")


def test_a_graph_without_a_schema_has_no_types(db: Database, queries: Queries) -> None:
    db.write("MATCH (s:AtlasSchema) DELETE s")
    assert read_stored_schema(db, queries) is None
    assert GraphSchema(db, queries).current() == Schema()
