"""What the graph reads return: the entity page and its parts, as pydantic models.

The API declares these as its response models, so /docs is the contract; the CLI and notebooks
get the same objects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field


class Entity(BaseModel):
    id: str
    type: str
    name: str
    description: str = ""
    status: str = "active"
    aliases: list[str] = Field(default_factory=list)
    url: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    degree: int = Field(0, description="Number of typed relationships of this entity.")
    merged_into: str | None = Field(None, description="Set when curation merged this entity away.")


class EntitySummary(BaseModel):
    id: str
    type: str
    name: str
    description: str = ""
    status: str = "active"


class Relation(BaseModel):
    type: str
    direction: Literal["out", "in"] = Field(
        description="'out' when the page's entity is the relation's source."
    )
    description: str = ""
    source_ref: str | None = None


class Neighbor(EntitySummary):
    degree: int
    relations: list[Relation]


class NeighborGroup(BaseModel):
    type: str
    count: int = Field(description="Exact number of distinct neighbors of this type.")
    neighbors: list[Neighbor] = Field(description="Ranked by degree, then name; at most `limit`.")

    @computed_field(  # type: ignore[prop-decorator]
        description="Deprecated: the same list as `neighbors`, under its old name, for one release.",
        json_schema_extra={"deprecated": True},  # marked in /docs; serialising it warns nobody
    )
    @property
    def neighbours(self) -> list[Neighbor]:
        return self.neighbors


class Neighborhood(BaseModel):
    limit: int
    groups: list[NeighborGroup]


class SimilarEntity(EntitySummary):
    score: float = Field(description="Cosine similarity, rounded to 3 places.")


class Similar(BaseModel):
    threshold: float
    count: int = Field(
        description="Number of entities at or above the threshold; a lower bound when `count_exact` is false."
    )
    count_exact: bool = Field(
        True,
        description="False when more entities pass the threshold than the search examines "
        "(the vector index's nearest 800 on /similar, twice the items shown on the entity page): "
        "`count` is then how many of those passed; /similar counts further. True means the search "
        "was not cut off; with `search` 'index' the vector index itself is approximate (HNSW), so "
        "on very large graphs a few entities above the threshold can be missing from it.",
    )
    search: Literal["index", "scan"] = Field(
        "index",
        description="Where the candidates came from: 'scan', every stored embedding compared (the "
        "API keeps an exact scan on large graphs while the graph is unchanged); 'index', Neo4j's "
        "approximate vector index.",
    )
    items: list[SimilarEntity]
    nearest: list[SimilarEntity] = Field(
        default_factory=list,
        description="When no entity reaches the threshold: the closest below it, from the same "
        "search (the entity page shows three, with their scores); empty otherwise.",
    )


class EntityPage(BaseModel):
    entity: Entity
    neighborhood: Neighborhood
    similar: Similar
    redirected_from: str | None = Field(
        None, description="The id asked for, when it was merged into this entity."
    )


class TypeCount(BaseModel):
    type: str
    count: int


class Stats(BaseModel):
    entities: int = Field(description="Entities in force: those merged away are not counted.")
    relations: int
    entity_types: list[TypeCount]
    relation_types: list[TypeCount]


class EntityList(BaseModel):
    items: list[EntitySummary]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")
