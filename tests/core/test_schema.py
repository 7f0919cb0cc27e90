"""Schema names (core/schema.py): how a type of the files becomes a Neo4j label, a relationship
type and a page heading, and which schema files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.schema import Schema, load_schema, type_heading


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


def test_every_type_of_the_shipped_schema_has_a_distinct_label_and_heading() -> None:
    schema = load_schema()
    labels = [schema.label(t) for t in schema.entity_types]
    headings = [type_heading(t) for t in schema.entity_types]
    assert len(set(labels)) == len(labels) == len(set(headings))
    rel_types = [schema.rel_type(t) for t in schema.relation_types]
    assert len(set(rel_types)) == len(rel_types)
    assert all(schema.relation_from_neo4j(schema.rel_type(t)) == t for t in schema.relation_types)


def test_the_shipped_schema_lists_the_seed_types_in_page_order() -> None:
    schema = load_schema()
    assert schema.entity_types[:7] == (
        "paper",
        "thinker",
        "framework",
        "method",
        "concept",
        "artifact",
        "quote",
    )
    assert schema.reflexive_relation_types <= set(schema.relation_types)


def write_schema(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(text)
    return path


def test_a_schema_file_is_read_in_its_order(tmp_path: Path) -> None:
    path = write_schema(
        tmp_path,
        "entity_types: [thinker, paper]\nrelation_types: [cites, similar_to]\n"
        "reflexive_relation_types: [similar_to]\n",
    )
    schema = load_schema(path)
    assert schema.entity_types == ("thinker", "paper")
    assert schema.relation_types == ("cites", "similar_to")
    assert schema.reflexive_relation_types == frozenset({"similar_to"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entity_types: [Concept]\nrelation_types: [cites]\n", "'Concept' is not lowercase snake_case"),
        ("entity_types: [concept]\nrelation_types: [has-part]\n", "'has-part' is not lowercase snake_case"),
        ("entity_types: [concept, 7]\nrelation_types: [cites]\n", "7 is not lowercase snake_case"),
        ("entity_types: [concept, concept]\nrelation_types: [cites]\n", "entity type is listed twice"),
        ("entity_types: [concept]\nrelation_types: [cites, cites]\n", "relation type is listed twice"),
        (
            "entity_types: [concept]\nrelation_types: [cites]\nreflexive_relation_types: [extends]\n",
            r"names unknown types \['extends'\]",
        ),
    ],
)
def test_a_malformed_schema_file_is_refused_naming_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_schema(write_schema(tmp_path, text))
