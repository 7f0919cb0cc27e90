"""Fixtures: a real, disposable Neo4j for the whole session, and the pieces built on it.

The server runs in a temp folder on free ports. It is stopped and its folder deleted at the end of
the session, also when tests fail or the run is interrupted; and it is started with the kernel's
parent-death signal, so even a SIGKILLed test run leaves no Java process behind.
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
from core.settings import Settings
from ingest.embedding import MiniLMEmbedder
from ingest.pipeline import Ingester, read_all
from neo4j_local.server import LocalNeo4j, free_port

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    # SIGTERM (a CI time-out, `kill`) unwinds like Ctrl-C, so the teardown below still runs.
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    home = tmp_path_factory.mktemp("neo4j")
    server = LocalNeo4j(
        home=home / "server",
        password_file=home / "password",
        cache_dir=Settings().neo4j_cache_dir,
        bolt_port=free_port(),
        http_port=free_port(),
        heap="1g",
        pagecache="512m",
    )
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


@pytest.fixture
def db(session_db: Database) -> Database:
    """The test database, emptied before the test (indexes and constraints stay)."""
    # CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
    with session_db.driver.session(database=session_db.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return session_db


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


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def datasets() -> Path:
    if not DATASETS.exists():
        pytest.skip(f"shared datasets not found at {DATASETS}")
    return DATASETS
