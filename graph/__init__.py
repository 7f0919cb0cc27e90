"""Reading the graph: entity pages, neighborhoods, similar entities, search, stats and listings.

`GraphReader` (reader.py) answers every read; `HubCache` keeps the neighborhoods of hubs until the
graph changes, and `HubRefresher` reads the largest ones ahead in the background. On large graphs
`VectorScans` keeps an exact scan of every embedding for `similar` (vector_scan.py), read again by
`ScanRefresher` after changes; both refreshers wait for the graph to settle (refresh.py).
"""
