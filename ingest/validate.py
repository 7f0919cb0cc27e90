"""Check every record before anything is written: fields, duplicates, and relation endpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from ingest.problems import Location, Problem
from ingest.readers import RawRecord
from ingest.records import EntityRecord, Relation, RelationRecord

# Given ids, returns those the database already holds (relations may point at them).
ExistingIds = Callable[[Iterable[str]], set[str]]


@dataclass
class ValidInput:
    entities: list[EntityRecord] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def parse_record(raw: RawRecord) -> tuple[EntityRecord | RelationRecord | None, list[Problem]]:
    kind = raw.data.get("kind")
    model: type[EntityRecord] | type[RelationRecord]
    if kind == "entity":
        model = EntityRecord
    elif kind == "relation":
        model = RelationRecord
    else:
        return None, [Problem(raw.location, "kind", f"must be 'entity' or 'relation', not {kind!r}")]
    try:
        return model.model_validate(raw.data), []
    except ValidationError as error:
        return None, [_problem(raw.location, detail) for detail in error.errors()]


def _problem(location: Location, detail: object) -> Problem:
    assert isinstance(detail, dict)
    field_name = ".".join(str(part) for part in detail.get("loc", ())) or None
    message = str(detail.get("msg", "invalid")).removeprefix("Value error, ")
    return Problem(location, field_name, message)


def validate(raw_records: Iterable[RawRecord], existing_ids: ExistingIds) -> tuple[ValidInput, list[Problem]]:
    """Parse and cross-check all records; the problems list is empty when the input is valid.
    Reads `raw_records` once: a generator's records are dropped as soon as they are parsed."""
    problems: list[Problem] = []
    valid = ValidInput()
    entity_at: dict[str, Location] = {}
    relation_at: dict[tuple[str, str, str], Location] = {}
    relation_locations: list[Location] = []
    for raw in raw_records:
        record, record_problems = parse_record(raw)
        problems.extend(record_problems)
        if isinstance(record, EntityRecord):
            if (first := entity_at.get(record.entity_id)) is not None:
                problems.append(
                    Problem(
                        raw.location,
                        "id",
                        f"{record.entity_id!r} is defined twice (first at {first})",
                    )
                )
                continue
            entity_at[record.entity_id] = raw.location
            valid.entities.append(record)
        elif isinstance(record, RelationRecord):
            if (first := relation_at.get(record.key)) is not None:
                problems.append(
                    Problem(
                        raw.location,
                        None,
                        f"duplicate relation {_describe(record)} (first at {first})",
                    )
                )
                continue
            relation_at[record.key] = raw.location
            valid.relations.append(Relation.of(record))
            relation_locations.append(raw.location)
    problems.extend(_dangling_endpoints(valid.relations, relation_locations, entity_at, existing_ids))
    return valid, problems


def _dangling_endpoints(
    relations: list[Relation],
    locations: list[Location],
    entity_at: dict[str, Location],
    existing_ids: ExistingIds,
) -> list[Problem]:
    referenced = {ref for r in relations for ref in (r.source, r.target, r.source_ref) if ref}
    known = set(entity_at) | existing_ids(referenced - set(entity_at))
    problems = []
    for relation, location in zip(relations, locations, strict=True):
        for field_name in ("source", "target", "source_ref"):
            ref = getattr(relation, field_name)
            if ref is not None and ref not in known:
                problems.append(
                    Problem(location, field_name, f"{ref!r} is neither in the input nor in the database")
                )
    return problems


def _describe(relation: RelationRecord | Relation) -> str:
    return f"({relation.source})-[{relation.type}]->({relation.target})"
