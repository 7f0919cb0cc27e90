"""Property-based tests (hypothesis) of the record format, the id/slug rules and the readers: for any
input, a record or a precise problem, never a crash; and valid records survive a JSON Lines round trip."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.schema import read_schema_file
from ingest.problems import Location
from ingest.readers import RawRecord, read_file
from ingest.records import (
    ID_RE,
    SLUG_PATTERN,
    Entity,
    EntityRecord,
    RelationRecord,
    schema_context,
    slugify,
)
from ingest.sources import wn18rr
from ingest.validate import parse_record, validate

# The seed graph's types and WordNet's (whose derivationally_related_form may be a self-loop).
SCHEMA = read_schema_file(Path(__file__).resolve().parents[2] / "seeds" / "schema.yaml").extended_with(
    wn18rr.SCHEMA
)
ENTITY_TYPES = list(SCHEMA.entity_types)
RELATION_TYPES = list(SCHEMA.relation_types)
FIELDS = ["kind", "type", "id", "name", "description", "status", "aliases", "url", "properties"]
FIELDS += ["source", "target", "source_ref", "extra"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
slugs = st.from_regex(rf"\A{SLUG_PATTERN}\Z")
ids = st.builds(lambda t, s: f"{t}:{s}", st.sampled_from(ENTITY_TYPES), slugs)
clean_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n"), min_size=1, max_size=80
)


@given(st.text())
def test_a_slug_is_empty_or_lowercase_words_joined_by_single_hyphens(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or ID_RE.match(f"concept:{slug}")


@given(st.text())
def test_slugify_is_idempotent(text: str) -> None:
    assert slugify(slugify(text)) == slugify(text)


@given(slugs)
def test_a_valid_slug_is_its_own_slug(slug: str) -> None:
    assert slugify(slug) == slug


@given(st.sampled_from(ENTITY_TYPES), clean_text)
def test_an_id_derived_from_a_name_is_type_colon_slug_of_the_name(entity_type: str, name: str) -> None:
    slug = slugify(name)
    if not slug:
        with pytest.raises(ValidationError, match="cannot be derived from the name"):
            EntityRecord(type=entity_type, name=name)
        return
    record = EntityRecord(type=entity_type, name=name)
    assert record.entity_id == f"{entity_type}:{slug}"


@given(ids, st.sampled_from(ENTITY_TYPES))
def test_an_id_is_accepted_exactly_when_its_prefix_is_the_type(entity_id: str, entity_type: str) -> None:
    if entity_id.split(":", 1)[0] == entity_type:
        assert EntityRecord(id=entity_id, type=entity_type, name="N").entity_id == entity_id
    else:
        with pytest.raises(ValidationError, match="must equal the type"):
            EntityRecord(id=entity_id, type=entity_type, name="N")


@given(st.text(max_size=60))
def test_an_arbitrary_id_string_is_accepted_only_if_it_has_the_id_form(text: str) -> None:
    entity_type = text.split(":", 1)[0] if ":" in text else "concept"
    if entity_type not in ENTITY_TYPES:
        entity_type = "concept"
    try:
        record = EntityRecord(id=text, type=entity_type, name="N")
    except ValidationError:
        assert not ID_RE.match(text) or not text.startswith(f"{entity_type}:")
    else:
        assert ID_RE.match(record.entity_id)


@given(ids, st.sampled_from(RELATION_TYPES), ids)
def test_a_relation_between_valid_ids_is_keyed_by_source_type_target(
    source: str, rel: str, target: str
) -> None:
    # A reflexive type (WordNet's derivationally_related_form) may join an entity to itself.
    data, context = {"source": source, "type": rel, "target": target}, schema_context(SCHEMA)
    if source == target and rel not in SCHEMA.reflexive_relation_types:
        with pytest.raises(ValidationError, match="to itself"):
            RelationRecord.model_validate(data, context=context)
        return
    assert RelationRecord.model_validate(data, context=context).key == (source, rel, target)


@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))
def test_any_json_object_parses_to_a_record_or_to_located_problems(data: dict[str, Any]) -> None:
    location = Location(Path("f.jsonl"), 3)
    for kind in ("entity", "relation", data.get("kind")):
        record, problems = parse_record(RawRecord(location, {**data, "kind": kind}), SCHEMA)
        assert (record is None) == bool(problems)
        assert all(p.location == location and p.message for p in problems)


entities = st.builds(
    EntityRecord,
    type=st.sampled_from(ENTITY_TYPES),
    name=clean_text.filter(lambda name: slugify(name) != ""),
    description=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=200),
    status=st.sampled_from(["active", "draft", "deprecated"]),
    aliases=st.lists(clean_text, max_size=5),
    url=st.none() | st.builds(lambda s: f"https://example.org/{s}", slugs),
    properties=st.dictionaries(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10),
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | clean_text,
        max_size=4,
    ),
)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entities, max_size=10, unique_by=lambda e: e.entity_id))
def test_valid_entities_survive_a_json_lines_round_trip(records: list[EntityRecord]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.jsonl"
        path.write_text(
            "".join(json.dumps(r.model_dump(exclude_none=True), ensure_ascii=False) + "\n" for r in records),
            encoding="utf-8",
        )
        raw, problems = read_file(path)
        assert problems == []
        assert [r.location.line for r in raw] == list(range(1, len(records) + 1))
        valid, invalid = validate(raw, lambda ids: set(), SCHEMA)
        assert invalid == []
        assert valid.entities == [Entity.of(record) for record in records]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["g.jsonl", "g.yaml", "entities.csv", "relations.csv"]), st.binary(max_size=400))
def test_arbitrary_bytes_give_records_or_located_problems_never_a_crash(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        raw, problems = read_file(path)
        assert all(p.location.path == path and p.message for p in problems)
        _, invalid = validate(raw, lambda ids: set(), SCHEMA)
        assert all(p.location.path == path and p.location.line >= 1 for p in invalid)


yaml_fragments = st.lists(
    st.sampled_from(
        [
            "- ",
            "  ",
            "{",
            "}",
            "[",
            "]",
            ": ",
            ", ",
            "\n",
            "&a ",
            "*a ",
            "!!str ",
            "!!python/name:os.system ",
            "kind",
            "entity",
            "type",
            "concept",
            "name",
            "'",
            '"',
            "#",
            "|",
            ">",
            "? ",
            "entities",
            "relations",
            "%",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200)
@given(yaml_fragments)
def test_yaml_like_text_gives_records_or_located_problems_never_a_crash(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.yaml"
        path.write_text(text)
        raw, problems = read_file(path)
        assert all(p.location.path == path and p.message for p in problems)
        validate(raw, lambda ids: set(), SCHEMA)
