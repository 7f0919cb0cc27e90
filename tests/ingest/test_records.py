"""The record format: ids, types and fields (no database needed)."""

import pytest
from pydantic import ValidationError

from core.schema import Schema
from ingest.records import EntityRecord, Relation, RelationRecord, schema_context, slugify

SCHEMA = Schema(entity_types=("paper", "thinker", "concept"), relation_types=("extends", "cites"))
CONTEXT = schema_context(SCHEMA)


def test_id_is_derived_from_type_and_name_when_absent() -> None:
    entity = EntityRecord(type="concept", name="Sycophancy in LLMs")
    assert entity.id == "concept:sycophancy-in-llms"


def test_slug_folds_accents_and_punctuation_into_single_hyphens() -> None:
    assert slugify("  Sören Mindermann -- (2024)! ") == "soren-mindermann-2024"


def test_id_prefix_must_equal_type() -> None:
    with pytest.raises(ValidationError, match="prefix 'thinker' must equal the type 'concept'"):
        EntityRecord(id="thinker:x", type="concept", name="X")


@pytest.mark.parametrize(
    "bad_id",
    [
        "concept:Upper",
        "concept:a--b",
        "concept:",
        "concept",
        "a b:c",
        "concept:x}) DETACH DELETE n //",
        "concept:x\n",  # `$` would match before a final newline
    ],
)
def test_malformed_ids_are_refused(bad_id: str) -> None:
    with pytest.raises(ValidationError, match="is not an id of the form"):
        EntityRecord(id=bad_id, type="concept", name="X")


def test_an_unknown_entity_type_suggests_the_closest_and_lists_the_graphs_types() -> None:
    with pytest.raises(ValidationError) as raised:
        EntityRecord.model_validate({"type": "conecpt", "name": "X"}, context=CONTEXT)
    assert (
        "unknown entity type 'conecpt' (did you mean 'concept'?); "
        "this graph's entity types: paper, thinker, concept"
    ) in str(raised.value)


def test_an_entity_type_far_from_every_type_gets_no_suggestion() -> None:
    with pytest.raises(ValidationError) as raised:
        EntityRecord.model_validate({"type": "galaxy", "name": "X"}, context=CONTEXT)
    assert "unknown entity type 'galaxy'; this graph's entity types:" in str(raised.value)


def test_without_a_schema_a_record_is_checked_for_its_shape_only() -> None:
    assert EntityRecord(type="galaxy", name="Andromeda").entity_id == "galaxy:andromeda"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        EntityRecord.model_validate({"type": "concept", "name": "X", "colour": "red"})


def test_control_characters_in_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="control character"):
        EntityRecord(type="concept", name="bad\x00name")


def test_relation_type_must_be_in_the_schema() -> None:
    with pytest.raises(ValidationError, match="unknown relation type 'DETACH'"):
        RelationRecord.model_validate(
            {"source": "concept:a", "type": "DETACH", "target": "concept:b"}, context=CONTEXT
        )


def test_a_misspelt_relation_type_suggests_the_closest() -> None:
    with pytest.raises(ValidationError, match=r"unknown relation type 'extend' \(did you mean 'extends'\?\)"):
        RelationRecord.model_validate(
            {"source": "concept:a", "type": "extend", "target": "concept:b"}, context=CONTEXT
        )


def test_self_loops_are_refused() -> None:
    with pytest.raises(ValidationError, match="cannot join 'concept:a' to itself"):
        RelationRecord.model_validate(
            {"source": "concept:a", "type": "extends", "target": "concept:a"}, context=CONTEXT
        )


def test_a_validated_relation_is_held_with_every_field_of_its_record() -> None:
    """The ingest keeps relations as compact tuples: a field added to the record but not to the
    tuple would be dropped silently."""
    record = RelationRecord(
        source="concept:a", type="extends", target="concept:b", description="why", source_ref="paper:c"
    )
    held = Relation.of(record)
    assert set(Relation._fields) == set(RelationRecord.model_fields) - {"kind"}
    assert held._asdict() == record.model_dump(exclude={"kind"})
    assert held.key == record.key
