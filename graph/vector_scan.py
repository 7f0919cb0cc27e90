"""An exact scan over every stored embedding, kept in the API process, for graphs where Neo4j's
vector index loses neighbours.

Neo4j's HNSW index is approximate: against a brute force it returned 98% of the true top 20 at
200,000 entities with 200 candidates, and 72% at 1,000,000 with 40, 99.2% with 400
(docs/performance.md, similar at scale). A scan of every vector misses nothing. It holds one
float16 copy of the unit vectors in faiss flat indexes (768 bytes per entity: 768 MB at 1M, per
API worker) and answers which entities are nearest; `similar.cypher` then ranks those by the
exact cosine of the stored float32 vectors and applies every other rule, as it does for the
index's candidates. float16 moves a cosine by about 1e-3, so the candidates asked for (at least
twice the items shown) hold the exact top items.

A scan is read for one graph revision and used only while the graph is at that revision: after
any change `similar` asks the index again until `VectorScans` has read the vectors anew, in the
background once the revision has settled (graph/refresh.py). So an answer never comes from vectors
older than the graph it describes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.db import Database
from core.queries import Queries
from graph.refresh import SettledRefresher

if TYPE_CHECKING:
    import faiss

VECTOR_PAGE = 10_000  # rows per read: 15 MB of float32 vectors
log = logging.getLogger("atlas.graph.scan")


# One query scans its shards on as many cores at once: 1M vectors in 28 ms on 2 cores, against
# 42 ms in one piece (docs/performance.md). Under many readers at once the cores are busy anyway.
SHARDS = max(1, min(os.cpu_count() or 1, 4))
# float16 moves each coordinate of a unit vector by at most 2^-11 of itself, so a cosine by at most
# about 1e-3; ten times that leaves room.
FLOAT16_ERROR = 0.01


@dataclass(frozen=True)
class VectorScan:
    """Every embedded entity's unit vector at one graph revision, in float16, in `parts` of
    consecutive rows that `index` scans side by side."""

    revision: str
    ids: list[str]
    rows: dict[str, int]
    index: faiss.IndexShards
    parts: list[faiss.IndexScalarQuantizer]  # kept here too: `index` does not own them

    def nearest(self, entity_id: str, count: int) -> list[tuple[str, float]] | None:
        """The `count` entities nearest to `entity_id` (itself left out), nearest first, with their
        float16 cosine (within FLOAT16_ERROR of the exact one); None when the scan does not hold it."""
        row = self.rows.get(entity_id)
        if row is None:
            return None
        scores, found = self.index.search(self._vector(row), min(count + 1, len(self.ids)))
        pairs = zip(found[0].tolist(), scores[0].tolist(), strict=True)
        return [(self.ids[r], score) for r, score in pairs if r >= 0 and r != row][:count]

    def _vector(self, row: int) -> np.ndarray:
        for part in self.parts:
            if row < part.ntotal:
                return np.asarray(part.reconstruct(row)).reshape(1, -1)
            row -= part.ntotal
        raise IndexError(row)

    @property
    def nbytes(self) -> int:
        return sum(int(part.sa_code_size()) * part.ntotal for part in self.parts)


def read_scan(db: Database, queries: Queries, expected: int) -> VectorScan | None:
    """Read every stored embedding into a scan, or None when the graph changed during the read
    (the pages are separate transactions: the scan must be one revision's). Each page goes into
    the float16 parts as it comes, sized for `expected` vectors (about the graph's entities): the
    float32 vectors are never all held at once."""
    import faiss  # here, not at the top: only an API serving a large graph needs it (0.2 s to load)

    revision = db.revision()
    part_rows = max(1, -(-expected // SHARDS))
    ids: list[str] = []
    parts: list[faiss.IndexScalarQuantizer] = []
    for records in db.read_pages(queries["similar_scan_vectors"], VECTOR_PAGE):
        vectors = np.asarray([r["embedding"] for r in records], dtype=np.float32)
        faiss.normalize_L2(vectors)
        while len(vectors):
            if not parts or (parts[-1].ntotal >= part_rows and len(parts) < SHARDS):
                parts.append(
                    faiss.IndexScalarQuantizer(
                        vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
                    )
                )
            # The last part takes whatever comes beyond `expected` (a count some seconds old).
            room = part_rows - parts[-1].ntotal if len(parts) < SHARDS else len(vectors)
            parts[-1].add(vectors[:room])
            vectors = vectors[room:]
        ids.extend(r["id"] for r in records)
    if db.revision() != revision:
        return None
    index = faiss.IndexShards(parts[0].d if parts else 1, True)  # threaded: parts side by side
    index.successive_ids = True  # a part's rows follow the previous part's
    for part in parts:
        index.add_shard(part)
    rows = {entity_id: row for row, entity_id in enumerate(ids)}
    return VectorScan(revision, ids, rows, index, parts)


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
