"""The bulk first load (ingest/bulk.py): neo4j-admin database import into an empty database of a
server Atlas runs, compared with what the Bolt path writes from the same records.

The Bolt side is the session server (tests/conftest.py); the bulk side is a server of this module,
which the loads stop and start. Both get the same embedder, so the vectors are the same.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database, forget_bookmarks, open_driver
from core.queries import Queries
from core.settings import Settings
from ingest.bulk import BulkIngester, BulkLoadError, BulkLoadRefused, BulkMode
from ingest.embedding import Embedder, HashingEmbedder
from ingest.pipeline import Ingester, IngestSummary
from ingest.readers import RawRecord
from neo4j_local.server import LocalNeo4j
from tests.conftest import SEEDS, SeedGraph, empty_database
from tests.snapshot import graph_snapshot

# Every property's stored Neo4j type: the snapshot's Python values cannot tell an INTEGER from a
# FLOAT stored as a whole number, or a list of floats from one of integers.
PROPERTY_TYPES = """
MATCH (n)
UNWIND keys(n) AS key
RETURN coalesce(n.id, labels(n)[0]) AS node, key, valueType(n[key]) AS type
ORDER BY node, key
"""
RELATIONSHIP_PROPERTY_TYPES = """
MATCH (a)-[r]->(b)
UNWIND keys(r) AS key
RETURN a.id AS source, type(r) AS rel, b.id AS target, key, valueType(r[key]) AS type
ORDER BY source, rel, target, key
"""
ONLINE_INDEXES = "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN collect(name) AS names"
SETUP_INDEXES = {"entity_id", "entity_text", "entity_embedding"}
PAGE_ID = "concept:alignment-faking"


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    server = LocalNeo4j.disposable(tmp_path_factory.mktemp("bulk"), heap="512m", pagecache="128m")
    server.start(die_with_parent=True, timeout=600)  # a busy machine starts a JVM slowly
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bulk_db(bulk_server: LocalNeo4j) -> Iterator[Database]:
    """The bulk server's database, emptied (the load itself replaces indexes and constraints)."""
    if bulk_server.pid() is None:  # a test left it stopped
        bulk_server.start(die_with_parent=True)
    driver = open_driver(_connection(bulk_server), retry_seconds=60)
    db = Database(driver, "neo4j")
    empty_database(db)
    yield db
    driver.close()


def _connection(server: LocalNeo4j) -> Any:
    from core.db import Connection

    return Connection(server.bolt_uri, "neo4j", server.password(), "neo4j")


def _bulk(
    db: Database, queries: Queries, embedder: Embedder, server: LocalNeo4j, **options: Any
) -> BulkIngester:
    return BulkIngester(
        db, queries, embedder, server=server, mode=options.pop("mode", BulkMode.on), **options
    )


def _types(db: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        [record.data() for record in db.read(PROPERTY_TYPES)],
        [record.data() for record in db.read(RELATIONSHIP_PROPERTY_TYPES)],
    )


@dataclass
class SeedsBulkLoad:
    """One bulk load of the seeds into the bulk server, watched through the API while it ran: the
    first four tests read it (a load costs a server stop, an import and a start), the rest of the
    module starts from an empty database."""

    db: Database
    ingester: BulkIngester
    summary: IngestSummary
    during: list[int]  # /health and the seed page while neo4j-admin ran
    after: list[int]
    similar_after: list[dict[str, Any]]


@pytest.fixture(scope="module")
def seeds_bulk_load(
    bulk_server: LocalNeo4j, seed_graph: SeedGraph, queries: Queries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeedsBulkLoad]:
    driver = open_driver(_connection(bulk_server), retry_seconds=60)
    db = Database(driver, "neo4j")
    empty_database(db)
    settings = Settings(
        neo4j_uri=bulk_server.bolt_uri,
        neo4j_user="neo4j",
        neo4j_password=bulk_server.password(),
        state_dir=tmp_path_factory.mktemp("state"),
        hub_refresh_poll_seconds=0,
        _env_file=None,
    )
    during: list[int] = []
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200

        def while_importing(process: subprocess.Popen[str]) -> None:
            during.append(client.get("/health").status_code)
            during.append(client.get(f"/entities/{PAGE_ID}").status_code)

        ingester = _bulk(db, queries, seed_graph.embedder, bulk_server, import_started=while_importing)
        summary = ingester.ingest_paths([SEEDS])
        after = [client.get("/health").status_code, client.get(f"/entities/{PAGE_ID}").status_code]
        similar = client.get(f"/entities/{PAGE_ID}").json()["similar"]["items"]
    yield SeedsBulkLoad(db, ingester, summary, during, after, similar)
    driver.close()


def test_bulk_load_of_the_seeds_is_the_graph_the_bolt_path_writes(
    seeded: Database, seeds_bulk_load: SeedsBulkLoad
) -> None:
    bolt_snapshot, bolt_types = graph_snapshot(seeded), _types(seeded)
    bulk_db, summary = seeds_bulk_load.db, seeds_bulk_load.summary

    assert seeds_bulk_load.ingester.bulk_loaded
    assert graph_snapshot(bulk_db) == bolt_snapshot
    assert _types(bulk_db) == bolt_types
    assert any(
        row["key"] == "embedding" and row["type"] == "LIST<FLOAT NOT NULL> NOT NULL" for row in bolt_types[0]
    )
    assert set(bulk_db.read(ONLINE_INDEXES)[0]["names"]) >= SETUP_INDEXES
    assert summary.entities.created == len(bolt_snapshot["nodes"]) - _non_entities(bolt_snapshot)
    assert summary.relations.created == len(bolt_snapshot["relationships"])
    assert summary.embeddings_computed == summary.entities.created


def test_api_answers_503_while_the_server_is_down_for_the_import_and_recovers(
    seeds_bulk_load: SeedsBulkLoad,
) -> None:
    assert seeds_bulk_load.during == [503, 503]
    assert seeds_bulk_load.after == [200, 200]
    assert seeds_bulk_load.similar_after  # the vector index answers again


def test_re_ingest_after_a_bulk_load_changes_nothing_and_embeds_nothing(
    seeds_bulk_load: SeedsBulkLoad, seed_graph: SeedGraph, queries: Queries, bulk_server: LocalNeo4j
) -> None:
    loaded = graph_snapshot(seeds_bulk_load.db)

    again = _bulk(seeds_bulk_load.db, queries, seed_graph.embedder, bulk_server, mode=BulkMode.auto)
    summary = again.ingest_paths([SEEDS])

    assert not again.bulk_loaded  # the database holds entities now: the Bolt path
    assert summary.embeddings_computed == 0
    assert summary.entities.created == summary.entities.updated == 0
    assert graph_snapshot(seeds_bulk_load.db) == loaded


def test_bulk_on_refuses_a_database_that_holds_entities(
    seeds_bulk_load: SeedsBulkLoad, seed_graph: SeedGraph, queries: Queries, bulk_server: LocalNeo4j
) -> None:
    before = graph_snapshot(seeds_bulk_load.db)
    with pytest.raises(BulkLoadRefused, match="already holds entities"):
        _bulk(seeds_bulk_load.db, queries, seed_graph.embedder, bulk_server).ingest_paths([SEEDS])
    assert graph_snapshot(seeds_bulk_load.db) == before


def test_an_import_killed_half_way_leaves_the_database_empty_and_a_rerun_completes(
    seeded: Database, seed_graph: SeedGraph, queries: Queries, bulk_db: Database, bulk_server: LocalNeo4j
) -> None:
    bolt_snapshot = graph_snapshot(seeded)

    def kill_soon(process: subprocess.Popen[str]) -> None:
        threading.Timer(1.5, process.kill).start()

    failing = _bulk(bulk_db, queries, seed_graph.embedder, bulk_server, import_started=kill_soon)
    with pytest.raises(BulkLoadError) as raised:
        failing.ingest_paths([SEEDS])

    message = str(raised.value)
    assert "neo4j-admin database import full" in message
    assert "killed by SIGKILL" in message
    assert "left empty" in message
    assert bulk_server.pid() is not None  # serving again
    assert bulk_db.read(queries["bulk_target_state"])[0]["empty"]
    assert not bulk_server.bulk_load_marker.exists()

    _bulk(bulk_db, queries, seed_graph.embedder, bulk_server).ingest_paths([SEEDS])
    assert graph_snapshot(bulk_db) == bolt_snapshot


def test_a_server_started_after_an_interrupted_load_discards_the_half_loaded_database(
    seed_graph: SeedGraph, queries: Queries, bulk_db: Database, bulk_server: LocalNeo4j
) -> None:
    # What a load leaves when its own process dies after the import: a full store (written here
    # through Bolt, which is quicker than an import and makes the same store), and the marker.
    Ingester(bulk_db, queries, seed_graph.embedder).ingest_paths([SEEDS])
    assert not bulk_db.read(queries["bulk_target_state"])[0]["empty"]
    finished = subprocess.Popen(["true"])
    finished.wait()  # a process that is gone, as the interrupted load's is
    bulk_server.bulk_load_marker.write_text(json.dumps({"database": "neo4j", "pid": finished.pid}))
    bulk_server.stop()

    bulk_server.start(die_with_parent=True)
    # A new store's transaction ids begin again: this driver's bookmarks from the old one can never
    # be reached, and waiting for them costs a minute a query before Database gives up on them.
    forget_bookmarks(bulk_db.driver, bulk_db.database)

    assert bulk_db.read(queries["bulk_target_state"])[0]["empty"]
    assert not bulk_server.bulk_load_marker.exists()


def test_bulk_on_names_why_it_cannot_run_and_auto_takes_the_bolt_path(
    db: Database, queries: Queries, seed_graph: SeedGraph
) -> None:
    with pytest.raises(BulkLoadRefused, match="NEO4J_URI is set"):
        _bulk(db, queries, seed_graph.embedder, None).ingest_paths([SEEDS])  # type: ignore[arg-type]
    assert db.read(queries["bulk_target_state"])[0]["empty"]

    auto = BulkIngester(db, queries, seed_graph.embedder, server=None, mode=BulkMode.auto, min_records=1)
    auto.ingest_paths([SEEDS])
    assert not auto.bulk_loaded
    assert not db.read(queries["bulk_target_state"])[0]["empty"]


def test_bulk_load_of_a_wn18rr_sample_is_the_graph_the_bolt_path_writes(
    db: Database, datasets: Path, queries: Queries, bulk_db: Database, bulk_server: LocalNeo4j
) -> None:
    from ingest.schema_use import DatasetTypes
    from ingest.sources.wn18rr import SCHEMA, read_wn18rr

    records, problems = _wn18rr_sample(read_wn18rr(datasets / "wn18rr"), relations=1000)
    embedder = HashingEmbedder()
    empty_database(db)  # no stored schema on either side: each ends with WN18RR's types alone
    Ingester(db, queries, embedder).ingest_records(records, problems, DatasetTypes(SCHEMA))
    bulk = _bulk(bulk_db, queries, embedder, bulk_server)
    bulk.ingest_records(records, problems, DatasetTypes(SCHEMA))

    assert bulk.bulk_loaded
    assert graph_snapshot(bulk_db) == graph_snapshot(db)
    assert _types(bulk_db) == _types(db)


def _wn18rr_sample(
    read: tuple[list[RawRecord], list[Any]], relations: int
) -> tuple[list[RawRecord], list[Any]]:
    """The first `relations` triples and the entities they join (many with quoted text, all with
    empty alias lists), plus the synsets joined to themselves."""
    records, problems = read
    kept = [r for r in records if r.data["kind"] == "relation"][:relations]
    kept += [r for r in records if r.data["kind"] == "relation" and r.data["source"] == r.data["target"]]
    ids = {r.data[end] for r in kept for end in ("source", "target")}
    entities = [r for r in records if r.data["kind"] == "entity" and r.data["id"] in ids]
    return entities + list({id(r): r for r in kept}.values()), problems


def _non_entities(snapshot: dict[str, Any]) -> int:
    return sum(1 for _, labels, _ in snapshot["nodes"] if "Entity" not in labels)
