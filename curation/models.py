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


class CandidatesComputing(BaseModel):
    """/candidates' answer (202) while the list is computed in the background: ask again later."""

    status: Literal["computing"] = "computing"
    started_at: str = Field(description="When the computation started (UTC).")
    stage: Literal["starting", "read", "products", "check", "rank"] = Field(
        description="`read`: the vectors from Neo4j; `products`: every pair's cosine (most of the "
        "time); `check`: relations and dismissals of the passing pairs; `rank`."
    )
    done: float = Field(description="Share of the stage done, 0 to 1 (counted during `products`).")
    seconds_so_far: float
    estimated_seconds_left: float | None = Field(
        None, description="From the products' rate so far, while they run; the later stages are short."
    )
