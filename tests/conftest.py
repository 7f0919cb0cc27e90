"""Fixtures: a real, disposable Neo4j for the whole session, and the pieces built on it.

The server runs in a temp folder on free ports. It is stopped and its folder deleted at the end of
the session, also when tests fail or the run is interrupted; and it is started with the kernel's
parent-death signal, so even a SIGKILLed test run leaves no Java process behind.

Every test that needs that server (through any fixture) is marked `neo4j` here, automatically, so
`pytest -m "not neo4j"` runs everything without a database; tests that start servers of their own,
or wait on the driver against a closed port, carry the mark explicitly. Tests reading the shared
public datasets (`../shared/datasets`, large files) are marked `datasets`: the fast layer, pure
logic in seconds, is `pytest -m "not neo4j and not datasets"`.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database, open_driver, resolve_connection
from core.queries import Queries
from core.schema import read_schema_file, store_schema
from core.settings import PROJECT_ROOT, Settings
from ingest.embedding import Embedder, MiniLMEmbedder
from ingest.pipeline import Ingester, read_all
from neo4j_local.server import LocalNeo4j

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
SEEDS = PROJECT_ROOT / "seeds"
SESSION_SERVER = "neo4j_server"  # every database fixture below depends on it
SHARED_DATASETS = "datasets"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `neo4j` every test that uses the session server, and `datasets` every test that reads
    the shared public datasets, directly or through other fixtures."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if SESSION_SERVER in fixtures:
            item.add_marker(pytest.mark.neo4j)
        if SHARED_DATASETS in fixtures:
            item.add_marker(pytest.mark.datasets)


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    # SIGTERM (a CI time-out, `kill`) unwinds like Ctrl-C, so the teardown below still runs.
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    home = tmp_path_factory.mktemp("neo4j")
    server = LocalNeo4j.disposable(home, heap="1g", pagecache="512m")
    try:
        server.start(die_with_parent=True)
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def settings(neo4j_server: LocalNeo4j, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the test server, the way NEO4J_URI would point at any other."""
    return Settings(
        neo4j_uri=neo4j_server.bolt_uri,
        neo4j_user="neo4j",
        neo4j_password=neo4j_server.password(),
        state_dir=tmp_path_factory.mktemp("state"),
        hub_refresh_poll_seconds=0,  # tests that count neighbourhood reads need no reader beside them
        _env_file=None,
    )


@pytest.fixture(scope="session")
def queries(settings: Settings) -> Queries:
    return Queries(settings.cypher_dir)


@pytest.fixture(scope="session")
def session_db(settings: Settings) -> Iterator[Database]:
    connection = resolve_connection(settings)
    driver = open_driver(connection, retry_seconds=5)
    yield Database(driver, connection.database)
    driver.close()


def empty_database(db: Database) -> None:
    """Delete every node and relationship (indexes and constraints stay)."""
    db.write_in_transactions("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


@pytest.fixture
def db(session_db: Database, queries: Queries) -> Database:
    """The test database, emptied before the test (indexes and constraints stay), with the seed
    graph's schema stored as `atlas ingest seeds/` stores it: records of its types can be ingested
    without a schema file of their own."""
    return fresh_database(session_db, queries)


def fresh_database(db: Database, queries: Queries) -> Database:
    """Empty, with the seed graph's schema (see the `db` fixture)."""
    empty_database(db)
    store_schema(db, queries, read_schema_file(SEEDS / "schema.yaml"))
    return db


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def ingester(db: Database, queries: Queries, embedder: MiniLMEmbedder) -> Ingester:
    return Ingester(db, queries, embedder, batch_size=100)


@pytest.fixture
def ingest(ingester: Ingester) -> Any:
    """Ingest files or folders into the (emptied) test database."""

    def run(*paths: Path) -> Any:
        return ingester.ingest_records(*read_all(list(paths)))

    return run


class CachedEmbedder:
    """The session's model, remembering each text's vector: the seed graph is loaded many times
    per session, its texts need embedding once. Same vectors, same model name, same hashes."""

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.model_name = model.model_name
        self._vectors: dict[str, list[float]] = {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(text for text in texts if text not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self.model.embed(missing), strict=True))
        return [self._vectors[text] for text in texts]


class SeedGraph:
    """Loads `seeds/` (the Alignment Faking graph) into the test database, and only when needed:
    if nothing committed since the last load (the database's revision has not moved), the graph is
    still exactly the seeds and is reused."""

    def __init__(self, db: Database, queries: Queries, embedder: Embedder) -> None:
        self.db = db
        self.queries = queries
        self.embedder = CachedEmbedder(embedder)
        self._revision: str | None = None

    def load(self) -> Database:
        if self._revision is None or self.db.revision() != self._revision:
            empty_database(self.db)
            Ingester(self.db, self.queries, self.embedder).ingest_paths([SEEDS])
            self._revision = self.db.revision()
        return self.db


@pytest.fixture(scope="session")
def seed_graph(session_db: Database, queries: Queries, embedder: MiniLMEmbedder) -> SeedGraph:
    """The one way tests get the seed graph: `seeded` per test, or `seed_graph.load()` in a
    module-scoped fixture whose tests only read."""
    return SeedGraph(session_db, queries, embedder)


@pytest.fixture
def seeded(db: Database, seed_graph: SeedGraph) -> Database:
    """The test database holding exactly the seed graph. After `db` (which empties it), so a test
    that also asks for `client` or `ingest` still finds the seeds."""
    return seed_graph.load()


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"shared datasets not found at {DATASETS}")
    return DATASETS
