"""Check every record before anything is written: fields, duplicates, and relation endpoints."""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.schema import Schema, closest
from ingest.problems import Location, Problem
from ingest.readers import RawRecord
from ingest.records import (
    CONTROL_RE,
    ID_RE,
    MAX_DESCRIPTION,
    Entity,
    EntityRecord,
    Relation,
    RelationRecord,
    schema_context,
    slugify,
)

# Given ids, returns those the database already holds (relations may point at them).
ExistingIds = Callable[[Iterable[str]], set[str]]


@dataclass
class ValidInput:
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def parse_record(
    raw: RawRecord, schema: Schema, context: dict[str, Schema] | None = None
) -> tuple[EntityRecord | RelationRecord | None, list[Problem]]:
    """The record, or the problems that stop it, its types checked against the graph's `schema`
    (`context`: `schema_context(schema)`, made once by a caller parsing many records)."""
    kind = raw.data.get("kind")
    model: type[EntityRecord] | type[RelationRecord]
    if kind == "entity":
        model = EntityRecord
    elif kind == "relation":
        model = RelationRecord
    else:
        return None, [Problem(raw.location, "kind", f"must be 'entity' or 'relation', not {kind!r}")]
    try:
        return model.model_validate(raw.data, context=context or schema_context(schema)), []
    except ValidationError as error:
        return None, [_problem(raw.location, detail, model) for detail in error.errors()]


RELATION_FIELDS = frozenset(RelationRecord.model_fields)


class PlainRelations:
    """Recognises a relation record that is plainly valid, without building its pydantic model:
    exactly `str` ends of the id form, a known type, a clean description, no self-loop. That is
    the shape of nearly every relation of a large input, and the model costs 2.8x as much
    (docs/performance.md, Validation). It only ever accepts: whatever it is not sure of goes to
    `RelationRecord`, which stays the one definition of a valid relation and the one source of
    error messages (tests/ingest/test_validate.py checks that the two agree)."""

    def __init__(self, schema: Schema) -> None:
        self.types = frozenset(schema.relation_types)

    def __call__(self, data: dict[str, Any]) -> Relation | None:
        source, target = data.get("source"), data.get("target")
        relation_type, description = data.get("type"), data.get("description", "")
        source_ref = data.get("source_ref")
        if not (
            type(source) is str
            and type(target) is str
            and type(relation_type) is str
            and type(description) is str
            and source != target  # a self-loop's schema rule: the model's to apply
            and relation_type in self.types
            and data.keys() <= RELATION_FIELDS
            and ID_RE.match(source)
            and ID_RE.match(target)
            and len(description) <= MAX_DESCRIPTION
            and not CONTROL_RE.search(description)
            and (source_ref is None or (type(source_ref) is str and ID_RE.match(source_ref)))
        ):
            return None
        return Relation(source, relation_type, target, description, source_ref)


def _problem(location: Location, detail: Any, model: type[BaseModel]) -> Problem:
    field_name = ".".join(str(part) for part in detail.get("loc", ())) or None
    if detail.get("type") == "extra_forbidden" and field_name is not None:
        return Problem(location, field_name, unknown_field_message(field_name, list(model.model_fields)))
    message = str(detail.get("msg", "invalid")).removeprefix("Value error, ")
    return Problem(location, field_name, message)


def unknown_field_message(name: str, allowed: list[str]) -> str:
    """ "unknown field 'yaer' (did you mean 'year'?); allowed: ...", in the words of the format."""
    guess = closest(name, allowed)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    return f"unknown field {name!r}{hint}; allowed: {', '.join(allowed)}"


def intended_id(data: dict[str, Any]) -> str | None:
    """The id a record that failed validation meant to define: given, or derived from type and
    name as a valid record's would be. Relations to it are then told where it was rejected."""
    given = data.get("id")
    if isinstance(given, str) and given:
        return given
    entity_type, name = data.get("type"), data.get("name")
    if isinstance(entity_type, str) and isinstance(name, str) and (slug := slugify(name)):
        return f"{entity_type}:{slug}"
    return None


def validate(
    raw_records: Iterable[RawRecord], existing_ids: ExistingIds, schema: Schema
) -> tuple[ValidInput, list[Problem]]:
    """Parse and cross-check all records against the graph's `schema`; the problems list is empty
    when the input is valid. Reads `raw_records` once: a generator's records are dropped as soon
    as they are parsed."""
    with cycle_collection_paused():
        return _validate(raw_records, existing_ids, schema)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while millions of records are parsed and kept: they make no
    garbage cycles, and every full collection scans everything kept so far (docs/performance.md,
    Validation: 6M records validated 1.35x faster without it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _validate(
    raw_records: Iterable[RawRecord], existing_ids: ExistingIds, schema: Schema
) -> tuple[ValidInput, list[Problem]]:
    problems: list[Problem] = []
    valid = ValidInput()
    entity_at: dict[str, Location] = {}
    rejected_at: dict[str, Location] = {}  # ids of entity records refused above
    relations = KeptRelations(valid.relations)
    context = schema_context(schema)
    plain_relation = PlainRelations(schema)
    for raw in raw_records:
        data = raw.data
        relation = plain_relation(data) if data.get("kind") == "relation" else None
        if relation is None:
            record, record_problems = parse_record(raw, schema, context)
            problems.extend(record_problems)
            if isinstance(record, EntityRecord):
                _keep_entity(record, raw.location, entity_at, valid, problems)
                continue
            if record is None:
                if data.get("kind") == "entity" and (meant := intended_id(data)):
                    rejected_at.setdefault(meant, raw.location)
                continue
            relation = Relation.of(record)
        key = relation.key
        if (first := relations.first_at(key)) is not None:
            problems.append(
                Problem(raw.location, None, f"duplicate relation {_describe(relation)} (first at {first})")
            )
            continue
        relations.keep(relation, key, raw.location)
    problems.extend(
        _dangling_endpoints(valid.relations, relations.locations, entity_at, rejected_at, existing_ids)
    )
    return valid, problems


class KeptRelations:
    """The relations kept so far, with where each was read, and which (source, type, target) keys
    they hold. Millions are kept until validation ends, so a location takes 12 bytes in two
    arrays rather than an object (~80 bytes), and the keys a set: where a duplicate's first
    occurrence was is looked up only once a duplicate turns up."""

    def __init__(self, relations: list[Relation]) -> None:
        self.relations = relations
        self.locations = CompactLocations()
        self._keys: set[tuple[str, str, str]] = set()
        self._first: dict[tuple[str, str, str], int] | None = None  # made at the first duplicate

    def first_at(self, key: tuple[str, str, str]) -> Location | None:
        """Where a relation of this key was kept, if one was."""
        if key not in self._keys:
            return None
        if self._first is None:
            self._first = {}
            for number, kept in enumerate(self.relations):
                self._first.setdefault(kept.key, number)
        return self.locations[self._first[key]]

    def keep(self, relation: Relation, key: tuple[str, str, str], location: Location) -> None:
        self._keys.add(key)
        if self._first is not None:
            self._first[key] = len(self.relations)
        self.relations.append(relation)
        self.locations.append(location)


class CompactLocations:
    """Locations as a file number and a line, in arrays: 12 bytes each."""

    def __init__(self) -> None:
        self._paths: list[Path] = []
        self._numbers: dict[Path, int] = {}
        self._files = array("I")
        self._lines = array("Q")
        self._last_path: Path | None = None
        self._last_number = 0

    def append(self, location: Location) -> None:
        path = location.path
        number = self._numbers.get(path) if path is not self._last_path else self._last_number
        if number is None:
            number = self._numbers[path] = len(self._paths)
            self._paths.append(path)
        self._last_path, self._last_number = path, number  # records come file by file
        self._files.append(number)
        self._lines.append(location.line)

    def __getitem__(self, index: int) -> Location:
        return Location(self._paths[self._files[index]], self._lines[index])

    def __iter__(self) -> Iterator[Location]:
        return map(Location, map(self._paths.__getitem__, self._files), self._lines)


def _keep_entity(
    record: EntityRecord,
    location: Location,
    entity_at: dict[str, Location],
    valid: ValidInput,
    problems: list[Problem],
) -> None:
    if (first := entity_at.get(record.entity_id)) is not None:
        problems.append(Problem(location, "id", f"{record.entity_id!r} is defined twice (first at {first})"))
        return
    entity_at[record.entity_id] = location
    valid.entities.append(Entity.of(record))


def _dangling_endpoints(
    relations: list[Relation],
    locations: Iterable[Location],
    entity_at: dict[str, Location],
    rejected_at: dict[str, Location],
    existing_ids: ExistingIds,
) -> list[Problem]:
    # Sets of millions of ids are built in C (map, itemgetter); the per-relation loop below runs
    # only when some endpoint is neither in the input nor in the database.
    referenced = set(map(itemgetter(0), relations))
    referenced.update(map(itemgetter(2), relations), map(itemgetter(4), relations))
    referenced.discard(None)  # source_ref is optional
    outside = {ref for ref in referenced if ref not in entity_at}
    unknown = outside - existing_ids(outside) if outside else set()
    if not unknown:
        return []
    problems = []
    for relation, location in zip(relations, locations, strict=True):
        for field_name in ("source", "target", "source_ref"):
            ref = getattr(relation, field_name)
            if ref in unknown:
                problems.append(Problem(location, field_name, _missing_endpoint(ref, rejected_at)))
    return problems


def _missing_endpoint(ref: str, rejected_at: dict[str, Location]) -> str:
    if (where := rejected_at.get(ref)) is not None:
        return f"{ref!r} was rejected at {where} (see the problem reported there)"
    return f"{ref!r} is neither in the input nor in the database"


def _describe(relation: RelationRecord | Relation) -> str:
    return f"({relation.source})-[{relation.type}]->({relation.target})"
