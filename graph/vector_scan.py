"""An exact scan over every stored embedding, kept in the API process, for graphs where Neo4j's
vector index loses neighbours.

Neo4j's HNSW index is approximate: against a brute force it returned 98% of the true top 20 at
200,000 entities with 200 candidates, and 72% at 1,000,000 with 40, 99.2% with 400
(docs/performance.md, similar at scale). A scan of every vector misses nothing. It holds a
copy of the unit vectors at one byte per coordinate in faiss flat indexes (388 bytes per entity:
388 MB at 1M, per API worker) and answers which entities are nearest, each with a bound on how far
its cosine may be from the exact one; `similar.cypher` then ranks those by the exact cosine of the
stored float32 vectors and applies every other rule, as it does for the index's candidates. With
the bound, `similar` asks for every candidate whose exact cosine can reach the threshold, so its
count is exact.

A scan is read for one graph revision and used only while the graph is at that revision: after
any change `similar` asks the index again until `VectorScans` has read the vectors anew, in the
background once the revision has settled (graph/refresh.py). So an answer never comes from vectors
older than the graph it describes.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.db import Database
from core.queries import Queries
from graph.refresh import SettledRefresher

if TYPE_CHECKING:
    import faiss

VECTOR_PAGE = 10_000  # rows per read: 15 MB of float32 vectors
log = logging.getLogger("atlas.graph.scan")


# One query scans its shards on as many cores at once: 1M float16 vectors took 28 ms on 2 cores
# against 42 ms in one piece (docs/performance.md). Under many readers the cores are busy anyway.
SHARDS = max(1, min(os.cpu_count() or 1, 4))
# The vectors are kept as one byte per coordinate over one range shared by every coordinate
# (faiss's 8-bit uniform quantiser): half float16's bytes, and cheap enough to decode that a scan
# of 1M in two parts takes 13.5 ms against float16's 24 (docs/performance.md). The range is the
# largest coordinate among the first TRAIN_ROWS vectors with RANGE_SPARE to spare; a larger one
# later is clamped, and its error is counted in the scan's bound like any other.
TRAIN_ROWS = 10_000
RANGE_SPARE = 1.25


@dataclass(frozen=True)
class Nearest:
    """The entities nearest to one entity by the scan's cosine, nearest first, each with how far
    that cosine may be from the exact one (`errors`); `beyond`: the same for any entity further."""

    pairs: list[tuple[str, float]]
    errors: list[float]
    beyond: float
    every_other: bool  # whether `pairs` holds every other entity of the graph

    def can_pass(self, threshold: float) -> list[bool]:
        """For each of `pairs`, whether its exact cosine may be `threshold` or more."""
        return [score >= threshold - error for (_, score), error in zip(self.pairs, self.errors, strict=True)]

    def holds_all_that_can_pass(self, threshold: float) -> bool:
        """Whether no entity beyond `pairs` can reach `threshold`: their scan cosines are at most
        the last one's, and their errors at most `beyond`."""
        return self.every_other or (bool(self.pairs) and self.pairs[-1][1] < threshold - self.beyond)


@dataclass(frozen=True)
class VectorScan:
    """Every embedded entity's unit vector at one graph revision, quantised to one byte per
    coordinate, in `parts` of consecutive rows that `index` scans side by side."""

    revision: str
    ids: list[str]
    rows: dict[str, int]
    index: faiss.IndexShards
    parts: list[faiss.IndexScalarQuantizer]  # kept here too: `index` does not own them
    residuals: np.ndarray  # per row: the length of (vector - its quantised copy)

    def nearest(self, entity_id: str, count: int) -> Nearest | None:
        """The `count` entities nearest to `entity_id` (itself left out); None when the scan does
        not hold it."""
        row = self.rows.get(entity_id)
        if row is None:
            return None
        scores, found = self.index.search(self._vector(row), min(count + 1, len(self.ids)))
        keep = (found[0] >= 0) & (found[0] != row)
        rows, scores = found[0][keep][:count], scores[0][keep][:count]
        mine = float(self.residuals[row])
        return Nearest(
            pairs=[(self.ids[r], s) for r, s in zip(rows.tolist(), scores.tolist(), strict=True)],
            errors=error_bound(mine, self.residuals[rows]).tolist(),
            beyond=float(error_bound(mine, self.largest_residual)),
            every_other=count >= len(self.ids) - 1,
        )

    @functools.cached_property
    def largest_residual(self) -> float:
        return float(self.residuals.max()) if len(self.residuals) else 0.0

    def _vector(self, row: int) -> np.ndarray:
        for part in self.parts:
            if row < part.ntotal:
                return np.asarray(part.reconstruct(row)).reshape(1, -1)
            row -= part.ntotal
        raise IndexError(row)

    @property
    def nbytes(self) -> int:
        codes = sum(int(part.sa_code_size()) * part.ntotal for part in self.parts)
        return codes + int(self.residuals.nbytes)


class ScanParts:
    """The quantised parts of a scan, filled a page of vectors at a time: up to SHARDS parts of
    `part_rows` rows (the last one takes whatever comes beyond), all on one quantiser range."""

    def __init__(self, part_rows: int) -> None:
        self.part_rows = part_rows
        self.parts: list[faiss.IndexScalarQuantizer] = []
        self.residuals: list[np.ndarray] = []
        self._untrained: list[np.ndarray] = []  # held until TRAIN_ROWS have come: the range
        self._range: np.ndarray | None = None

    def add(self, vectors: np.ndarray) -> None:
        """Add unit vectors (float32, one per row), in the order of their ids."""
        if self._range is None:
            self._untrained.append(vectors)
            if sum(len(held) for held in self._untrained) >= TRAIN_ROWS:
                self._train()
            return
        while len(vectors):
            if not self.parts or (self.parts[-1].ntotal >= self.part_rows and len(self.parts) < SHARDS):
                self.parts.append(quantised_part(vectors.shape[1], self._range))
            part = self.parts[-1]
            room = self.part_rows - part.ntotal if len(self.parts) < SHARDS else len(vectors)
            codes = part.sa_encode(vectors[:room])
            self.residuals.append(np.linalg.norm(vectors[:room] - part.sa_decode(codes), axis=1))
            part.add_sa_codes(codes)
            vectors = vectors[room:]

    def scan(self, revision: str, ids: list[str]) -> VectorScan:
        import faiss

        if self._range is None and self._untrained:
            self._train()
        dimensions = self.parts[0].d if self.parts else 1
        index = faiss.IndexShards(dimensions, True)  # threaded: parts side by side
        index.successive_ids = True  # a part's rows follow the previous part's
        for part in self.parts:
            index.add_shard(part)
        rows = {entity_id: row for row, entity_id in enumerate(ids)}
        residuals = np.concatenate(self.residuals) if self.residuals else np.zeros(0, np.float32)
        return VectorScan(revision, ids, rows, index, self.parts, residuals)

    def _train(self) -> None:
        held = np.concatenate(self._untrained)
        self._untrained = []
        largest = float(np.abs(held[:TRAIN_ROWS]).max()) * RANGE_SPARE  # the same whatever the pages
        self._range = np.array([-largest, 2 * largest], dtype=np.float32)  # faiss: (min, width)
        self.add(held)


def error_bound(mine: float, theirs: npt.ArrayLike) -> np.ndarray:
    """How far a scan cosine may be from the exact one, given the two vectors' residuals. The scan
    compares two quantised copies, q + r and x + s, of unit vectors q and x, so
    |<q + r, x + s> - <q, x>| = |<r, x + s> + <q, s>| <= |r| (1 + |s|) + |s| (Cauchy-Schwarz);
    float32 rounding adds less than 1e-5."""
    residuals = np.asarray(theirs, dtype=np.float64)
    return np.asarray(mine * (1 + residuals) + residuals + 1e-5)


def quantised_part(dimensions: int, value_range: np.ndarray) -> faiss.IndexScalarQuantizer:
    """An empty part that keeps each coordinate in one byte over `value_range` (minimum, width)."""
    import faiss

    part = faiss.IndexScalarQuantizer(
        dimensions, faiss.ScalarQuantizer.QT_8bit_uniform, faiss.METRIC_INNER_PRODUCT
    )
    faiss.copy_array_to_vector(value_range, part.sq.trained)
    part.is_trained = True
    return part


def read_scan(db: Database, queries: Queries, expected: int) -> VectorScan | None:
    """Read every stored embedding into a scan, or None when the graph changed during the read
    (the pages are separate transactions: the scan must be one revision's). Each page goes into
    the quantised parts as it comes, sized for `expected` vectors (about the graph's entities): the
    float32 vectors are never all held at once."""
    import faiss  # here, not at the top: only an API serving a large graph needs it (0.2 s to load)

    revision = db.revision()
    ids: list[str] = []
    parts = ScanParts(part_rows=max(1, -(-expected // SHARDS)))
    for records in db.read_pages(queries["similar_scan_vectors"], VECTOR_PAGE):
        vectors = np.asarray([r["embedding"] for r in records], dtype=np.float32)
        faiss.normalize_L2(vectors)
        parts.add(vectors)
        ids.extend(r["id"] for r in records)
    if db.revision() != revision:
        return None
    return parts.scan(revision, ids)


class VectorScans:
    """The scan of one database, for `GraphReader.similar`: `current()` answers the scan only when
    it is of the graph's current revision; `refresh()` reads a new one (the refresher's thread)."""

    def __init__(self, db: Database, queries: Queries, from_entities: int) -> None:
        """Scans are kept for graphs of `from_entities` embedded entities or more."""
        self.db = db
        self.queries = queries
        self.from_entities = from_entities
        self._scan: VectorScan | None = None
        self._reading = threading.Lock()

    def current(self) -> VectorScan | None:
        scan = self._scan
        if scan is None or scan.revision != self.db.revision():
            return None
        return scan

    def refresh(self, population: int) -> bool:
        """Read the vectors anew when the graph is large enough and the kept scan is not of its
        revision; whether a new scan is now kept."""
        if population < self.from_entities:
            self._scan = None  # a graph that shrank below the size gives its memory back
            return False
        scan = self._scan
        if scan is not None and scan.revision == self.db.revision():
            return False
        with self._reading:
            started = time.monotonic()
            self._scan = None  # the old one's memory before the new one's is taken
            fresh = read_scan(self.db, self.queries, population)
            if fresh is None:
                return False
            self._scan = fresh
        log.info(
            "kept a scan of %d embeddings (%.0f MB) in %.1f s",
            len(fresh.ids),
            fresh.nbytes / 1e6,
            time.monotonic() - started,
        )
        return True


class ScanRefresher(SettledRefresher):
    """Reads the scan anew once the graph has settled after a change (graph/refresh.py)."""

    name = "scan-refresher"

    def __init__(
        self, scans: VectorScans, population: Callable[[], int], poll_seconds: float, settle_seconds: float
    ) -> None:
        super().__init__(scans.db, poll_seconds, settle_seconds)
        self.scans = scans
        self.population = population

    def refresh(self) -> bool:
        return self.scans.refresh(self.population())
