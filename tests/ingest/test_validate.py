"""Validation before any write (ingest/validate.py): every record parsed, duplicates and dangling
endpoints found, each problem at its file, line and field. The database is only asked which ids
it holds, here a plain function."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.schema import Schema
from ingest.problems import Location
from ingest.readers import RawRecord
from ingest.records import EntityRecord, Relation, RelationRecord
from ingest.validate import PlainRelations, parse_record, validate

FILE = Path("graph.jsonl")
SCHEMA = Schema(
    entity_types=("concept", "paper", "synset"),
    relation_types=("extends", "hypernym", "derivationally_related_form"),
    reflexive_relation_types=frozenset({"derivationally_related_form"}),
)


def raw(*records: dict[str, Any]) -> list[RawRecord]:
    return [RawRecord(Location(FILE, line), data) for line, data in enumerate(records, start=1)]


def entity(name: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "entity", "type": "concept", "name": name, **fields}


def relation(source: str, target: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "relation", "source": source, "type": "extends", "target": target, **fields}


def nothing_stored(ids: Iterable[str]) -> set[str]:
    return set()


class Stored:
    """The ids 'the database' holds; remembers what it was asked."""

    def __init__(self, *ids: str) -> None:
        self.ids = set(ids)
        self.asked: set[str] = set()

    def __call__(self, ids: Iterable[str]) -> set[str]:
        wanted = set(ids)
        self.asked |= wanted
        return wanted & self.ids


def test_a_valid_input_gives_its_entities_and_relations_and_no_problem() -> None:
    valid, problems = validate(
        raw(entity("A"), entity("B"), relation("concept:a", "concept:b", description="why")),
        nothing_stored,
        SCHEMA,
    )
    assert problems == []
    assert [e.entity_id for e in valid.entities] == ["concept:a", "concept:b"]
    assert valid.relations == [Relation("concept:a", "extends", "concept:b", "why", None)]


def test_an_id_defined_twice_is_a_problem_at_the_second_naming_the_first() -> None:
    valid, problems = validate(raw(entity("A"), entity("a", id="concept:a")), nothing_stored, SCHEMA)
    assert [str(p) for p in problems] == [
        "graph.jsonl:2: field 'id': 'concept:a' is defined twice (first at graph.jsonl:1)"
    ]
    assert [e.name for e in valid.entities] == ["A"]


def test_a_relation_given_twice_is_a_problem_even_with_another_description() -> None:
    _, problems = validate(
        raw(entity("A"), entity("B"), relation("concept:a", "concept:b"),
            relation("concept:a", "concept:b", description="other")),
        nothing_stored,
        SCHEMA,
    )  # fmt: skip
    assert [str(p) for p in problems] == [
        "graph.jsonl:4: duplicate relation (concept:a)-[extends]->(concept:b) (first at graph.jsonl:3)"
    ]


def test_every_later_copy_of_a_relation_names_the_first_across_files_and_later_relations_too() -> None:
    other = Path("more.jsonl")
    records = [
        *raw(entity("A"), entity("B"), entity("C"), relation("concept:a", "concept:b")),
        RawRecord(Location(other, 7), relation("concept:b", "concept:c")),
        RawRecord(Location(other, 8), relation("concept:a", "concept:b", description="again")),
        RawRecord(Location(other, 9), relation("concept:c", "concept:a")),  # kept after the lookup is made
        RawRecord(Location(other, 10), relation("concept:b", "concept:c")),
        RawRecord(Location(other, 11), relation("concept:c", "concept:a")),
    ]
    valid, problems = validate(records, nothing_stored, SCHEMA)
    assert [str(p) for p in problems] == [
        "more.jsonl:8: duplicate relation (concept:a)-[extends]->(concept:b) (first at graph.jsonl:4)",
        "more.jsonl:10: duplicate relation (concept:b)-[extends]->(concept:c) (first at more.jsonl:7)",
        "more.jsonl:11: duplicate relation (concept:c)-[extends]->(concept:a) (first at more.jsonl:9)",
    ]
    assert [(r.source, r.target) for r in valid.relations] == [
        ("concept:a", "concept:b"), ("concept:b", "concept:c"), ("concept:c", "concept:a")
    ]  # fmt: skip


def test_a_dangling_endpoint_is_reported_at_its_own_file_and_line_among_many_files() -> None:
    records = [
        *raw(entity("A"), entity("B")),
        RawRecord(Location(Path("one.jsonl"), 3), relation("concept:a", "concept:b")),
        RawRecord(Location(Path("two.jsonl"), 5), relation("concept:b", "concept:a")),
        RawRecord(Location(Path("one.jsonl"), 4), relation("concept:a", "concept:gone")),
    ]
    _, problems = validate(records, nothing_stored, SCHEMA)
    assert [str(p) for p in problems] == [
        "one.jsonl:4: field 'target': 'concept:gone' is neither in the input nor in the database"
    ]


def test_the_same_pair_in_the_other_direction_is_another_relation() -> None:
    _, problems = validate(
        raw(entity("A"), entity("B"), relation("concept:a", "concept:b"), relation("concept:b", "concept:a")),
        nothing_stored,
        SCHEMA,
    )
    assert problems == []


def test_every_endpoint_neither_in_the_input_nor_stored_is_named_with_its_field() -> None:
    _, problems = validate(
        raw(entity("A"), relation("concept:a", "concept:gone", source_ref="paper:nowhere")),
        nothing_stored,
        SCHEMA,
    )
    assert [(p.location.line, p.field, p.message) for p in problems] == [
        (2, "target", "'concept:gone' is neither in the input nor in the database"),
        (2, "source_ref", "'paper:nowhere' is neither in the input nor in the database"),
    ]


def test_endpoints_already_stored_are_accepted_and_only_ids_outside_the_input_are_looked_up() -> None:
    stored = Stored("concept:old", "paper:p")
    _, problems = validate(
        raw(entity("A"), relation("concept:a", "concept:old", source_ref="paper:p")), stored, SCHEMA
    )
    assert problems == []
    assert stored.asked == {"concept:old", "paper:p"}


def test_a_record_of_unknown_kind_is_one_problem_on_its_kind_field() -> None:
    record, problems = parse_record(raw({"kind": "node", "name": "A"})[0], SCHEMA)
    assert record is None
    assert [(p.field, p.message) for p in problems] == [
        ("kind", "must be 'entity' or 'relation', not 'node'")
    ]


def test_every_invalid_field_of_a_record_is_reported_not_just_the_first() -> None:
    record, problems = parse_record(raw(entity("", url="javascript:alert(1)", colour="red"))[0], SCHEMA)
    assert record is None
    fields = {p.field for p in problems}
    assert {"name", "url", "colour"} <= fields
    url_problem = next(p for p in problems if p.field == "url")
    assert url_problem.message.startswith("must start with http:// or https://")
    assert not any(p.message.startswith("Value error") for p in problems)


def test_an_invalid_record_does_not_hide_the_problems_of_the_others() -> None:
    _, problems = validate(raw(entity("A", status="merged"), entity("B"), relation("concept:b", "concept:x")),
                           nothing_stored, SCHEMA)  # fmt: skip
    assert [(p.location.line, p.field) for p in problems] == [(1, "status"), (3, "target")]


def test_the_records_are_read_once_so_a_generator_will_do() -> None:
    def records() -> Iterator[RawRecord]:
        yield from raw(entity("A"), entity("B"), relation("concept:a", "concept:b"))

    valid, problems = validate(records(), nothing_stored, SCHEMA)
    assert problems == [] and len(valid.entities) == 2 and len(valid.relations) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "日本"}, "id", "cannot be derived from the name"),
        ({"aliases": ["ok", "bad\x07"]}, "aliases", "control character"),
        ({"properties": {"k\x01": 1}}, "properties", "control character"),
        ({"properties": {"score": float("nan")}}, "properties.score.float", "finite number"),
        ({"url": "data:text/html,x"}, "url", "must start with http:// or https://"),
        ({"aliases": ["x" * 501]}, "aliases.0", "at most 500 characters"),
    ],
)
def test_an_entity_field_breaking_a_rule_is_named_in_the_problem(
    fields: dict[str, Any], field: str, message: str
) -> None:
    _, problems = parse_record(raw({"kind": "entity", "type": "concept", "name": "A", **fields})[0], SCHEMA)
    assert any(p.field == field and message in p.message for p in problems), [str(p) for p in problems]


def test_a_self_loop_is_allowed_only_for_a_reflexive_relation_type() -> None:
    loop = {"kind": "relation", "source": "synset:x", "target": "synset:x"}
    allowed, problems = parse_record(raw({**loop, "type": "derivationally_related_form"})[0], SCHEMA)
    assert problems == [] and allowed is not None
    _, problems = parse_record(raw({**loop, "type": "hypernym"})[0], SCHEMA)
    assert [p.message for p in problems] == ["a relation cannot join 'synset:x' to itself"]


def test_an_entity_record_keeps_what_was_given_and_defaults_the_rest() -> None:
    record, _ = parse_record(raw(entity("Mesa-Optimization", aliases=["inner optimizer"]))[0], SCHEMA)
    assert isinstance(record, EntityRecord)
    assert (record.entity_id, record.status, record.description) == (
        "concept:mesa-optimization",
        "active",
        "",
    )
    assert record.aliases == ["inner optimizer"] and record.properties == {} and record.url is None


def test_validation_pauses_the_cycle_collector_and_leaves_it_as_it_found_it() -> None:
    seen: list[bool] = []

    def records() -> Iterator[RawRecord]:
        for record in raw(entity("A"), entity("B"), relation("concept:a", "concept:b")):
            seen.append(gc.isenabled())
            yield record

    assert gc.isenabled()
    validate(records(), nothing_stored, SCHEMA)
    assert seen == [False, False, False] and gc.isenabled()
    with pytest.raises(RuntimeError):  # even when reading the records fails half way
        validate(failing_after(records(), 1), nothing_stored, SCHEMA)
    assert gc.isenabled()
    gc.disable()
    try:
        validate(raw(entity("A")), nothing_stored, SCHEMA)
        assert not gc.isenabled()  # one that was off stays off
    finally:
        gc.enable()


def failing_after(records: Iterator[RawRecord], count: int) -> Iterator[RawRecord]:
    for number, record in enumerate(records):
        if number == count:
            raise RuntimeError("the file went away")
        yield record


# The plain-relation fast path (PlainRelations) may only ever accept what RelationRecord accepts,
# and must give the very tuple the model gives. Records are drawn mostly valid, each field now and
# then at one of the edges the model checks, so that single faults are drawn often.
_good_ids = st.sampled_from(["concept:a", "concept:b", "synset:x-1"])
_odd_values = st.sampled_from(
    ["concept:a\n", "Concept:a", "concept:", "concept:a--b", "", "cites", None, 1, 1.5, True, ["concept:a"]]
)
_good_types = st.sampled_from(["extends", "hypernym", "derivationally_related_form"])
_odd_descriptions = st.sampled_from(
    ["bell\x07", "nul\x00", "del\x7f", "surrogate\ud800", "x" * 20_001, None, 3]
) | st.text(max_size=20)
_good_descriptions = st.sampled_from(["", "why", "tab\tand\nnewline", "x" * 20_000])


def _mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, good, odd)


relation_data = st.fixed_dictionaries(
    {
        "kind": st.just("relation"),
        "source": _mostly(_good_ids, _odd_values),
        "type": _mostly(_good_types, _odd_values),
        "target": _mostly(_good_ids, _odd_values),
    },
    optional={
        "description": _mostly(_good_descriptions, _odd_descriptions),
        "source_ref": _mostly(_good_ids | st.none(), _odd_values),
        "extra": st.just(1),
    },
)


@hypothesis_settings(max_examples=2_000, deadline=None)
@given(relation_data)
def test_the_plain_relation_path_accepts_only_what_the_model_accepts_and_gives_the_same_relation(
    data: dict[str, Any],
) -> None:
    plain = PlainRelations(SCHEMA)(data)
    if plain is None:
        return
    record, problems = parse_record(RawRecord(Location(FILE, 1), data), SCHEMA)
    assert problems == []
    assert isinstance(record, RelationRecord)
    assert plain == Relation.of(record)


def test_the_plain_relation_path_takes_an_ordinary_relation_and_leaves_a_reflexive_one_to_the_model() -> None:
    plain = PlainRelations(SCHEMA)
    assert plain(relation("concept:a", "concept:b", description="why")) == Relation(
        "concept:a", "extends", "concept:b", "why", None
    )
    assert plain(relation("synset:x", "synset:x", type="derivationally_related_form")) is None
    valid, problems = validate(
        raw(
            entity("X", type="synset"),
            relation("synset:x", "synset:x", type="derivationally_related_form"),
        ),
        nothing_stored,
        SCHEMA,
    )
    assert problems == []
    assert valid.relations == [Relation("synset:x", "derivationally_related_form", "synset:x", "", None)]
