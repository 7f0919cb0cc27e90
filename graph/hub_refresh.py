"""Reads the largest hubs' page neighbourhoods ahead, in the background, after the graph changes.

The API keeps a hub's neighbourhood until the graph changes (graph/hub_cache.py), but the first
reader after a change would wait for it to be read again. Once the revision has settled
(graph/refresh.py), this reads the neighbourhoods of the `hubs` largest entities into the kept
answers, exactly as a page request would, largest first.
"""

from __future__ import annotations

from graph.reader import GraphReader
from graph.refresh import SettledRefresher

# Smaller hubs read fast enough for their first reader to pay it; reading ahead costs Neo4j time in
# proportion to the hubs' degrees, so only the largest are read (docs/performance.md has the figures).
REFRESH_FROM_DEGREE = 20_000
REFRESHED_HUBS = 64  # of the cache's 256 kept neighbourhoods: the rest stay for what readers open


class HubRefresher(SettledRefresher):
    name = "hub-refresher"

    def __init__(
        self,
        reader: GraphReader,
        poll_seconds: float,
        settle_seconds: float,
        hubs: int = REFRESHED_HUBS,
        min_degree: int = REFRESH_FROM_DEGREE,
    ) -> None:
        super().__init__(reader.db, poll_seconds, settle_seconds)
        self.reader = reader
        self.min_degree = min_degree
        self.hubs = hubs

    def refresh(self) -> int:
        """Read the largest hubs' page neighbourhoods at the current revision; how many."""
        db, queries = self.reader.db, self.reader.queries
        hubs = db.read(queries["hubs"], min_degree=self.min_degree, count=self.hubs)
        for hub in hubs:
            if self.stopping:
                break
            self.reader.neighborhood(hub["id"], degree=hub["degree"])  # the page's own call
        return len(hubs)
