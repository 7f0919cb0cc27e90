"""Schema names and schema files (core/schema.py): how a type becomes a Neo4j label, a relationship
type and a page heading; how a schema.yaml is read, and which are refused (naming line and field)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.schema import Schema, SchemaError, read_schema_file, type_heading

SEED_SCHEMA = Path(__file__).resolve().parents[2] / "seeds" / "schema.yaml"


@pytest.fixture
def schema() -> Schema:
    return Schema(entity_types=("concept", "research_area"), relation_types=("associated_with",))


@pytest.mark.parametrize(
    ("entity_type", "label"),
    [("concept", "Concept"), ("research_area", "ResearchArea"), ("a_b_c", "ABC")],
)
def test_an_entity_type_becomes_a_pascal_case_label(schema: Schema, entity_type: str, label: str) -> None:
    assert schema.label(entity_type) == label


@pytest.mark.parametrize(
    ("relation_type", "neo4j_type"),
    [("associated_with", "ASSOCIATED_WITH"), ("cites", "CITES"), ("instance_hypernym", "INSTANCE_HYPERNYM")],
)
def test_a_relation_type_becomes_upper_snake_case_and_back(
    schema: Schema, relation_type: str, neo4j_type: str
) -> None:
    assert schema.rel_type(relation_type) == neo4j_type
    assert schema.relation_from_neo4j(neo4j_type) == relation_type


@pytest.mark.parametrize(
    ("entity_type", "heading"),
    [
        ("paper", "Papers"),
        ("thinker", "Thinkers"),
        ("method", "Methods"),
        ("quote", "Quotes"),
        ("research_query", "Research Queries"),
        ("ontology", "Ontologies"),
        ("survey", "Surveys"),  # -ay, -ey, -oy keep their y
        ("journey", "Journeys"),
        ("toy", "Toys"),
        ("class", "Classes"),
        ("box", "Boxes"),
        ("approach", "Approaches"),
        ("dish", "Dishes"),
        ("organization", "Organizations"),
    ],
)
def test_a_group_heading_is_the_type_title_cased_in_the_plural(entity_type: str, heading: str) -> None:
    assert type_heading(entity_type) == heading


def test_every_type_of_the_seed_schema_has_a_distinct_label_and_heading() -> None:
    schema = read_schema_file(SEED_SCHEMA)
    labels = [schema.label(t) for t in schema.entity_types]
    headings = [type_heading(t) for t in schema.entity_types]
    assert len(set(labels)) == len(labels) == len(set(headings))
    rel_types = [schema.rel_type(t) for t in schema.relation_types]
    assert len(set(rel_types)) == len(rel_types)
    assert all(schema.relation_from_neo4j(schema.rel_type(t)) == t for t in schema.relation_types)


def test_the_seed_schema_lists_its_types_in_page_order_with_descriptions() -> None:
    schema = read_schema_file(SEED_SCHEMA)
    assert schema.entity_types == (
        "paper", "thinker", "framework", "method", "concept", "artifact",
        "quote", "claim", "question", "organization", "model",
    )  # fmt: skip
    assert "synset" not in schema.entity_types and "airline_hub" not in schema.relation_types
    assert schema.relation_descriptions["authored"] == "thinker -> paper"
    assert set(schema.entity_descriptions) == set(schema.entity_types)


def write_schema(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(text)
    return path


def test_a_schema_file_is_read_in_its_order_with_optional_descriptions(tmp_path: Path) -> None:
    path = write_schema(
        tmp_path,
        "entity_types:\n  - thinker: A person who thinks\n  - paper\n"
        "relation_types: [cites, {similar_to: Alike in meaning}]\n"
        "reflexive_relation_types: [similar_to]\n",
    )
    schema = read_schema_file(path)
    assert schema.entity_types == ("thinker", "paper")
    assert schema.relation_types == ("cites", "similar_to")
    assert schema.reflexive_relation_types == frozenset({"similar_to"})
    assert schema.entity_descriptions == {"thinker": "A person who thinks"}
    assert schema.relation_descriptions == {"similar_to": "Alike in meaning"}


def test_a_schema_survives_the_round_trip_through_node_properties(tmp_path: Path) -> None:
    schema = read_schema_file(SEED_SCHEMA)
    assert Schema.from_parameters(schema.as_parameters()) == schema


def test_extending_a_schema_keeps_its_order_and_appends_the_new_types() -> None:
    graph = Schema(("paper", "concept"), ("cites",), entity_descriptions={"paper": "ours"})
    dataset = Schema(("synset", "paper"), ("hypernym", "cites"), frozenset({"hypernym"}), {"paper": "theirs"})
    extended = graph.extended_with(dataset)
    assert extended.entity_types == ("paper", "concept", "synset")
    assert extended.relation_types == ("cites", "hypernym")
    assert extended.reflexive_relation_types == frozenset({"hypernym"})
    assert extended.entity_descriptions == {"paper": "ours"}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("entity_types: [Concept]\nrelation_types: [cites]\n", ":1: field 'entity_types'",
         "type 'Concept' is not lowercase snake_case"),
        ("entity_types: [concept]\nrelation_types:\n  - cites\n  - has-part\n", ":4: field 'relation_types'",
         "type 'has-part' is not lowercase snake_case"),
        ("entity_types: [concept, 7]\nrelation_types: [cites]\n", ":1: field 'entity_types'",
         "type '7' is not lowercase snake_case"),
        ("entity_types:\n  - concept\n  - concept\nrelation_types: [cites]\n", ":3: field 'entity_types'",
         "'concept' is listed twice"),
        ("entity_types: [concept]\nrelation_types: [cites, cites]\n", ":2: field 'relation_types'",
         "'cites' is listed twice"),
        ("entity_types: [concept]\nrelation_types: [cites]\nreflexive_relation_types: [cite]\n",
         ":3: field 'reflexive_relation_types'", "unknown relation type 'cite' (did you mean 'cites'?)"),
        ("entity_types: [concept]\nrelation_type: [cites]\n", ":2: field 'relation_type'",
         "unknown field 'relation_type' (did you mean 'relation_types'?); allowed: entity_types,"),
        ("relation_types: [cites]\n", ":1: field 'entity_types'", "missing"),
        ("entity_types: [entity]\nrelation_types: [cites]\n", ":1: field 'entity_types'",
         "'entity' would take Atlas's own label Entity"),
        ("entity_types: [concept]\nrelation_types:\n  - cites: |\n      two\n      lines\n",
         ":3: field 'relation_types'", "the description of 'cites' must be one line"),
        ("entity_types: concept\nrelation_types: [cites]\n", ":1: field 'entity_types'",
         "expected a list of type names"),
        ("entity_types: [concept\n", ":2", "invalid YAML"),
        ("- concept\n", ":1", "expected a mapping with entity_types and relation_types"),
    ],
)  # fmt: skip
def test_a_malformed_schema_file_is_refused_naming_line_field_and_problem(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = write_schema(tmp_path, text)
    with pytest.raises(SchemaError) as raised:
        read_schema_file(path)
    assert f"{path}{where}: {message}" in str(raised.value)
