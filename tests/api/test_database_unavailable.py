"""While Neo4j is down the API answers 503 with a clear message, and recovers by itself.

Marked slow: it starts a Neo4j of its own, and the default SIGKILL test
(tests/reliability/test_faults.py) checks the same answers around a crash. This one adds a clean
stop and start."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from neo4j_local.server import LocalNeo4j


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    """A server of this test's own, since the test stops it."""
    server = LocalNeo4j.disposable(tmp_path, pagecache="64m")
    try:
        server.start(die_with_parent=True)
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.neo4j
def test_api_answers_503_while_neo4j_is_down_and_recovers_without_restart(own_server: LocalNeo4j) -> None:
    settings = Settings(neo4j_uri=own_server.bolt_uri, neo4j_password=own_server.password(), _env_file=None)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/entities/concept:x").status_code == 404

        own_server.stop()
        down = client.get("/entities/concept:x")
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "database_unavailable"
        assert "Neo4j is not answering" in down.json()["error"]["message"]
        assert own_server.password() not in down.text
        assert client.get("/health").json() == {"status": "unavailable", "neo4j": False}

        own_server.start(die_with_parent=True)
        assert client.get("/health").json().items() >= {"status": "ok", "neo4j": True}.items()
        assert client.get("/entities/concept:x").status_code == 404
