"""HTTP-only models: health, the error shape and the bodies of write requests.

The reads answer with the domain's own models (graph/models.py, curation/models.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    neo4j: bool
    similar_search: Literal["scan", "index"] | None = Field(
        None,
        description="Where `similar` takes its candidates now: `scan` once the exact scan of the "
        "current revision is read (large graphs), else `index`.",
    )
    hubs_read_ahead: bool | None = Field(
        None,
        description="Whether the largest hubs are read ahead at the current revision; null where "
        "this worker does not read ahead (turned off, or another worker does).",
    )


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class WriteRequest(BaseModel):
    who: str = Field("api", min_length=1, max_length=200, description="Who takes the decision.")
    why: str = Field("", max_length=5000, description="The reason, kept with the decision.")
    dry_run: bool = Field(False, description="Only list the changes; write nothing.")


class LinkRequest(WriteRequest):
    source: str
    target: str
    type: str = Field(description="A relation type of the schema, e.g. associated_with.")
    description: str = Field("", max_length=20_000)


class DismissRequest(WriteRequest):
    a: str
    b: str
    type: str | None = Field(
        None,
        description="Only this edge, a -[type]-> b, is wrong (a declined suggestion); "
        "without it, the pair is not related at all.",
    )


class MergeRequest(WriteRequest):
    duplicate: str = Field(description="The entity folded away; it stays, status 'merged'.")
    canonical: str = Field(description="The entity that receives its relations and name.")
