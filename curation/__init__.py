"""Curation: graph-wide similarity candidates, and the decisions taken on them.

- candidates.py: entity pairs with a high cosine and no typed edge (exact, blocked numpy);
- planner.py: what a link, dismiss, merge or undo would change, checked against the graph;
- merge.py: the pure logic of folding a duplicate into its canonical entity;
- curator.py: applies plans in locked transactions, numbers decisions, reads them back.
"""
