"""Reading the graph: entity pages, neighborhoods, similar entities, search, stats and listings.

`GraphReader` (reader.py) answers every read; `HubCache` keeps the neighborhoods of hubs until the
graph changes, and `HubRefresher` reads the largest ones ahead in the background.
"""
