"""Neo4j killed with SIGKILL in the middle of an ingest: after a restart, re-running the same ingest
gives exactly the graph a clean run gives; the API answers 503 while Neo4j is down and serves again,
without a restart of its own, once Neo4j is back."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, LiteralString

import neo4j
import pytest
from fastapi.testclient import TestClient
from neo4j.exceptions import DriverError, Neo4jError

from api.app import create_app
from core.db import Database, open_driver, resolve_connection
from core.errors import DatabaseUnavailable
from core.queries import Queries
from core.settings import Settings
from ingest.pipeline import Ingester, Progress
from neo4j_local.server import LocalNeo4j
from tests.conftest import empty_database
from tests.reliability.helpers import HashEmbedder, settings_for, write_synthetic_graph
from tests.snapshot import graph_snapshot

COUNTS = """
MATCH (n:Entity) WITH count(n) AS nodes, count(DISTINCT n.id) AS ids
RETURN nodes, ids, COUNT { ()-[]->() } AS relationships,
       COUNT { (m:Entity) WHERE m.embedding IS NULL } AS unembedded
"""

COMMITTED = {
    "entities": "MATCH (n:Entity) RETURN count(n) AS n",
    "embeddings": "MATCH (n:Entity) WHERE n.embedding IS NOT NULL RETURN count(n) AS n",
    "relations": "MATCH ()-[r]->() RETURN count(r) AS n",
}

# The synthetic graphs use the seed graph's types: its schema file is ingested with them.
SEED_SCHEMA = Path(__file__).resolve().parents[2] / "seeds" / "schema.yaml"


@pytest.fixture
def crash_server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    server = LocalNeo4j.disposable(tmp_path)
    try:
        server.start(die_with_parent=True)
        yield server
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "server", ignore_errors=True)


def open_db(settings: Settings) -> Database:
    connection = resolve_connection(settings)
    return Database(open_driver(connection, retry_seconds=2), connection.database)


def ingester(db: Database, settings: Settings, batch_size: int, progress: Progress | None = None) -> Ingester:
    ingester = Ingester(db, Queries(settings.cypher_dir), HashEmbedder(), batch_size=batch_size)
    if progress is not None:
        ingester.progress = progress
    return ingester


def ingest_until_killed(
    server: LocalNeo4j, db: Database, settings: Settings, graph: Path, stage: str, batch_size: int
) -> int:
    """Run the ingest and SIGKILL Neo4j once `stage` is half done, with its next batch written but
    not committed. Deterministic: the kill happens inside that batch's own transaction, after the
    server ran its query and before the commit, whatever the machine's speed.
    Returns how many items of the stage had been reported written."""
    reported: dict[str, int] = {}
    state = {"killed_in": ""}

    def progress(current: str, done: int, total: int) -> None:
        if current == stage and done >= total // 2 and done < total and not reported:
            reported["done"] = done

    real_write = db.write

    def write(query: LiteralString, **params: Any) -> list[neo4j.Record]:
        if reported and not state["killed_in"]:
            # The stage's next batch: run it in a transaction of its own, kill the server before
            # the commit, then let the ingest's own write meet the dead server.
            session = db.driver.session(database=db.database)
            try:
                session.begin_transaction().run(query, params).consume()
                server.kill()
                state["killed_in"] = query
            finally:
                with contextlib.suppress(DriverError, Neo4jError, OSError):
                    session.close()  # its transaction died with the server
        return real_write(query, **params)

    db.write = write  # type: ignore[method-assign]
    try:
        ingester(db, settings, batch_size, progress).ingest_paths([graph, SEED_SCHEMA])
    except DatabaseUnavailable:
        pass
    else:
        raise AssertionError(f"the ingest finished: stage {stage!r} never had a batch left at half")
    finally:
        del db.write  # the instance attribute: Database.write again
    assert state["killed_in"], f"the ingest failed before the kill, at {reported or 'no'} progress"
    return reported["done"]


def crash_restart_and_compare(
    server: LocalNeo4j, tmp_path: Path, stage: str, entities: int, relations: int, batch_size: int
) -> None:
    graph = write_synthetic_graph(tmp_path / "graph.jsonl", entities, relations)
    settings = settings_for(server, tmp_path / "state")
    db = open_db(settings)
    try:
        with TestClient(create_app(settings)) as api:
            assert api.get("/health").status_code == 200

            written = ingest_until_killed(server, db, settings, graph, stage, batch_size)
            assert server.pid() is None

            down = api.get("/entities/concept:c1")
            assert down.status_code == 503
            error = down.json()["error"]
            assert error["code"] == "database_unavailable"
            assert "Neo4j is not answering" in error["message"]
            assert server.password() not in down.text
            page = api.get("/e/concept:c1")
            assert page.status_code == 503
            assert "Neo4j is not answering" in page.text
            health = api.get("/health")
            assert (health.status_code, health.json()) == (503, {"status": "unavailable", "neo4j": False})

            server.start(die_with_parent=True)
            assert api.get("/health").json().items() >= {"status": "ok", "neo4j": True}.items()
            # What had committed survived the crash; the batch killed before its commit left nothing.
            assert db.read(COMMITTED[stage])[0]["n"] == written

            # The same driver, the same input.
            ingester(db, settings, batch_size).ingest_paths([graph, SEED_SCHEMA])
            after_crash = graph_snapshot(db)
            assert api.get("/entities/concept:c1").status_code == 200
            assert api.get("/e/concept:c1").status_code == 200

        counts = db.read(COUNTS)[0]
        assert (counts["nodes"], counts["ids"]) == (entities, entities)
        assert (counts["relationships"], counts["unembedded"]) == (relations, 0)

        empty_database(db)
        ingester(db, settings, batch_size).ingest_paths([graph, SEED_SCHEMA])
        assert graph_snapshot(db) == after_crash
    finally:
        db.driver.close()


@pytest.mark.neo4j
def test_sigkill_during_relation_writes_then_rerun_equals_a_clean_run_and_api_recovers(
    crash_server: LocalNeo4j, tmp_path: Path
) -> None:
    crash_restart_and_compare(
        crash_server, tmp_path, "relations", entities=500, relations=1000, batch_size=50
    )


@pytest.mark.slow
@pytest.mark.neo4j
@pytest.mark.parametrize("stage", ["entities", "embeddings", "relations"])
def test_sigkill_at_each_stage_of_a_larger_ingest_then_rerun_equals_a_clean_run(
    crash_server: LocalNeo4j, tmp_path: Path, stage: str
) -> None:
    crash_restart_and_compare(
        crash_server, tmp_path, stage, entities=10_000, relations=30_000, batch_size=1000
    )
