"""Reads the largest hubs' page neighbourhoods ahead, in the background, after the graph changes.

The API keeps a hub's neighbourhood until the graph changes (graph/hub_cache.py), but the first
reader after a change would wait for it to be read again. Once the revision has settled
(graph/refresh.py), this reads the neighbourhoods of the `hubs` largest entities into the kept
answers, exactly as a page request would, largest first.
"""

from __future__ import annotations

from graph.hub_cache import HUB_DEGREE
from graph.reader import GraphReader
from graph.refresh import SettledRefresher

# Every neighbourhood the cache keeps is worth reading ahead: a hub of 2,000-7,000 relationships
# still took 46-198 ms at its first request when only those of 20,000 and more were read
# (docs/performance.md). Reading costs Neo4j time in proportion to the degrees, in the background
# after each settled change: at 1M entities, 1-2 s for each hub of 100k+ and 0.1-0.3 s for each of
# 3,000-11,000.
REFRESH_FROM_DEGREE = HUB_DEGREE
REFRESHED_HUBS = 128  # of the cache's 256 kept neighbourhoods: the rest stay for what readers open


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
