"""Reads the largest hubs' page neighbourhoods ahead, in the background, after the graph changes.

The API keeps a hub's neighbourhood until the graph changes (graph/hub_cache.py), but the first
reader after a change would wait for it to be read again. This thread
watches the database revision; once it has stayed the same for `settle_seconds` (an ingest
commits every few seconds, and reading ahead in the middle of one would only slow it down), it
reads the neighbourhoods of the `hubs` largest entities into the kept answers, exactly as a page
request would, largest first.
"""

from __future__ import annotations

import logging
import threading
import time

from core.errors import ConfigurationError, DatabaseUnavailable
from graph.reader import GraphReader

# Smaller hubs read fast enough for their first reader to pay it; reading ahead costs Neo4j time in
# proportion to the hubs' degrees, so only the largest are read (docs/performance.md has the figures).
REFRESH_FROM_DEGREE = 20_000
REFRESHED_HUBS = 64  # of the cache's 256 kept neighbourhoods: the rest stay for what readers open
log = logging.getLogger("atlas.api.hubs")


class HubRefresher:
    def __init__(
        self,
        reader: GraphReader,
        poll_seconds: float,
        settle_seconds: float,
        hubs: int = REFRESHED_HUBS,
        min_degree: int = REFRESH_FROM_DEGREE,
    ) -> None:
        self.reader = reader
        self.min_degree = min_degree
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.hubs = hubs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hub-refresher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def refresh(self) -> int:
        """Read the largest hubs' page neighbourhoods at the current revision; how many."""
        db, queries = self.reader.db, self.reader.queries
        hubs = db.read(queries["hubs"], min_degree=self.min_degree, count=self.hubs)
        for hub in hubs:
            if self._stop.is_set():
                break
            self.reader.neighborhood(hub["id"], degree=hub["degree"])  # the page's own call
        return len(hubs)

    def _run(self) -> None:
        refreshed_at: str | None = None
        seen, seen_since = "", time.monotonic()
        while not self._stop.wait(self.poll_seconds):
            try:
                revision = self.reader.db.revision()
                if revision != seen:
                    seen, seen_since = revision, time.monotonic()
                settled = time.monotonic() - seen_since >= self.settle_seconds
                if revision != refreshed_at and settled:
                    count = self.refresh()
                    refreshed_at = revision
                    log.debug("read %d hub neighbourhoods ahead at %s", count, revision)
            except (DatabaseUnavailable, ConfigurationError):
                pass  # Neo4j is down or restarting: requests answer 503; try again at the next poll
            except Exception:  # a bug here must not stop the thread: pages still compute on demand
                log.exception("reading hub neighbourhoods ahead failed")
