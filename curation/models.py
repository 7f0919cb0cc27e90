"""What curation answers with: decisions, their results, and graph-wide candidate pairs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from graph.models import EntitySummary

DecisionKind = Literal["link", "dismiss", "merge"]
CandidateKind = Literal["duplicate", "missing_edge"]


class Decision(BaseModel):
    id: str
    seq: int = Field(description="Order in which decisions were taken.")
    kind: DecisionKind
    entities: list[str] = Field(description="The two entities the decision was taken on.")
    source: str = Field(description="link: relation source; dismiss: first entity; merge: duplicate.")
    target: str = Field(description="link: relation target; dismiss: second entity; merge: canonical.")
    relation_type: str | None = None
    description: str | None = None
    who: str
    why: str = ""
    at: str = Field(description="When it was taken (ISO 8601).")
    status: Literal["active", "undone"]
    undone_by: str | None = None
    undone_at: str | None = None
    undo_why: str | None = None


class DecisionList(BaseModel):
    items: list[Decision]


class CurationResult(BaseModel):
    dry_run: bool
    changes: list[str] = Field(description="Every change made (or, on a dry run, that would be).")
    decision: Decision | None = Field(None, description="The decision recorded or undone.")


class CandidatePair(BaseModel):
    a: EntitySummary = Field(description="The pair's entity with the smaller id.")
    b: EntitySummary
    score: float = Field(description="Cosine similarity (exact, float64).")
    kind: CandidateKind = Field(description="'duplicate': likely the same thing; else a likely missing edge.")
    reason: str


class CandidateList(BaseModel):
    threshold: float
    count: int = Field(description="Exact number of pairs matching the filters, on all pages.")
    items: list[CandidatePair]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")
    computed_at: str | None = Field(
        None, description="When the ranked list was computed (UTC); it is kept until the graph changes."
    )
    computed_seconds: float | None = Field(None, description="How long computing it took.")
    computed_stages: dict[str, float] | None = Field(
        None,
        description="Where that time went, in seconds: `read` (the vectors from Neo4j), `products` "
        "(every pair's cosine), `check` (relations and dismissals of the passing pairs), `rank`.",
    )
