"""Suggestions on a live graph: learn from what Neo4j holds, keep the model in the state folder,
answer per entity with what still stands.

- `fit` reads every entity (name, aliases, embedding, dismissals) and every typed edge, trains a
  `Suggester` (model.py) and writes it, with the graph revision it saw and how long it took, to
  `<state folder>/suggest/<database>/` (plain files: JSON and npz), replacing the previous one
  only once the new one is complete.
  Up to BEST_UP_TO_ENTITIES entities, it also scores every entity's best edges across every kind
  and keeps them with the model (`best.npz`; the first ten of each also as `:Suggestion` nodes in
  Neo4j up to STORE_UP_TO_ENTITIES, for Browser).
- `suggestions` scores one entity's possible edges with the stored model (or takes its kept best
  edges: the same answer, without a pass over every entity) and drops, from what Neo4j holds at
  that moment, every edge that exists, every entity merged away or dismissed with it. When the
  graph changed since the fit, the answer still comes, flagged `current: false` (entities created
  since have none until the next fit).

Linking a suggestion is an ordinary curation link (recorded, undoable); dismissing it is a
curation dismissal of the pair. Both are training signal at the next fit: a link is an edge like
any other, a dismissed pair a negative example for every relation type, a declined edge
(`atlas dismiss A B --type T`) a negative example for that one.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from core.db import Database
from core.errors import EntityMerged, EntityNotFound
from core.queries import Queries
from suggest.models import SuggestedEdge, SuggesterInfo, Suggestions

Direction = Literal["out", "in"]
OUT_OR_IN: dict[str, Direction] = {"tail": "out", "head": "in"}  # the model's words, and the page's
MODEL_DIRECTION: dict[Direction, Literal["tail", "head"]] = {"out": "tail", "in": "head"}
Progress = Callable[[str, float, str], None]
ENTITY_PAGE = 5_000
CANDIDATE_FACTOR = 3  # ask the model for this many times the items shown: some are dropped
WIDENING = 4
K = TypeVar("K")  # what `widened` keeps of the model's answers
MODEL_DIMENSIONS = 384
# Up to this size the fit also scores every entity's best edges across every kind of edge and keeps
# them with the model (`best.npz`): an unfiltered request of up to SHOWN_FROM_BEST items is then
# answered from them with one read, instead of a model pass over every entity (on WN18RR that pass
# is what held the p99 above 50 ms). Kept: as many as the model's first round asks for, so the
# answer is the model's own. Above this size, scoring every entity at fit time costs too long.
BEST_UP_TO_ENTITIES = 50_000
SHOWN_FROM_BEST = 10
BEST_PER_ENTITY = CANDIDATE_FACTOR * SHOWN_FROM_BEST
# Each entity's first STORED_PER_ENTITY of them are also written into Neo4j (`:Suggestion` nodes,
# read by cypher/suggestions.cypher in Browser and notebooks) up to this size: one transaction,
# whose memory grows with the nodes it writes.
STORE_UP_TO_ENTITIES = 20_000
STORED_PER_ENTITY = 10


class Candidate(NamedTuple):
    other: str
    relation_type: str
    direction: Direction
    score: float


@dataclass(frozen=True)
class GraphData:
    """The graph as the suggester sees it: entities by row, edges as (head, relation, tail) rows."""

    ids: list[str]
    names: list[str]
    descriptions: list[str]  # a WordNet gloss names its hypernym: the suggester reads it
    types: list[str]
    embeddings: NDArray[np.float32]
    relation_types: list[str]
    triples: NDArray[np.int64]
    dismissed_pairs: NDArray[np.int64]
    declined: NDArray[np.int64]  # single edges declined from suggestions, as triples


@dataclass(frozen=True)
class FitReport:
    revision: str
    fitted_at: str
    seconds: float
    entities: int
    relation_types: int
    edges: int
    declined: int  # dismissed pairs and declined edges it learnt from
    best: int  # entities whose best edges were scored and kept with the model (0: graph too large)
    stored: int  # suggestions written into Neo4j (0: graph too large, or it changed during the fit)
    folder: Path

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "folder": str(self.folder)}


class SuggestionService:
    """Fits and serves the suggester of one database; one per process (the loaded model is kept)."""

    def __init__(self, db: Database, queries: Queries, folder: Path) -> None:
        self.db = db
        self.queries = queries
        self.folder = folder
        self._loaded: tuple[float, StoredModel] | None = None  # (graph.json's mtime, what it holds)
        self._lock = threading.Lock()

    # --- fitting ---------------------------------------------------------------------------------

    def fit(self, progress: Progress | None = None) -> FitReport:
        """Train on the graph as it is now and store the model (see the module docstring)."""
        from suggest.model import Suggester

        report = progress or (lambda stage, fraction, message: None)
        started = time.perf_counter()
        revision = self.db.revision()
        report("read", 0.0, "reading the graph")
        graph = read_graph(self.db, self.queries, report)
        if len(graph.triples) == 0:
            raise ValueError("the graph has no typed edges to learn from")
        model = Suggester.fit(
            graph.triples,
            len(graph.ids),
            len(graph.relation_types),
            embeddings=graph.embeddings,
            names=graph.names,
            types=graph.types,
            descriptions=graph.descriptions,
            dismissed=_negatives(graph),
            progress=report,
            revision=revision,
        )
        fitted_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        staging = self._stage(model, graph)
        index = self._index(graph)
        best = None
        if len(graph.ids) <= BEST_UP_TO_ENTITIES:
            # scored by the model as requests will read it back (its files), so that the kept
            # answers are exactly the ones a request would compute
            served = StoredModel.of(Suggester.load(staging), index)
            best = best_edges(served, report)
            best.save(staging)
        stored = 0
        # Only a model of the graph as it still is gets written down; its own write then moves the
        # revision, so the model records the revision that follows it (a change by someone else
        # in the milliseconds between the check and the write would go unflagged: the answers
        # stay correct, as each request re-reads edges, merges and dismissals).
        if best is not None and len(graph.ids) <= STORE_UP_TO_ENTITIES and self.db.revision() == revision:
            report("store", 0.0, "writing each entity's best suggestions into Neo4j")
            stored = self._write_suggestions(best, graph, fitted_at)
            revision = self.db.revision()
            report("store", 1.0, f"{stored} suggestions stored")
        seconds = round(time.perf_counter() - started, 2)
        meta = {"revision": revision, "fitted_at": fitted_at, "seconds": seconds, "stored": stored}
        self._swap_in(staging, index | meta)
        return FitReport(
            revision,
            fitted_at,
            seconds,
            len(graph.ids),
            len(graph.relation_types),
            len(graph.triples),
            len(graph.dismissed_pairs) + len(graph.declined),
            0 if best is None else len(graph.ids),
            stored,
            self.folder,
        )

    def _write_suggestions(self, best: BestEdges, graph: GraphData, fitted_at: str) -> int:
        """Replace the stored suggestions with each entity's first STORED_PER_ENTITY best edges,
        in one transaction (a reader sees the previous fit's or this one's, never a mix)."""
        rows = [
            {
                "entity": graph.ids[row],
                "other": candidate.other,
                "relation_type": candidate.relation_type,
                "direction": candidate.direction,
                "score": round(candidate.score, 4),
                "rank": rank,
            }
            for row in range(len(graph.ids))
            for rank, candidate in enumerate(
                best.candidates(row, graph.ids, graph.relation_types)[:STORED_PER_ENTITY], start=1
            )
        ]
        self.db.prepare_once("suggestions", [self.queries["suggest_create_index"]])

        def replace(tx: Any) -> None:
            while tx.run(self.queries["suggest_clear"], batch=10_000).single()["removed"]:
                pass
            for start in range(0, len(rows), 10_000):
                tx.run(self.queries["suggest_store"], rows=rows[start : start + 10_000], fitted_at=fitted_at)

        self.db.write_transaction(replace)
        return len(rows)

    @staticmethod
    def _index(graph: GraphData) -> dict[str, Any]:
        """What graph.json says of the graph the model learnt: the model's rows and numbers."""
        return {
            "ids": graph.ids,
            "relation_types": graph.relation_types,
            "signatures": typed_signatures(graph),
            "types": graph.types,
        }

    def _stage(self, model: Any, graph: GraphData) -> Path:
        """A fresh folder beside the model's holding the new model's files (graph.json comes last,
        with `_swap_in`)."""
        staging = self.folder.with_name(self.folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        model.save(staging)
        return staging

    def _swap_in(self, staging: Path, index: dict[str, Any]) -> None:
        """Complete the staged model with its graph.json and put it in place of the old one: a
        reader never sees half a model."""
        (staging / "graph.json").write_text(json.dumps(index), encoding="utf-8")
        previous = self.folder.with_name(self.folder.name + ".previous")
        shutil.rmtree(previous, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(previous)
        staging.rename(self.folder)
        shutil.rmtree(previous, ignore_errors=True)

    # --- answering -------------------------------------------------------------------------------

    def info(self) -> SuggesterInfo | None:
        loaded = self._model()
        if loaded is None:
            return None
        index = loaded.index
        return SuggesterInfo(
            revision=index["revision"],
            fitted_at=index["fitted_at"],
            fit_seconds=index["seconds"],
            current=index["revision"] == self.db.revision(),
        )

    def suggestions(
        self,
        entity_id: str,
        limit: int = 10,
        relation_type: str | None = None,
        direction: Direction | None = None,
        entity_read: bool = False,
    ) -> Suggestions:
        """The best edges `entity_id` could have, best first, none that exists or was dismissed.
        `entity_read`: the caller has just read the entity (the entity page), so without a model
        nothing is read only to answer 404 for an unknown one."""
        loaded = self._model()
        info = self.info()
        if loaded is None or info is None:
            if not entity_read:
                self._context(entity_id, [])  # 404 for an unknown entity, even without a model
            return Suggestions(
                entity=entity_id, model=None, items=[], note="no model yet: run `atlas suggest fit`"
            )
        model, index, row_of, relation_of = loaded.model, loaded.index, loaded.row_of, loaded.relation_of
        if entity_id not in row_of:
            self._context(entity_id, [])
            note = "this entity is newer than the model: run `atlas suggest fit`"
            return Suggestions(entity=entity_id, model=info, items=[], note=note)
        if relation_type is not None and relation_type not in relation_of:
            self._context(entity_id, [])
            note = f"the model knows no {relation_type!r} edges"
            return Suggestions(entity=entity_id, model=info, items=[], note=note)
        signatures = loaded.signatures
        unfiltered = relation_type is None and direction is None
        if loaded.best is not None and unfiltered and limit <= SHOWN_FROM_BEST:
            kept = self._from_best(entity_id, loaded, loaded.best, limit)
            if kept is not None:
                return Suggestions(entity=entity_id, model=info, items=kept)
        ask = {
            "relation": relation_of.get(relation_type) if relation_type else None,
            "direction": None if direction is None else MODEL_DIRECTION[direction],
            "admissible": loaded.admissible(row_of[entity_id]),
        }
        most = len(index["ids"]) * 2 * len(relation_of)  # every (relation, direction, entity)

        def still_standing(found: list[Any]) -> list[SuggestedEdge]:
            candidates = [
                Candidate(
                    index["ids"][s.entity],
                    index["relation_types"][s.relation],
                    OUT_OR_IN[s.direction],
                    s.score,
                )
                for s in found
            ]
            context = self._context(entity_id, sorted({c.other for c in candidates}))
            return standing(context, candidates, signatures)

        items = widened(partial(model.top_k, row_of[entity_id], **ask), still_standing, limit, most)
        return Suggestions(entity=entity_id, model=info, items=items[:limit])

    def _from_best(
        self, entity_id: str, loaded: StoredModel, best: BestEdges, limit: int
    ) -> list[SuggestedEdge] | None:
        """The model's answer from the best edges the fit kept: they are the model's first round
        of candidates (it is unchanged until the next fit), and what still stands is read now, as
        for any answer. None (ask the model) when too few of them stand."""
        index = loaded.index
        candidates = best.candidates(loaded.row_of[entity_id], index["ids"], index["relation_types"])
        context = self._context(entity_id, sorted({c.other for c in candidates}))
        items = standing(context, candidates, loaded.signatures)
        if len(items) >= limit or len(candidates) < BEST_PER_ENTITY:  # or the model has no more
            return items[:limit]
        return None

    def _context(self, entity_id: str, candidates: list[str]) -> dict[str, Any]:
        """What Neo4j holds now of the entity and the candidates (cypher/suggest_context.cypher);
        EntityNotFound / EntityMerged (answer with the canonical's) when there is nothing to say."""
        records = self.db.read(self.queries["suggest_context"], id=entity_id, candidates=candidates)
        if not records:
            raise EntityNotFound(entity_id)
        context: dict[str, Any] = records[0].data()
        entity = context["entity"]
        if entity.get("status") == "merged" and entity.get("merged_into"):
            raise EntityMerged(entity_id, entity["merged_into"])
        return context

    def _model(self) -> StoredModel | None:
        """The stored model, loaded once and again only when a fit replaced it."""
        index_file = self.folder / "graph.json"
        try:
            stamp = index_file.stat().st_mtime
        except FileNotFoundError:
            return None
        with self._lock:
            if self._loaded is None or self._loaded[0] != stamp:
                from suggest.model import Suggester

                index = json.loads(index_file.read_text(encoding="utf-8"))
                model = Suggester.load(self.folder)
                model.warm()  # what it builds on first use, built now: not in some request's time
                self._loaded = (stamp, StoredModel.of(model, index, BestEdges.load(self.folder)))
            return self._loaded[1]


@dataclass(frozen=True)
class StoredModel:
    """A fitted model with its graph.json and the look-ups every request needs, made once at load
    rather than per request (each is as long as the graph's entities or edge types)."""

    model: Any  # suggest.model.Suggester, imported when first needed (it brings torch)
    index: dict[str, Any]
    row_of: dict[str, int]  # entity id -> the model's row
    relation_of: dict[str, int]  # relation type -> the model's number
    signatures: set[tuple[str, ...]]  # (relation type, source type, target type) the graph holds
    type_of: NDArray[np.int64] | None  # the model's row -> its entity type's number
    # (relation code in [0, 2R), query entity's type, other end's type): does the graph join them?
    joins: NDArray[np.bool_] | None
    best: BestEdges | None  # every entity's best edges, scored at the fit (small graphs only)

    @classmethod
    def of(cls, model: Any, index: dict[str, Any], best: BestEdges | None = None) -> StoredModel:
        relation_of = {name: number for number, name in enumerate(index["relation_types"])}
        signatures = {tuple(signature) for signature in index["signatures"]}
        type_of, joins = None, None
        if "types" in index:  # models fitted before the types were stored are filtered afterwards only
            type_of, joins = type_joins(index["types"], relation_of, signatures)
        return cls(
            model,
            index,
            row_of={entity: row for row, entity in enumerate(index["ids"])},
            relation_of=relation_of,
            signatures=signatures,
            type_of=type_of,
            joins=joins,
            best=best,
        )

    def admissible(self, row: int) -> NDArray[np.bool_] | None:
        """What `admissible` gives for `row`, or None where its type rules nothing out (a graph of
        one entity type, as WN18RR is imported): the model then skips the mask."""
        if self.type_of is None or self.joins is None:
            return None
        if self.joins[:, self.type_of[row], :].all():  # every type number is of an entity
            return None
        return admissible(self.type_of, self.joins, row)


@dataclass(frozen=True)
class BestEdges:
    """Each entity's best BEST_PER_ENTITY edges across every kind, as the model ranks them (the
    training graph's edges and other ends of types the relation never joins left out), best first:
    per entity row, the other end's row, the relation code in [0, 2R) (R and up: the entity as
    target) and the score; -1 where the model had fewer."""

    others: NDArray[np.int32]
    codes: NDArray[np.int16]
    scores: NDArray[np.float32]

    FILE = "best.npz"

    def candidates(self, row: int, ids: list[str], relation_types: list[str]) -> list[Candidate]:
        count = len(relation_types)
        return [
            Candidate(ids[other], relation_types[code % count], "in" if code >= count else "out", score)
            for other, code, score in zip(
                self.others[row].tolist(), self.codes[row].tolist(), self.scores[row].tolist(), strict=True
            )
            if other >= 0
        ]

    def save(self, folder: Path) -> None:
        np.savez(folder / self.FILE, others=self.others, codes=self.codes, scores=self.scores)

    @classmethod
    def load(cls, folder: Path) -> BestEdges | None:
        try:
            with np.load(folder / cls.FILE, allow_pickle=False) as data:
                return cls(data["others"], data["codes"], data["scores"])
        except FileNotFoundError:  # a graph too large to score every entity at the fit
            return None


def best_edges(served: StoredModel, progress: Progress) -> BestEdges:
    """Every entity's best edges as `served` answers them (`top_k` over every kind of edge, the
    type mask applied), scored many entities at a time."""
    count = len(served.index["ids"])
    relations = len(served.relation_of)
    others = np.full((count, BEST_PER_ENTITY), -1, dtype=np.int32)
    codes = np.full((count, BEST_PER_ENTITY), -1, dtype=np.int16)
    scores = np.full((count, BEST_PER_ENTITY), -np.inf, dtype=np.float32)
    each = served.model.top_k_each(np.arange(count), BEST_PER_ENTITY, admissible=served.admissible)
    for row, found in enumerate(each):
        if row % 2000 == 0:
            progress("best", row / count, f"scoring entity {row} of {count}")
        for column, suggestion in enumerate(found):
            others[row, column] = suggestion.entity
            codes[row, column] = suggestion.relation + (relations if suggestion.direction == "head" else 0)
            scores[row, column] = suggestion.score
    progress("best", 1.0, f"the best {BEST_PER_ENTITY} edges of {count} entities scored")
    return BestEdges(others, codes, scores)


def type_joins(
    types: list[str], relation_of: dict[str, int], signatures: set[tuple[str, ...]]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Each entity's type number, and for (relation code in [0, 2R), the query entity's type, the
    other end's type) whether the graph joins them (`signatures`)."""
    number = {name: i for i, name in enumerate(sorted(set(types)))}
    type_of = np.array([number[t] for t in types], dtype=np.int64)
    joins = np.zeros((2 * len(relation_of), len(number), len(number)), dtype=np.bool_)
    for relation_type, source, target in signatures:
        if relation_type in relation_of and source in number and target in number:
            code, a, b = relation_of[relation_type], number[source], number[target]
            joins[code, a, b] = True  # the query entity as source
            joins[code + len(relation_of), b, a] = True  # as target
    return type_of, joins


def admissible(type_of: NDArray[np.int64], joins: NDArray[np.bool_], row: int) -> NDArray[np.bool_]:
    """(2R, entities): which other ends each kind of edge at `row` may have, by type; the model
    leaves the others out, so its best k are not mostly dropped by the type check afterwards."""
    return joins[:, type_of[row], :][:, type_of]


def widened(
    ask: Callable[[int], list[Any]], keep: Callable[[list[Any]], list[K]], enough: int, most: int
) -> list[K]:
    """What `keep` leaves of the model's best `ask(k)`, with k from CANDIDATE_FACTOR × `enough`
    widened until `enough` are kept, the model has no more, or k reaches `most` (every edge)."""
    wanted = CANDIDATE_FACTOR * enough
    while True:  # candidates the graph rules out are dropped: ask for more until enough stand
        found = ask(wanted)
        kept = keep(found)
        if len(kept) >= enough or len(found) < wanted or wanted >= most:
            return kept
        wanted *= WIDENING


def standing(
    context: dict[str, Any], candidates: list[Candidate], signatures: set[tuple[str, ...]]
) -> list[SuggestedEdge]:
    """The candidates that still stand: not an edge the entity has now, not merged, not dismissed
    with it, between types the relation joins in the graph (`signatures`); offered as a merge when
    the two share a name or alias (the same thing twice)."""
    from curation.candidates import name_keys

    entity = context["entity"]
    existing = {
        (edge["type"], edge["direction"], candidate["id"])
        for candidate in context["candidates"]
        for edge in candidate["edges"]
    }
    dismissed = set(entity.get("dismissed") or [])
    declined = set(entity.get("dismissed_edges") or [])  # 'type>other' and 'type<other
    others = {c["id"]: c for c in context["candidates"]}
    own_names = name_keys(entity["name"], entity.get("aliases") or [])
    items: list[SuggestedEdge] = []
    for other_id, relation_type, direction, score in candidates:
        other = others.get(other_id)
        if other is None or other.get("status") == "merged" or other_id in dismissed:
            continue
        if (relation_type, direction, other_id) in existing:
            continue
        if f"{relation_type}{'>' if direction == 'out' else '<'}{other_id}" in declined:
            continue
        source, target = (entity, other) if direction == "out" else (other, entity)
        if (relation_type, source["type"], target["type"]) not in signatures:
            continue
        same = bool(own_names & name_keys(other["name"], other.get("aliases") or []))
        items.append(
            SuggestedEdge(
                id=other_id,
                name=other["name"],
                type=other["type"],
                description=other.get("description") or "",
                relation_type=relation_type,
                direction=direction,
                score=round(score, 4),
                kind="merge" if same else "edge",
            )
        )
    return items


def read_graph(db: Database, queries: Queries, progress: Progress) -> GraphData:
    """Every non-merged entity and typed edge, as rows and integer triples."""
    ids: list[str] = []
    names: list[str] = []
    descriptions: list[str] = []
    types: list[str] = []
    vectors: list[list[float]] = []
    dismissed: list[tuple[str, str]] = []
    declined: list[tuple[str, str, str]] = []
    for rows in db.read_pages(queries["suggest_entities"], ENTITY_PAGE):
        for row in rows:
            if row["status"] == "merged":
                continue
            ids.append(row["id"])
            names.append(row["name"])
            descriptions.append(row["description"] or "")
            types.append(row["type"])
            vectors.append(row["embedding"] or [0.0] * MODEL_DIMENSIONS)
            dismissed.extend((row["id"], other) for other in row["dismissed"] or [] if row["id"] < other)
            for key in row["dismissed_edges"] or []:  # the source's 'type>target' entries
                relation_type, out, target = key.partition(">")
                if out:
                    declined.append((row["id"], relation_type, target))
        progress("read", 0.5, f"{len(ids)} entities")
    row_of = {entity: row for row, entity in enumerate(ids)}
    edges = [
        r for r in db.read(queries["suggest_relations"]) if r["source"] in row_of and r["target"] in row_of
    ]
    relation_types = sorted({r["type"] for r in edges})
    relation_of = {name: number for number, name in enumerate(relation_types)}
    triples = np.array(
        [(row_of[r["source"]], relation_of[r["type"]], row_of[r["target"]]) for r in edges], dtype=np.int64
    ).reshape(-1, 3)
    pairs = np.array(
        [(row_of[a], row_of[b]) for a, b in dismissed if a in row_of and b in row_of], dtype=np.int64
    ).reshape(-1, 2)
    declined_triples = np.array(
        [
            (row_of[a], relation_of[r], row_of[b])
            for a, r, b in declined
            if a in row_of and b in row_of and r in relation_of
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    progress("read", 1.0, f"{len(ids)} entities, {len(triples)} edges")
    vectors_array = np.asarray(vectors, dtype=np.float32)
    return GraphData(
        ids, names, descriptions, types, vectors_array, relation_types, triples, pairs, declined_triples
    )


def typed_signatures(graph: GraphData) -> list[list[str]]:
    """Each relation type with the (source type, target type) pairs it joins in the graph: an edge
    between types a relation never joined (a concept `quoted_from` a claim) is not suggested."""
    seen = {(graph.relation_types[r], graph.types[h], graph.types[t]) for h, r, t in graph.triples.tolist()}
    return [list(signature) for signature in sorted(seen)]


def _negatives(graph: GraphData) -> NDArray[np.int64] | None:
    """What curators declined: each edge declined from the suggestions, and for a dismissed pair
    every relation type in either direction."""
    if len(graph.dismissed_pairs) == 0 and len(graph.declined) == 0:
        return None
    rows = [
        (head, relation, tail)
        for a, b in graph.dismissed_pairs.tolist()
        for head, tail in ((a, b), (b, a))
        for relation in range(len(graph.relation_types))
    ]
    return np.concatenate([np.asarray(rows, dtype=np.int64).reshape(-1, 3), graph.declined])
