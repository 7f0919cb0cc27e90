"""What suggestions answer with: the edges an entity could have, and the model they come from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SuggestedEdge(BaseModel):
    id: str = Field(description="The entity at the other end of the suggested edge.")
    name: str
    type: str
    description: str = ""
    relation_type: str
    direction: Literal["out", "in"] = Field(
        description="'out': the page's entity would be the edge's source; 'in': its target."
    )
    score: float = Field(description="The model's score: higher is likelier (comparable within one answer).")
    kind: Literal["edge", "merge"] = Field(
        description="'merge' when the two share a name or alias: likely the same thing twice."
    )


class SuggesterInfo(BaseModel):
    revision: str = Field(description="The graph revision the model was fitted at.")
    fitted_at: str
    fit_seconds: float
    current: bool = Field(description="False when the graph changed since: refit with `atlas suggest fit`.")


class Suggestions(BaseModel):
    entity: str
    model: SuggesterInfo | None = Field(None, description="None until `atlas suggest fit` has run.")
    items: list[SuggestedEdge]
    note: str | None = Field(None, description="Why there are no items, when there are none.")
