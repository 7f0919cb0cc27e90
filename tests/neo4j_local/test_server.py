"""The local Neo4j: real server, loopback only, auth on, cached jars, data kept across restarts."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from core.settings import Settings
from neo4j_local.server import LocalNeo4j, free_port, pinned_version, resolve_jars

ATLAS = [sys.executable, "-m", "cli"]


def test_server_listens_on_loopback_only(neo4j_server: LocalNeo4j) -> None:
    pid = neo4j_server.pid()
    assert pid is not None
    listening = [c.laddr for c in psutil.Process(pid).net_connections(kind="inet") if c.status == "LISTEN"]
    assert {neo4j_server.bolt_port, neo4j_server.http_port} <= {addr.port for addr in listening}
    assert all(addr.ip in ("127.0.0.1", "::ffff:127.0.0.1") for addr in listening), listening


def test_authentication_is_on(neo4j_server: LocalNeo4j) -> None:
    driver = GraphDatabase.driver(neo4j_server.bolt_uri, auth=("neo4j", "wrong-password"))
    with driver, pytest.raises(AuthError):
        driver.verify_connectivity()


def test_password_file_is_readable_by_its_owner_only(neo4j_server: LocalNeo4j) -> None:
    mode = stat.S_IMODE(neo4j_server.password_file.stat().st_mode)
    assert mode == 0o600


def test_the_pinned_version_is_the_one_running(neo4j_server: LocalNeo4j) -> None:
    with GraphDatabase.driver(neo4j_server.bolt_uri, auth=("neo4j", neo4j_server.password())) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
    assert records[0]["v"] == pinned_version()
    assert pinned_version().startswith("5.26.")


def test_resolved_jars_are_reused_without_maven(neo4j_server: LocalNeo4j, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # any call to mvn would now fail
    lib = resolve_jars(Settings().neo4j_cache_dir)
    assert (lib / ".complete").exists()
    assert any(jar.name.startswith("org.neo4j.neo4j-") for jar in lib.glob("*.jar"))


def test_cli_start_is_idempotent_and_data_survives_stop_and_start(tmp_path: Path, neo4j_server) -> None:
    env = {
        **os.environ,
        "ATLAS_STATE_DIR": str(tmp_path / "state"),
        "ATLAS_NEO4J_BOLT_PORT": str(free_port()),
        "ATLAS_NEO4J_HTTP_PORT": str(free_port()),
        "ATLAS_NEO4J_HEAP": "512m",
        "ATLAS_NEO4J_PAGECACHE": "128m",
    }
    env.pop("NEO4J_URI", None)

    def atlas(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ATLAS, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    try:
        started = atlas("neo4j", "start", "--json")
        assert started.returncode == 0, started.stderr
        info = json.loads(started.stdout)
        assert info["bolt_uri"] == f"bolt://127.0.0.1:{env['ATLAS_NEO4J_BOLT_PORT']}"
        assert atlas("neo4j", "start").returncode == 0  # a second start is harmless
        password = (tmp_path / "state" / "neo4j-password").read_text().strip()
        with GraphDatabase.driver(info["bolt_uri"], auth=("neo4j", password)) as driver:
            driver.execute_query("CREATE (:Marker {value: 42})")
        status = json.loads(atlas("neo4j", "status", "--json").stdout)
        assert status["running"] and status["version"] == pinned_version()
        assert atlas("neo4j", "stop").returncode == 0
        stopped = atlas("neo4j", "status", "--json")
        assert stopped.returncode == 3 and json.loads(stopped.stdout)["running"] is False
        assert atlas("neo4j", "start").returncode == 0
        with GraphDatabase.driver(info["bolt_uri"], auth=("neo4j", password)) as driver:
            records, _, _ = driver.execute_query("MATCH (m:Marker) RETURN m.value AS v")
        assert [r["v"] for r in records] == [42]
    finally:
        atlas("neo4j", "stop")
    server = LocalNeo4j(home=tmp_path / "state" / "neo4j", password_file=tmp_path / "pw", cache_dir=tmp_path)
    assert server.pid() is None  # no Java process left behind
