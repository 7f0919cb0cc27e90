"""`atlas ingest`: read, validate everything, then write in idempotent batches."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from core.db import Database
from core.queries import Queries
from core.schema import neo4j_label, neo4j_rel_type
from core.timing import timed
from ingest.embedding import Embedder, embedder_dimensions, embedding_hash, embedding_text
from ingest.problems import IngestError, Problem
from ingest.readers import RawRecord, SchemaFile, expand_paths, is_schema_file, read_file, read_schema_among
from ingest.records import Entity, Relation
from ingest.schema_use import GivenSchema, apply_schema, schema_to_validate
from ingest.text_index import ensure_text_index
from ingest.validate import ValidInput, validate
from ingest.vector_index import ensure_embedding_index

T = TypeVar("T")
log = logging.getLogger("atlas.ingest")

# New relations are written in larger transactions, as LOAD CSV's recipe does (10,000 rows by
# default): the short path holds little per row. The full upsert keeps batch_size.
FRESH_RELATIONS_BATCH_FACTOR = 10

# Sources whose stored relations one read brings back, to find an ingest's unchanged relations.
STORED_RELATIONS_SOURCES = 10_000

# Entities embedded, then written, per window: large enough that the model's batches sort texts of
# like length together, small enough that a million vectors are never held at once.
EMBED_WINDOW = 8192

# What the ingest does with an entity (plan_entities): flags.
WRITE, EMBED = 1, 2

# Reports progress: (stage, done, total).
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class _Tally:
    """Rows done per stage, reported as they grow."""

    progress: Progress
    totals: dict[str, int]
    done: dict[str, int] = field(default_factory=dict)

    def add(self, stage: str, count: int) -> None:
        self.done[stage] = self.done.get(stage, 0) + count
        self.progress(stage, self.done[stage], self.totals[stage])


class StoredEntity(NamedTuple):
    """What the database holds for an entity that an ingest compares against."""

    status: str | None
    content_hash: str | None
    has_embedding: bool
    embedding_hash: str | None


@dataclass
class Outcomes:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class IngestSummary:
    entities: Outcomes = field(default_factory=Outcomes)
    relations: Outcomes = field(default_factory=Outcomes)
    embeddings_computed: int = 0
    merged_kept: int = 0  # records of entities curation merged away; they stay merged
    notices: list[str] = field(default_factory=list)  # e.g. an index rebuilt with other settings
    # Wall-clock seconds per stage: validate, plan, entities, embed (the model), embedding_writes,
    # relations. Benchmarks read them to report ingest with and without the embedding step.
    seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, stage: str) -> AbstractContextManager[None]:
        return timed(self.seconds, stage)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entities": vars(self.entities),
            "relations": vars(self.relations),
            "embeddings_computed": self.embeddings_computed,
            "merged_kept": self.merged_kept,
            "notices": self.notices,
            "seconds": self.seconds,
        }


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batched_iter(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`batched` for an iterator: lists of `size`, the last shorter."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def growing_batches(items: Sequence[T], size: int, first: int = 10) -> Iterator[Sequence[T]]:
    """Batches of 10, 100, 1,000... rows up to `size`. The relation queries are replanned per batch,
    and a plan made while the store holds no relationship scans all of them for every row: the first
    batches are kept small so that such a plan only ever meets a few rows."""
    start, step = 0, min(first, size)
    while start < len(items):
        yield items[start : start + step]
        start, step = start + step, min(step * 10, size)


class Ingester:
    """Writes validated records. Idempotent: the same input twice leaves the graph identical."""

    def __init__(
        self,
        db: Database,
        queries: Queries,
        embedder: Embedder,
        batch_size: int = 1000,
        progress: Progress = _no_progress,
    ) -> None:
        self.db = db
        self.queries = queries
        self.embedder = embedder
        self.batch_size = batch_size
        self.progress = progress

    def ingest_paths(self, paths: list[Path]) -> IngestSummary:
        return self.ingest_records(*read_all(paths))

    def ingest_records(
        self, records: Iterable[RawRecord], problems: list[Problem], schema: GivenSchema = None
    ) -> IngestSummary:
        """Validate everything first; on any problem raise IngestError having written nothing.
        A `schema` given (a schema file, an importer's types) is checked against and becomes the
        graph's schema; without one the records are checked against the graph's own."""
        summary = IngestSummary()
        types = schema_to_validate(self.db, self.queries, schema, problems)
        with summary.timed("validate"):
            valid, invalid = validate(records, self.existing_ids, types)
        problems = problems + invalid
        if problems:
            raise IngestError(problems)
        apply_schema(self.db, self.queries, schema)
        self.ensure_indexes(summary)
        return self.write(valid, summary)

    def ensure_indexes(self, summary: IngestSummary | None = None) -> None:
        notices = ensure_indexes(self.db, self.queries, embedder_dimensions(self.embedder))
        if summary is not None:
            summary.notices.extend(notices)

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return set(self.stored_entities(list(ids)))

    def write(self, valid: ValidInput, summary: IngestSummary | None = None) -> IngestSummary:
        summary = summary or IngestSummary()
        with summary.timed("plan"):
            existing = self.stored_entities([entity.entity_id for entity in valid.entities])
            actions = plan_entities(valid.entities, existing, self.embedder.model_name, summary)
            new_ids = {entity.entity_id for entity in valid.entities} - existing.keys()
            del existing
        summary.embeddings_computed = self._write_entities_with_embeddings(valid.entities, actions, summary)
        with summary.timed("relations"):
            self._write_relations(valid.relations, new_ids, summary)
        return summary

    def stored_entities(self, ids: list[str]) -> dict[str, StoredEntity]:
        """What the database holds for those of `ids` it holds, to plan an ingest against."""
        found: dict[str, StoredEntity] = {}
        if not self.db.read(self.queries["holds_entities"])[0]["holds"]:
            return found  # a first import: 1.0 of WN18RR's 25.5 s went to finding nothing
        for chunk in batched(ids, 10_000):
            for record in self.db.read(self.queries["existing_entities"], ids=list(chunk)):
                found[record["id"]] = StoredEntity(*(record[key] for key in StoredEntity._fields))
        return found

    def _write_entities_with_embeddings(
        self, entities: Sequence[Entity], actions: bytearray, summary: IngestSummary
    ) -> int:
        """Entities go in windows: the window's texts are embedded first, while Neo4j is idle, and
        each entity is then written with its vector in one statement (no second pass to find the
        node). Embeddings of entities whose content is unchanged but whose vector is stale (another
        model) are set on their own. Returns how many embeddings were computed."""
        to_write = sum(1 for action in actions if action & WRITE)
        to_embed = sum(1 for action in actions if action & EMBED)
        tally = _Tally(self.progress, {"entities": to_write, "embeddings": to_embed})
        chosen = (number for number, action in enumerate(actions) if action)
        for window in batched_iter(chosen, EMBED_WINDOW):
            rows = [entity_row(entities[number]) for number in window if actions[number] & WRITE]
            items = [
                (entities[number].entity_id, embedding_text(entities[number]))
                for number in window
                if actions[number] & EMBED
            ]
            vectors = self._embed_texts(items, summary, tally)
            with summary.timed("entities"):
                for chunk in batched(rows, self.batch_size):
                    self.db.write(self.queries["upsert_entities"], rows=entity_rows(chunk, vectors))
                    tally.add("entities", len(chunk))
            written = {row["id"] for row in rows}
            stale = [[entity_id, *vectors[entity_id]] for entity_id, _ in items if entity_id not in written]
            with summary.timed("embedding_writes"):
                for stale_chunk in batched(stale, self.batch_size):
                    self.db.write(self.queries["set_embeddings"], rows=list(stale_chunk))
        return to_embed

    def planned(
        self, entities: Sequence[Entity], actions: bytearray
    ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        """Every row to write and every (id, text) to embed at once: for the bulk load, which
        writes them into one file."""
        pairs = list(zip(entities, actions, strict=True))
        rows = [entity_row(entity) for entity, action in pairs if action & WRITE]
        texts = [(entity.entity_id, embedding_text(entity)) for entity, action in pairs if action & EMBED]
        return rows, texts

    def _embed_texts(
        self, items: Sequence[tuple[str, str]], summary: IngestSummary, tally: _Tally
    ) -> dict[str, tuple[list[float], str]]:
        """Each id's vector and embedding hash. The model pads each batch to its longest text: sorted
        by length, texts of like length share batches."""
        ordered = sorted(items, key=lambda item: len(item[1]))
        with summary.timed("embed"):
            vectors = self.embedder.embed([text for _, text in ordered]) if ordered else []
        tally.add("embeddings", len(ordered))
        model = self.embedder.model_name
        return {
            entity_id: (vector, embedding_hash(text, model))
            for (entity_id, text), vector in zip(ordered, vectors, strict=True)
        }

    def _write_relations(self, relations: list[Relation], new_ids: set[str], summary: IngestSummary) -> None:
        """Relations between entities this ingest created take the short path (create_relations):
        on a first import that is every relation, and it is faster than the full upsert."""
        fresh: list[Relation] = []
        known: list[Relation] = []
        for r in relations:
            (fresh if r.source in new_ids and r.target in new_ids else known).append(r)
        done, total = 0, len(relations)
        for chunk in growing_batches(fresh, self.batch_size * FRESH_RELATIONS_BATCH_FACTOR):
            self.db.write(self.queries["create_relations"], rows=fresh_relation_rows(chunk))
            summary.relations.created += len(chunk)
            done += len(chunk)
            self.progress("relations", done, total)
        changed = self._changed_relations(known, summary)
        done += len(known) - len(changed)
        self.progress("relations", done, total)
        for chunk in batched(changed, self.batch_size):
            for record in self.db.write(self.queries["upsert_relations"], rows=relation_rows(chunk)):
                outcomes = summary.relations
                setattr(outcomes, record["outcome"], getattr(outcomes, record["outcome"]) + record["count"])
            done += len(chunk)
            self.progress("relations", done, total)

    def _changed_relations(self, relations: list[Relation], summary: IngestSummary) -> list[Relation]:
        """Those of `relations` not stored as given, read back source by source (stored_relations);
        the others are counted unchanged here. Reading a source's relations costs a fraction of
        upserting them one by one (two index seeks per row), which made an unchanged re-ingest
        spend most of its time confirming that nothing had changed."""
        relations.sort(key=attrgetter("source"))
        by_source = (
            (source, list(group)) for source, group in itertools.groupby(relations, key=attrgetter("source"))
        )
        changed: list[Relation] = []
        for chunk in batched_iter(by_source, STORED_RELATIONS_SOURCES):
            params = [[source, len(given)] for source, given in chunk]
            stored = {
                record["source"]: {
                    (rel_type, target): (description, ref)
                    for rel_type, target, description, ref in record["stored"]
                }
                for record in self.db.read(self.queries["stored_relations"], sources=params)
            }
            for source, given in chunk:
                kept = stored.get(source, {})
                for r in given:
                    if kept.get((neo4j_rel_type(r.type), r.target)) == (
                        r.description or "",
                        r.source_ref or "",
                    ):
                        summary.relations.unchanged += 1
                    else:
                        changed.append(r)
        return changed


def plan_entities(
    entities: Sequence[Entity], existing: dict[str, StoredEntity], model_name: str, summary: IngestSummary
) -> bytearray:
    """Per entity, what an ingest does with it: WRITE (new or changed), EMBED (text changed, or
    vector missing or of another model than `model_name`), both, or nothing (unchanged, or merged
    by curation); the outcomes are counted in `summary`. One byte each: the rows themselves are
    made window by window, since a million of them would not fit beside the records."""
    actions = bytearray(len(entities))
    other_model = 0
    for number, entity in enumerate(entities):
        old = existing.get(entity.entity_id)
        if old is not None and old.status == "merged":
            summary.merged_kept += 1
            continue
        content_hash = entity_properties(entity)["content_hash"]
        if old is None:
            summary.entities.created += 1
        elif old.content_hash == content_hash:
            summary.entities.unchanged += 1
        else:
            summary.entities.updated += 1
        action = WRITE if old is None or old.content_hash != content_hash else 0
        if (
            old is None
            or not old.has_embedding
            or old.embedding_hash != embedding_hash(embedding_text(entity), model_name)
        ):
            action |= EMBED
            if old is not None and old.has_embedding and not action & WRITE:
                other_model += 1  # the same text, so the vector came from another model
        actions[number] = action
    if other_model:
        notice = (
            f"embedding model {model_name}: re-embedding {other_model} entities "
            "whose vectors came from another model"
        )
        log.warning(notice)  # before the (long) embedding starts
        summary.notices.append(notice)
    return actions


def ensure_indexes(db: Database, queries: Queries, dimensions: int) -> list[str]:
    """The id constraint and the full-text and vector indexes ingest maintains. An index built
    otherwise (another analyzer; another model's dimension, other settings) is made again: the
    notices say which."""
    db.write(queries["create_entity_id_constraint"])
    notices = [ensure_text_index(db, queries), ensure_embedding_index(db, queries, dimensions)]
    return [notice for notice in notices if notice is not None]


def entity_row(entity: Entity) -> dict[str, Any]:
    """An entity to write: its id, its type's label and its properties."""
    return {"id": entity.entity_id, "label": neo4j_label(entity.type), "props": entity_properties(entity)}


def entity_rows(
    rows: Sequence[dict[str, Any]], vectors: dict[str, tuple[list[float], str]]
) -> list[list[Any]]:
    """upsert_entities' rows: [id, label, props, embedding, embedding_hash], lists rather than maps
    (smaller and faster to pack); no embedding (null) where the embedded text is unchanged."""
    return [[row["id"], row["label"], row["props"], *vectors.get(row["id"], (None, None))] for row in rows]


def fresh_relation_rows(relations: Iterable[Relation]) -> list[list[Any]]:
    """create_relations' rows: [source, rel_type, target, description, source_ref], ordered by
    source and target so that two imports of the same records lock their endpoints in one order."""
    rows = [[r.source, neo4j_rel_type(r.type), r.target, r.description, r.source_ref] for r in relations]
    rows.sort(key=lambda row: (row[0], row[2]))
    return rows


def relation_rows(relations: Iterable[Relation]) -> list[dict[str, Any]]:
    """Query parameters for one batch; built per batch, since millions of dicts would not fit."""
    return [
        {
            "source": r.source,
            "rel_type": neo4j_rel_type(r.type),
            "target": r.target,
            "description": r.description,
            "source_ref": r.source_ref,
        }
        for r in relations
    ]


def read_all(paths: list[Path]) -> tuple[list[RawRecord], list[Problem], SchemaFile | None]:
    """The records of every file, the problems of reading them, and the schema file among them."""
    files, problems = expand_paths(paths)
    schema, schema_problems = read_schema_among(files)
    problems.extend(schema_problems)
    records: list[RawRecord] = []
    for path in (path for path in files if not is_schema_file(path)):
        file_records, file_problems = read_file(path)
        records.extend(file_records)
        problems.extend(file_problems)
    return records, problems, schema


def entity_properties(entity: Entity) -> dict[str, Any]:
    """The node properties of an entity, with a hash of them all to detect changes cheaply."""
    props: dict[str, Any] = {
        "type": entity.type,
        "name": entity.name,
        "description": entity.description,
        "status": entity.status,
        "aliases": list(entity.aliases),
        "url": entity.url,
        # Neo4j properties cannot hold maps: the free-form properties are kept as JSON text.
        "properties_json": json.dumps(entity.properties, sort_keys=True, ensure_ascii=False),
    }
    props["content_hash"] = hashlib.sha256(
        json.dumps(props, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return props
