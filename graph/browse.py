"""Browsing the graph by type: the entities of one type and the edges of one relation type, one
page at a time with exact counts (the HTML lists the home page's type counts link to)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.db import Database
from core.queries import Queries
from graph.models import EntitySummary

PAGE_SIZE = 50


class BrowsedEntity(EntitySummary):
    degree: int = Field(description="Number of typed relationships of this entity.")


class Edge(BaseModel):
    source: EntitySummary
    target: EntitySummary
    description: str = ""
    source_ref: str | None = None


class Paged(BaseModel):
    type: str
    count: int = Field(description="Exact number of items of this type, on all pages.")
    page: int = Field(description="1-based page number.")
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def first_shown(self) -> int:
        return min(self.count, (self.page - 1) * self.page_size + 1)


class EntitiesOfType(Paged):
    items: list[BrowsedEntity]

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1 if self.items else self.first_shown - 1


class EdgesOfType(Paged):
    items: list[Edge]

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1 if self.items else self.first_shown - 1


def entities_of_type(
    db: Database, queries: Queries, entity_type: str, page: int, page_size: int = PAGE_SIZE
) -> EntitiesOfType:
    record = db.read(
        queries["browse_entities"], type=entity_type, skip=(page - 1) * page_size, limit=page_size
    )[0]
    items = [BrowsedEntity(**_summary(item), degree=item["degree"]) for item in record["items"]]
    return EntitiesOfType(
        type=entity_type, count=record["count"], page=page, page_size=page_size, items=items
    )


def edges_of_type(
    db: Database, queries: Queries, relation_type: str, neo4j_type: str, page: int, page_size: int = PAGE_SIZE
) -> EdgesOfType:
    """`neo4j_type` must be a relationship type the graph holds (see `relation_types_held`)."""
    record = db.read(
        queries["browse_relations"], rel_type=neo4j_type, skip=(page - 1) * page_size, limit=page_size
    )[0]
    items = [
        Edge(
            source=EntitySummary(**_summary(item["source"])),
            target=EntitySummary(**_summary(item["target"])),
            description=item["description"] or "",
            source_ref=item["source_ref"],
        )
        for item in record["items"]
    ]
    return EdgesOfType(type=relation_type, count=record["count"], page=page, page_size=page_size, items=items)


def entity_names(db: Database, queries: Queries, ids: set[str]) -> dict[str, str]:
    """id -> name for those of `ids` that are entities."""
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in db.read(queries["entity_names"], ids=sorted(ids))}


def _summary(raw: dict[str, object]) -> dict[str, object]:
    return {
        "id": raw["id"],
        "type": raw["type"],
        "name": raw["name"],
        "description": raw.get("description") or "",
        "status": raw.get("status") or "active",
    }
