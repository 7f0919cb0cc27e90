"""The type schema: which entity and relation types exist, their Neo4j names and display order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

SCHEMA_FILE = Path(__file__).with_name("schema.yaml")


@dataclass(frozen=True)
class Schema:
    entity_types: tuple[str, ...]  # in display order
    relation_types: tuple[str, ...]
    reflexive_relation_types: frozenset[str] = frozenset()  # may join an entity to itself

    def label(self, entity_type: str) -> str:
        """`research_area` -> `ResearchArea`: the Neo4j label of an entity type."""
        return "".join(part.capitalize() for part in entity_type.split("_"))

    def rel_type(self, relation_type: str) -> str:
        """`associated_with` -> `ASSOCIATED_WITH`: the Neo4j relationship type."""
        return relation_type.upper()

    def relation_from_neo4j(self, neo4j_type: str) -> str:
        return neo4j_type.lower()


def type_heading(entity_type: str) -> str:
    """'paper' -> 'Papers', 'research_query' -> 'Research Queries': a group's heading on a page."""
    words = entity_type.replace("_", " ").title()
    if words.endswith("y") and not words.endswith(("ay", "ey", "oy")):
        return words[:-1] + "ies"
    return words + ("es" if words.endswith(("s", "x", "ch", "sh")) else "s")


@cache
def load_schema(path: Path = SCHEMA_FILE) -> Schema:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entity_types = tuple(raw["entity_types"])
    relation_types = tuple(raw["relation_types"])
    reflexive = frozenset(raw.get("reflexive_relation_types") or ())
    for name in (*entity_types, *relation_types):
        if not isinstance(name, str) or not name.replace("_", "").isalpha() or not name.islower():
            raise ValueError(f"{path}: type {name!r} is not lowercase snake_case")
    for kinds, names in (("entity", entity_types), ("relation", relation_types)):
        if len(set(names)) != len(names):
            raise ValueError(f"{path}: an {kinds} type is listed twice")
    if unknown := reflexive - set(relation_types):
        raise ValueError(f"{path}: reflexive_relation_types names unknown types {sorted(unknown)}")
    return Schema(entity_types, relation_types, reflexive)
