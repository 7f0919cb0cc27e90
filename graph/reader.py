"""Reading the graph: run a `cypher/` query, shape its records into the models of graph/models.py.

One method builds each answer; the API's JSON and HTML routes, the CLI and the benchmarks all call it.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from core.db import Database
from core.errors import EntityNotFound
from core.queries import Queries
from core.schema import SchemaView
from graph import models
from graph.cursors import decode_cursor, encode_cursor
from graph.hub_cache import HUB_DEGREE, HubCache
from graph.vector_scan import Nearest, VectorScans

DEFAULT_THRESHOLD = 0.65
# The vector index's cost grows with the number of candidates asked for: ask first for twice as many
# as will be shown and widen while every candidate still passes the threshold, up to MAX_CANDIDATES;
# beyond that the count is a flagged lower bound (see docs/performance.md for the measurements).
CANDIDATES_PER_ITEM = 2
WIDENING = 5
MAX_CANDIDATES = 800
# The index's search is a beam as wide as the candidates asked for: a larger graph needs a wider
# one for the same recall. Below each size, at least this many candidates are asked for first
# (chosen from recall@20 measured against a brute force, docs/performance.md).
CANDIDATE_FLOORS: tuple[tuple[int, int], ...] = ((20_000, 0), (50_000, 100))
LARGEST_GRAPH_FLOOR = 400
NEAREST_SHOWN = 3  # the entity page: when nothing reaches the threshold, the closest below it
# The graph's size only picks the floor above, so a count some seconds old serves as well as a fresh
# one and saves a round trip per `similar`.
POPULATION_SECONDS = 30.0


class GraphReader:
    def __init__(
        self,
        db: Database,
        queries: Queries,
        schema: SchemaView,
        *,
        keep_hubs: bool = True,
        scans: VectorScans | None = None,
    ) -> None:
        """`keep_hubs` False reads every neighborhood afresh (the benchmarks' driver-side baseline);
        `scans`: the exact scan `similar` takes its candidates from while it is of the graph's
        revision (large graphs, graph/vector_scan.py), else the vector index."""
        self.db = db
        self.queries = queries
        self.schema = schema
        self.hub_cache = HubCache() if keep_hubs else None
        self.scans = scans
        self._population: tuple[float, int] | None = None  # (when it was counted, the count)

    def entity(self, entity_id: str) -> models.Entity:
        records = self.db.read(self.queries["entity"], id=entity_id)
        if not records:
            raise EntityNotFound(entity_id)
        raw = dict(records[0]["entity"])
        raw["properties"] = json.loads(raw.pop("properties_json") or "{}")
        raw["aliases"] = raw.get("aliases") or []
        raw["description"] = raw.get("description") or ""
        return models.Entity.model_validate(raw)

    def neighborhood(
        self, entity_id: str, limit: int = 25, types: list[str] | None = None, degree: int = 0
    ) -> models.Neighborhood:
        """`degree` is the entity's: from HUB_DEGREE on, the answer is kept until the graph changes."""
        if degree < HUB_DEGREE or self.hub_cache is None:
            return self._read_neighborhood(entity_id, limit, types)
        key = (entity_id, limit, tuple(types) if types is not None else None)
        revision = self.db.revision()
        return self.hub_cache.get(key, revision, lambda: self._read_neighborhood(entity_id, limit, types))

    def _read_neighborhood(self, entity_id: str, limit: int, types: list[str] | None) -> models.Neighborhood:
        records = self.db.read(
            self.queries["neighborhood"],
            id=entity_id,
            limit=limit,
            types=types,
            type_order=list(self.schema.entity_types),
        )
        groups = [
            models.NeighborGroup(
                type=r["type"],
                count=r["count"],
                neighbors=[_neighbor(n) for n in r["neighbors"]],
            )
            for r in records
        ]
        return models.Neighborhood(limit=limit, groups=groups)

    def similar(
        self,
        entity_id: str,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 20,
        types: list[str] | None = None,
        widen: bool = True,
        nearest: int = 0,
    ) -> models.Similar:
        """`nearest`: when none reaches the threshold, up to this many closest below it, from the
        same search (the entity page's hint)."""
        scan = self.scans.current() if self.scans is not None else None
        if scan is not None:
            steps = candidate_steps(limit, widen)  # every candidate ranked truly: no beam floor
            scanned = scan.nearest(entity_id, steps[-1])
            if scanned is not None:
                return self._similar_by_scan(entity_id, scanned, steps, threshold, limit, types, nearest)
        steps = candidate_steps(limit, widen, candidate_floor(self.embedded_population()))
        for candidates in steps:
            record = self._read_similar(entity_id, threshold, limit, candidates, types, nearest, None)
            if record is None:  # the entity has no embedding yet, or no candidate passed
                return models.Similar(threshold=threshold, count=0, items=[], search="index")
            if not record["saturated"]:
                break
        exact = not (record["saturated"] and candidates == steps[-1])
        return _similar_answer(threshold, record, exact, "index")

    def _similar_by_scan(
        self,
        entity_id: str,
        scanned: Nearest,
        steps: list[int],
        threshold: float,
        limit: int,
        types: list[str] | None,
        nearest: int,
    ) -> models.Similar:
        """One query, its candidates from the exact scan: the nearest as many as the first step
        shows, and every other one whose exact cosine can reach the threshold (graph/vector_scan.py
        bounds each scan cosine's error), up to the widest step."""
        can_pass = scanned.can_pass(threshold)
        chosen = scan_candidates(scanned, steps, threshold)
        among = [scanned.pairs[rank][0] for rank in chosen]
        record = self._read_similar(entity_id, threshold, limit, len(among), types, nearest, among)
        if record is None:
            return models.Similar(threshold=threshold, count=0, items=[], search="scan")
        every_one_that_can_pass = sum(can_pass[rank] for rank in chosen) == sum(can_pass)
        exact = every_one_that_can_pass and scanned.holds_all_that_can_pass(threshold)
        return _similar_answer(threshold, record, exact, "scan")

    def _read_similar(
        self,
        entity_id: str,
        threshold: float,
        limit: int,
        candidates: int,
        types: list[str] | None,
        nearest: int,
        among: list[str] | None,
    ) -> Any:
        records = self.db.read(
            self.queries["similar"],
            id=entity_id,
            threshold=threshold,
            limit=limit,
            candidates=candidates,
            types=types,
            nearest=nearest,
            among=among,
        )
        return records[0] if records else None

    def embedded_population(self) -> int:
        """How many entities the vector index may hold (Neo4j's count store: no scan), counted at
        most every POPULATION_SECONDS."""
        now = time.monotonic()
        if self._population is None or now - self._population[0] > POPULATION_SECONDS:
            count = int(self.db.read(self.queries["similar_population"])[0]["entities"])
            self._population = (now, count)
        return self._population[1]

    def canonical(self, entity_id: str) -> models.Entity:
        """The entity, or the one curation merged it into (merges may chain)."""
        entity = self.entity(entity_id)
        seen = {entity.id}
        while entity.merged_into and entity.merged_into not in seen:
            entity = self.entity(entity.merged_into)
            seen.add(entity.id)
        return entity

    def page(
        self,
        entity_id: str,
        limit: int = 25,
        threshold: float = DEFAULT_THRESHOLD,
        similar_limit: int = 20,
    ) -> models.EntityPage:
        entity = self.canonical(entity_id)
        redirected_from = entity_id if entity.id != entity_id else None
        similar = self.similar(
            entity.id, threshold=threshold, limit=similar_limit, widen=False, nearest=NEAREST_SHOWN
        )
        return models.EntityPage(
            entity=entity,
            neighborhood=self.neighborhood(entity.id, limit=limit, degree=entity.degree),
            similar=similar,
            redirected_from=redirected_from,
        )

    def stats(self) -> models.Stats:
        record = self.db.read(self.queries["stats"])[0]
        entity_types = [models.TypeCount(**row) for row in record["entity_types"]]
        relation_types = [models.TypeCount(**row) for row in record["relation_types"]]
        return models.Stats(
            entities=sum(t.count for t in entity_types),
            relations=sum(t.count for t in relation_types),
            entity_types=entity_types,
            relation_types=relation_types,
        )

    def list_entities(
        self, entity_type: str | None, status: str | None, cursor: str | None, limit: int
    ) -> models.EntityList:
        after = decode_cursor(cursor) if cursor else ""
        records = self.db.read(
            self.queries["entities"], type=entity_type, status=status, after=after, limit=limit
        )
        items = [models.EntitySummary(**_summary(r["entity"])) for r in records[:limit]]
        next_cursor = encode_cursor(items[-1].id) if len(records) > limit else None
        return models.EntityList(items=items, next_cursor=next_cursor)


def candidate_floor(entities: int) -> int:
    """The fewest candidates worth asking the index for in a graph of `entities`."""
    return next((floor for below, floor in CANDIDATE_FLOORS if entities < below), LARGEST_GRAPH_FLOOR)


def candidate_steps(limit: int, widen: bool = True, floor: int = 0) -> list[int]:
    """How many candidates `similar` asks the vector index for, widening while all of them pass:
    [40, 200, 800] for 20 items shown in a small graph; [40] without widening (the entity page);
    never fewer than `floor` (the graph's size asks for a wider search)."""
    widest = max(MAX_CANDIDATES, floor)
    steps = [min(max(CANDIDATES_PER_ITEM * limit, 10, floor), widest)]
    while widen and steps[-1] < widest:
        steps.append(min(steps[-1] * WIDENING, widest))
    return steps


def scan_candidates(scanned: Nearest, steps: list[int], threshold: float) -> list[int]:
    """The ranks of the scan's neighbours that `similar`'s one query ranks exactly: the nearest as
    many as the first step shows, and every other one whose exact cosine can reach the threshold,
    up to the widest step."""
    can_pass = scanned.can_pass(threshold)
    return [rank for rank in range(len(scanned.pairs)) if rank < steps[0] or can_pass[rank]][: steps[-1]]


def _similar_answer(
    threshold: float, record: Any, exact: bool, search: Literal["index", "scan"]
) -> models.Similar:
    return models.Similar(
        threshold=threshold,
        count=record["count"],
        count_exact=exact,
        search=search,
        items=[_similar(item) for item in record["items"]],
        nearest=[_similar(item) for item in record["nearest"]],
    )


def _similar(raw: Any) -> models.SimilarEntity:
    return models.SimilarEntity(**_summary(raw), score=round(raw["score"], 3))


def _summary(raw: Any) -> dict[str, Any]:
    return {
        "id": raw["id"],
        "type": raw["type"],
        "name": raw["name"],
        "description": raw.get("description") or "",
        "status": raw.get("status") or "active",
    }


def _neighbor(raw: Any) -> models.Neighbor:
    relations = [
        models.Relation(
            type=r["type"],
            direction=r["direction"],
            description=r.get("description") or "",
            source_ref=r.get("source_ref"),
        )
        for r in sorted(raw["relations"], key=lambda r: (r["type"], r["direction"]))
    ]
    return models.Neighbor(**_summary(raw), degree=raw["degree"], relations=relations)
