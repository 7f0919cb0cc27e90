"""Work done in the background once the graph has stopped changing.

A thread watches the database revision; once it has stayed the same for `settle_seconds` (an
ingest commits every few seconds, and reading ahead in the middle of one would only slow it down),
it calls `refresh()` once for that revision. Subclasses say what a refresh reads: the largest hubs'
neighbourhoods (graph/hub_refresh.py), the vectors of the similar scan (graph/vector_scan.py).
"""

from __future__ import annotations

import logging
import threading
import time

from core.db import Database
from core.errors import ConfigurationError, DatabaseUnavailable

log = logging.getLogger("atlas.graph.refresh")


class SettledRefresher:
    name = "refresher"

    def __init__(self, db: Database, poll_seconds: float, settle_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.refreshed_revision: str | None = None  # the revision last read ahead

    def is_current(self) -> bool:
        """Whether what it read ahead is of the graph's current revision (one empty read)."""
        return self.refreshed_revision is not None and self.refreshed_revision == self.db.revision()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def refresh(self) -> object:
        """Read ahead at the current revision; what was read, for the log."""
        raise NotImplementedError

    def _run(self) -> None:
        seen, seen_since = "", time.monotonic()
        while not self._stop.wait(self.poll_seconds):
            try:
                revision = self.db.revision()
                if revision != seen:
                    seen, seen_since = revision, time.monotonic()
                settled = time.monotonic() - seen_since >= self.settle_seconds
                if revision != self.refreshed_revision and settled:
                    done = self.refresh()
                    self.refreshed_revision = revision
                    log.debug("%s at %s: %s", self.name, revision, done)
            except (DatabaseUnavailable, ConfigurationError):
                pass  # Neo4j is down or restarting: requests answer 503; try again at the next poll
            except Exception:  # a bug here must not stop the thread: pages still compute on demand
                log.exception("%s failed", self.name)
