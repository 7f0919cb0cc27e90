"""Graph-wide similarity candidates: entity pairs with cosine >= threshold and no typed edge.

Method: exact pairwise cosine, computed in blocks with numpy over the embeddings read from Neo4j.

1. The embedded, non-merged entities are read in pages of `VECTOR_PAGE` (id order), their float32
   vectors stacked into one N x 384 matrix (1.5 kB per entity).
2. The upper triangle is covered in tiles of `TILE_ROWS` rows against as many later rows as make
   `BLOCK_CELLS` scores (64 MB), one matrix product each. Pairs passing the threshold (with a
   float32 margin) are rescored in float64.
3. The passing pairs are checked against the graph in batches (`candidates_unlinked.cypher`):
   those joined by any typed relationship, or dismissed by curation, are dropped.
4. What is left is ranked by score (then ids), flagged, and cut into keyset pages.

The result is the brute-force answer itself, not an approximation: no vector index is involved.
Cost: reading is O(N·d) over Bolt; the products are N²·d/2 multiply-adds (d = 384), the term
that dominates (the README gives measured times). The graph check is O(P) for the P pairs above
the threshold. Memory is O(N·d + tile).

The ranked list is computed once per graph revision and per (threshold, type pair), and shared:
every later page, and every request that arrives while it is being computed, takes the same list
(`RevisionCache`, core/cache.py). Asked with a `wait` (the API), it is computed in a thread of its
own and the caller is told how far it has come when it is not ready in time (`StillComputing`):
at a million entities the products take about an hour, longer than any request should hang. A
computation whose revision the graph has left stops at its next tile. Any commit, a decision
included, moves the revision, so a decision still shows at the next request. The vectors are
normalised once in float32, so a tile's matrix product is already its cosines (numpy's BLAS runs
it on every core). The answer records each stage's seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from core.cache import Progress, RevisionCache, RevisionWatch
from core.db import Database
from core.queries import Queries
from core.timing import timed
from curation.models import CandidateKind, CandidateList, CandidatePair
from graph.cursors import InvalidCursor, decode_cursor, encode_cursor
from graph.models import EntitySummary

DEFAULT_CANDIDATE_THRESHOLD = 0.8
DUPLICATE_SCORE = 0.9  # same type and at least this similar: likely the same thing twice
VECTOR_PAGE = 5_000
PAIR_CHECK_BATCH = 5_000
BLOCK_CELLS = 1 << 24
TILE_ROWS = 2_048
FLOAT32_MARGIN = 1e-4  # float32 products may err by ~1e-6; rescoring in float64 decides
KEPT_LISTS = 8  # ranked lists kept per database: thresholds and type pairs asked at one revision

NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Embedded:
    """The comparable entities: raw float32 vectors, their float64 norms, and what a pair shows."""

    vectors: npt.NDArray[np.float32]
    norms: npt.NDArray[np.float64]
    summaries: list[EntitySummary]
    names: list[frozenset[str]]  # normalised name and aliases

    @property
    def types(self) -> list[str]:
        return [summary.type for summary in self.summaries]


@dataclass(frozen=True)
class ScoredPair:
    i: int
    j: int
    score: float

    def key(self, embedded: Embedded) -> tuple[float, str, str]:
        return (-self.score, embedded.summaries[self.i].id, embedded.summaries[self.j].id)


@dataclass(frozen=True)
class Ranked:
    pairs: list[CandidatePair]
    computed_at: str
    seconds: float
    stages: dict[str, float]


_caches: weakref.WeakKeyDictionary[Database, RevisionCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _shared_cache(db: Database) -> RevisionCache:
    """One cache per database object: the API builds a finder per request on the process's one
    `Database`, so requests share it."""
    with _caches_lock:
        cache = _caches.get(db)
        if cache is None:
            cache = _caches[db] = RevisionCache(RevisionWatch(db.revision).current, KEPT_LISTS)
        return cache


class CandidateFinder:
    """Computes the graph-wide candidate list; see the module docstring for the method and cost."""

    def __init__(self, db: Database, queries: Queries) -> None:
        self.db = db
        self.queries = queries

    def find(
        self,
        threshold: float = DEFAULT_CANDIDATE_THRESHOLD,
        type_a: str | None = None,
        type_b: str | None = None,
        kind: CandidateKind | None = None,
        limit: int = 50,
        cursor: str | None = None,
        wait: float | None = None,
    ) -> CandidateList:
        """`wait`: compute in the background and wait at most this many seconds (else
        StillComputing, core/cache.py); None computes in the caller, however long it takes."""
        after = _decode_pair_cursor(cursor) if cursor else None
        ranked = self.shared_ranked(threshold, type_a, type_b, wait)
        pairs = [p for p in ranked.pairs if kind is None or p.kind == kind]
        start = 0
        if after is not None:
            start = next((n for n, p in enumerate(pairs) if _pair_key(p) > after), len(pairs))
        page = pairs[start : start + limit]
        more = start + limit < len(pairs)
        next_cursor = _encode_pair_cursor(page[-1]) if more and page else None
        return CandidateList(
            threshold=threshold,
            count=len(pairs),
            items=page,
            next_cursor=next_cursor,
            computed_at=ranked.computed_at,
            computed_seconds=ranked.seconds,
            computed_stages=ranked.stages,
        )

    def shared_ranked(
        self, threshold: float, type_a: str | None, type_b: str | None, wait: float | None = None
    ) -> Ranked:
        """`ranked`, computed once per revision for everyone using this database."""

        def compute(progress: Progress | None = None) -> Ranked:
            start = time.perf_counter()
            stages: dict[str, float] = {}
            pairs = self.ranked(threshold, type_a, type_b, stages, progress)
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            return Ranked(pairs, at, round(time.perf_counter() - start, 3), stages)

        cache, key = _shared_cache(self.db), ("candidates", threshold, type_a, type_b)
        return cache.get(key, compute) if wait is None else cache.get_within(key, compute, wait)

    def ranked(
        self,
        threshold: float,
        type_a: str | None = None,
        type_b: str | None = None,
        stages: dict[str, float] | None = None,
        progress: Progress | None = None,
    ) -> list[CandidatePair]:
        """Every candidate pair of the graph, best first (score, then ids), unrounded scores;
        each stage's seconds into `stages`, and how far it has come into `progress`."""
        seconds = stages if stages is not None else {}
        progress = progress or Progress()
        progress.enter("read")
        with timed(seconds, "read"):
            embedded = self.embedded(type_a, type_b)
        progress.enter("products")
        with timed(seconds, "products"):
            scored = list(passing_pairs(embedded, threshold, type_a, type_b, progress.advance))
        progress.enter("check")
        with timed(seconds, "check"):
            unlinked = self._unlinked(embedded, scored)
        progress.enter("rank")
        with timed(seconds, "rank"):
            kept = [p for p in scored if (p.i, p.j) in unlinked]
            kept.sort(key=lambda p: p.key(embedded))
            return [_candidate(embedded, p) for p in kept]

    def embedded(self, type_a: str | None, type_b: str | None) -> Embedded:
        """The embedded, non-merged entities; only those of the filter's types when both are given."""
        wanted = {type_a, type_b} if type_a is not None and type_b is not None else None
        vectors: list[npt.NDArray[np.float32]] = []
        summaries: list[EntitySummary] = []
        names: list[frozenset[str]] = []
        for rows in self._vector_pages():
            chosen = [r for r in rows if wanted is None or r["type"] in wanted]
            if chosen:
                vectors.append(np.asarray([r["embedding"] for r in chosen], dtype=np.float32))
            for row in chosen:
                summaries.append(
                    EntitySummary(
                        id=row["id"],
                        type=row["type"],
                        name=row["name"],
                        description=row["description"] or "",
                        status=row["status"] or "active",
                    )
                )
                names.append(name_keys(row["name"], row["aliases"] or []))
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        norms = np.linalg.norm(matrix.astype(np.float64), axis=1) if len(matrix) else np.zeros(0)
        return Embedded(matrix, norms, summaries, names)

    def _vector_pages(self) -> Iterator[list[Any]]:
        return self.db.read_pages(self.queries["candidates_vectors"], VECTOR_PAGE)

    def _unlinked(self, embedded: Embedded, scored: list[ScoredPair]) -> set[tuple[int, int]]:
        index = {summary.id: n for n, summary in enumerate(embedded.summaries)}
        found: set[tuple[int, int]] = set()
        for start in range(0, len(scored), PAIR_CHECK_BATCH):
            batch = scored[start : start + PAIR_CHECK_BATCH]
            pairs = [[embedded.summaries[p.i].id, embedded.summaries[p.j].id] for p in batch]
            for record in self.db.read(self.queries["candidates_unlinked"], pairs=pairs):
                found.add((index[record["a"]], index[record["b"]]))
        return found


def passing_pairs(
    embedded: Embedded,
    threshold: float,
    type_a: str | None,
    type_b: str | None,
    advance: Callable[[float], None] = lambda done: None,
) -> Iterator[ScoredPair]:
    """All pairs i < j with cosine >= threshold whose types match the (unordered) type pair;
    `advance` is told the share of the products done before each tile."""
    count = len(embedded.summaries)
    if count < 2:
        return
    inverse = 1.0 / np.maximum(embedded.norms, 1e-12)
    unit = (embedded.vectors * inverse[:, None]).astype(np.float32)  # products are then cosines
    codebook: dict[str | None, int] = {}
    type_codes = np.array([codebook.setdefault(t, len(codebook)) for t in embedded.types])
    code_a = None if type_a is None else codebook.get(type_a, -1)  # -1: a type nobody has
    code_b = None if type_b is None else codebook.get(type_b, -1)
    tiles = upper_tiles(count)
    done = 0
    products = float(sum((rows.stop - rows.start) * (cols.stop - cols.start) for rows, cols in tiles))
    for row_range, col_range in tiles:
        advance(done / products)
        cosines = unit[row_range] @ unit[col_range].T
        rows, cols = np.nonzero(cosines >= threshold - FLOAT32_MARGIN)
        rows, cols = rows + row_range.start, cols + col_range.start
        keep = (cols > rows) & _types_match(type_codes[rows], type_codes[cols], code_a, code_b)
        rows, cols = rows[keep], cols[keep]
        exact = _float64_cosines(embedded, rows, cols)
        for i, j, score in zip(rows.tolist(), cols.tolist(), exact.tolist(), strict=True):
            if score >= threshold:
                yield ScoredPair(i, j, score)
        done += cosines.size


def upper_tiles(count: int) -> list[tuple[slice, slice]]:
    """Tiles of at most BLOCK_CELLS scores covering every pair i <= j: TILE_ROWS rows against as
    many columns as fit. Square-ish tiles keep BLAS compute-bound; a few rows against every column
    (as before) streamed all N vectors from memory per block: 2.5x slower at 1M entities."""
    tile_rows = min(count, TILE_ROWS)
    tile_cols = max(1, BLOCK_CELLS // tile_rows)
    return [
        (slice(start, min(start + tile_rows, count)), slice(column, min(column + tile_cols, count)))
        for start in range(0, count, tile_rows)
        for column in range(start, count, tile_cols)
    ]


def _types_match(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], code_a: int | None, code_b: int | None
) -> npt.NDArray[np.bool_]:
    """The unordered type-pair filter, on type codes; None stands for any type."""
    if code_a is None and code_b is None:
        return np.ones(len(left), dtype=bool)
    if code_a is None or code_b is None:
        wanted = code_b if code_a is None else code_a
        return np.asarray((left == wanted) | (right == wanted))
    return np.asarray(((left == code_a) & (right == code_b)) | ((left == code_b) & (right == code_a)))


def _float64_cosines(
    embedded: Embedded, rows: npt.NDArray[np.intp], cols: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64]:
    left = embedded.vectors[rows].astype(np.float64)
    right = embedded.vectors[cols].astype(np.float64)
    dots = np.einsum("ij,ij->i", left, right)
    return np.asarray(dots / (embedded.norms[rows] * embedded.norms[cols]))


def name_keys(name: str, aliases: list[str]) -> frozenset[str]:
    """'Mesa-Optimization' and 'mesa optimization' share a key: case and punctuation ignored."""
    keys = (NON_ALNUM.sub(" ", text.casefold()).strip() for text in [name, *aliases])
    return frozenset(key for key in keys if key)


def classify(
    a: EntitySummary, b: EntitySummary, a_names: frozenset[str], b_names: frozenset[str], score: float
) -> tuple[CandidateKind, str]:
    """Likely duplicates: a shared name or alias, or the same type at a very high score."""
    if a_names & b_names:
        return "duplicate", "same name or alias"
    if a.type == b.type and score >= DUPLICATE_SCORE:
        return "duplicate", f"same type, cosine ≥ {DUPLICATE_SCORE}"
    return "missing_edge", "similar, not linked"


def _candidate(embedded: Embedded, pair: ScoredPair) -> CandidatePair:
    a, b = embedded.summaries[pair.i], embedded.summaries[pair.j]
    kind, reason = classify(a, b, embedded.names[pair.i], embedded.names[pair.j], pair.score)
    return CandidatePair(a=a, b=b, score=pair.score, kind=kind, reason=reason)


def _pair_key(pair: CandidatePair) -> tuple[float, str, str]:
    return (-pair.score, pair.a.id, pair.b.id)


def _encode_pair_cursor(pair: CandidatePair) -> str:
    return encode_cursor(json.dumps([pair.score, pair.a.id, pair.b.id]))


def _decode_pair_cursor(cursor: str) -> tuple[float, str, str]:
    try:
        score, a, b = json.loads(decode_cursor(cursor))
        return (-float(score), str(a), str(b))
    except (ValueError, TypeError) as error:
        raise InvalidCursor(f"invalid cursor {cursor!r}") from error
