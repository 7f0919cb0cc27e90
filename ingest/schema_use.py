"""Which schema an ingest validates against, and storing the one it brings.

A schema file given with the data (`atlas ingest seeds/`), or the types an importer's dataset
brings, becomes the graph's schema when the ingest is valid; records ingested without one are
checked against the schema the graph already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.db import Database
from core.queries import Queries
from core.schema import SCHEMA_FILE_NAMES, Schema, SchemaError, read_stored_schema, store_schema
from ingest.problems import IngestError, Location, Problem
from ingest.readers import SchemaFile, is_schema_file, schema_problems


@dataclass(frozen=True)
class DatasetTypes:
    """The types an importer's dataset brings (ingest/sources/): added to the graph's schema after
    its own types, never reordering or dropping them."""

    schema: Schema


# A schema file or a Schema replaces the graph's schema; DatasetTypes extend it; None keeps it.
GivenSchema = Schema | SchemaFile | DatasetTypes | None

NO_SCHEMA = Problem(
    Location(Path(SCHEMA_FILE_NAMES[0]), 0),
    None,
    "this graph has no schema yet: give a schema.yaml (entity_types, relation_types) with the data; "
    "see the README's 'The schema'",
)


def schema_of(db: Database, queries: Queries, given: GivenSchema) -> Schema | None:
    """The schema the graph will have after an ingest with `given` (None: the one it has)."""
    if isinstance(given, DatasetTypes):
        return (read_stored_schema(db, queries) or Schema()).extended_with(given.schema)
    return given.schema if isinstance(given, SchemaFile) else given


def schema_to_validate(db: Database, queries: Queries, given: GivenSchema, problems: list[Problem]) -> Schema:
    """The schema the records are checked against: the one given, else the graph's. IngestError
    when there is none, or when the schema file itself is broken (its problems, not a flood of
    'unknown type' for every record)."""
    if any(is_schema_file(problem.location.path) for problem in problems):
        raise IngestError(problems)
    schema = schema_of(db, queries, given) or read_stored_schema(db, queries)
    if schema is None:
        raise IngestError([*problems, NO_SCHEMA])
    return schema


def apply_schema(db: Database, queries: Queries, given: GivenSchema) -> None:
    """Store the given schema as the graph's; IngestError (nothing written) when it drops a type
    still in use, naming the schema file and the counts."""
    schema = schema_of(db, queries, given)
    if schema is None:
        return
    try:
        store_schema(db, queries, schema, given.path if isinstance(given, SchemaFile) else None)
    except SchemaError as error:
        raise IngestError(schema_problems(error)) from error
