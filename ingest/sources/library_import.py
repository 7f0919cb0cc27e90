"""Writing a library's records (bibtex.py, csl.py) through the normal ingest, or only planning it.

`import_library` first drops the people and organisations the graph already holds (they are linked
to, never rewritten), then ingests as `atlas ingest` does. With `dry_run` it validates the same
way and counts what the ingest would create, update or leave unchanged, and how many embeddings it
would compute, writing nothing: entities are compared with what the database holds by the same
content and embedding hashes the ingest uses; relations between entities that already exist are
run through the ingest's own upsert in a transaction that is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.pipeline import EMBED, Ingester, IngestSummary, batched, plan_entities, relation_rows
from ingest.problems import IngestError, Problem
from ingest.readers import RawRecord
from ingest.schema_use import DatasetTypes, schema_to_validate
from ingest.sources.bibliography import SCHEMA, link_existing
from ingest.validate import validate


@dataclass
class LibrarySummary(IngestSummary):
    dry_run: bool = False
    linked_existing: int = 0  # people and organisations already in the graph: linked, not rewritten
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "dry_run": self.dry_run,
            "linked_existing": self.linked_existing,
            "notes": self.notes,
        }


def import_library(
    ingester: Ingester,
    records: list[RawRecord],
    problems: list[Problem],
    notes: list[str],
    *,
    dry_run: bool = False,
) -> LibrarySummary:
    kept = link_existing(records, ingester.existing_ids)
    types = DatasetTypes(SCHEMA)
    summary = (
        preview(ingester, kept, problems)
        if dry_run
        else ingester.ingest_records(kept, problems, schema=types)
    )
    return LibrarySummary(
        **vars(summary), dry_run=dry_run, linked_existing=len(records) - len(kept), notes=notes
    )


def preview(ingester: Ingester, records: list[RawRecord], problems: list[Problem]) -> IngestSummary:
    """What `ingester.ingest_records(records, problems)` would do, without writing anything: the
    same validation first (IngestError on any problem), then the counts."""
    summary = IngestSummary()
    types = schema_to_validate(ingester.db, ingester.queries, DatasetTypes(SCHEMA), problems)
    with summary.timed("validate"):
        valid, invalid = validate(records, ingester.existing_ids, types)
    if problems + invalid:
        raise IngestError(problems + invalid)
    ids = [entity.entity_id for entity in valid.entities]
    existing = ingester.stored_entities(ids)
    actions = plan_entities(valid.entities, existing, ingester.embedder.model_name, summary)
    summary.embeddings_computed = sum(1 for action in actions if action & EMBED)  # would be computed
    new_ids = set(ids) - existing.keys()
    known = [r for r in valid.relations if r.source not in new_ids and r.target not in new_ids]
    summary.relations.created += len(valid.relations) - len(known)  # a new entity has no relation yet
    if known:
        with ingester.db.driver.session(database=ingester.db.database) as session:
            transaction = session.begin_transaction()
            try:
                for relations in batched(known, ingester.batch_size):
                    rows = relation_rows(relations)
                    for record in transaction.run(ingester.queries["upsert_relations"], rows=rows):
                        outcome = record["outcome"]
                        setattr(
                            summary.relations, outcome, getattr(summary.relations, outcome) + record["count"]
                        )
            finally:
                transaction.rollback()
    return summary
