"""The seed graph once per module, and a Searcher that embeds with the session's model."""

from __future__ import annotations

import pytest

from core.db import Database
from core.queries import Queries
from graph.search import QueryEmbedder, Searcher
from ingest.embedding import MiniLMEmbedder
from tests.conftest import SeedGraph


@pytest.fixture(scope="module")
def seeded_once(seed_graph: SeedGraph) -> Database:
    """The seed graph, loaded once for a module whose tests only read."""
    return seed_graph.load()


@pytest.fixture(scope="module")
def searcher(seeded_once: Database, queries: Queries, embedder: MiniLMEmbedder) -> Searcher:
    return Searcher(seeded_once, queries, QueryEmbedder(lambda: embedder))
