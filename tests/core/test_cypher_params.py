"""The example `:params` line of every cypher file speaks the seed graph's schema: Neo4j Browser users
paste it as it is, so a type it names must be one of seeds/schema.yaml, and `type_order` (the page's
group order) must be that schema's whole entity order. Each line is evaluated by Neo4j itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, LiteralString, cast

import pytest

from core.db import Database
from core.queries import Queries
from core.schema import Schema, read_schema_file

ROOT = Path(__file__).resolve().parents[2]
SEEDS = read_schema_file(ROOT / "seeds" / "schema.yaml")
ID_KEYS = {"id", "ids", "source", "target", "source_ref", "a", "b", "other", "entity_id", "keep", "merge"}


def walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) of a parameter map, nested maps and lists included."""
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield inner_key, inner
            yield from walk(inner, inner_key)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                yield from walk(item, key)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def schema_problems(params: dict[str, Any], schema: Schema) -> list[str]:
    """What in one header names a type the schema does not have."""
    labels = {schema.label(t) for t in schema.entity_types}
    rel_types = {schema.rel_type(t) for t in schema.relation_types}
    problems = []
    for key, value in walk(params):
        if key == "type_order" and value != list(schema.entity_types):
            problems.append(f"type_order {value} is not the schema's order {list(schema.entity_types)}")
        for text in strings(value):
            if key == "types" and text not in schema.entity_types:
                problems.append(f"types: {text!r} is no entity type")
            elif key == "label" and text not in labels:
                problems.append(f"label: {text!r} is no entity type's label")
            elif key == "rel_type" and text not in rel_types:
                problems.append(f"rel_type: {text!r} is no relation type")
            elif key in ("type", "relation_type") and text not in (
                *schema.entity_types,
                *schema.relation_types,
            ):
                problems.append(f"{key}: {text!r} is no entity or relation type")
            elif key in ID_KEYS and ":" in text and text.split(":", 1)[0] not in schema.entity_types:
                problems.append(f"{key}: {text!r} has no entity type as its prefix")
    return problems


@pytest.mark.parametrize("name", Queries(ROOT / "cypher").names())
def test_the_example_params_of_a_cypher_file_name_only_the_seed_schemas_types(
    session_db: Database, queries: Queries, name: str
) -> None:
    literal = queries.example_params_map(name)
    params = session_db.read(cast(LiteralString, f"RETURN {literal} AS params"))[0]["params"]
    assert schema_problems(params, SEEDS) == []


def test_a_header_naming_a_type_outside_the_schema_is_caught() -> None:
    params = {
        "type_order": ["paper", "concept"],
        "types": ["galaxy"],
        "rows": [{"label": "Galaxy", "rel_type": "ORBITS", "source": "star:sun"}],
    }
    assert len(schema_problems(params, SEEDS)) == 5
