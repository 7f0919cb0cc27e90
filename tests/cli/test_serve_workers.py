"""`atlas serve --workers 2`: two processes answer on one port, each with its own caches that a
change made through the driver still makes fresh, and one of them (the holder of a lock) reads hubs ahead."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.cache import claim
from core.settings import Settings
from neo4j_local.server import free_port
from tests.servers import wait_until_healthy

PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def two_workers(settings: Settings, seeded, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    port = free_port()
    state = tmp_path / "state"
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "NEO4J_URI": str(settings.neo4j_uri),
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": str(settings.neo4j_password),
        "ATLAS_STATE_DIR": str(state),
        "ATLAS_API_KEY": "",
        "ATLAS_HUB_REFRESH_POLL_SECONDS": "0.2",
        "ATLAS_HUB_REFRESH_SETTLE_SECONDS": "0",
    }
    command = [sys.executable, "-m", "cli", "serve", "--workers", "2", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, exited=lambda: None if process.poll() is None else log.read_text())
        yield base, state, log
    finally:
        process.terminate()
        process.wait(30)


def worker_pids(log: Path) -> set[str]:
    return set(re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace")))


def test_two_workers_answer_and_a_change_through_the_driver_shows_in_both(two_workers, db) -> None:
    base, _, log = two_workers
    deadline = time.monotonic() + 30
    while len(worker_pids(log)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(worker_pids(log)) == 2
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(10):  # connections spread over both workers; each keeps its own answer
            assert client.get(f"/entities/{PAGE_ID}").status_code == 200
        db.write("MATCH (n:Entity {id: $id}) SET n.name = 'Renamed in Browser'", id=PAGE_ID)
        names = set()
        for _ in range(10):
            with httpx.Client(base_url=base, timeout=10) as fresh:  # a new connection each time
                names.add(fresh.get(f"/entities/{PAGE_ID}").json()["entity"]["name"])
    assert names == {"Renamed in Browser"}


def test_one_worker_holds_the_read_ahead_lock(two_workers) -> None:
    _, state, _ = two_workers
    lock = state / "hub-refresh.lock"
    deadline = time.monotonic() + 30
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    held = claim(lock)
    assert held is None, "a worker holds the read-ahead lock"


def test_an_idle_keep_alive_connection_outlives_a_clients_pool_expiry(two_workers) -> None:
    """A client reuses a connection it kept idle for a few seconds (httpx keeps one 5 s): the
    server must not have closed it meanwhile, or that request fails on the client."""
    base, _, _ = two_workers
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", "/health")
        first = connection.getresponse()
        assert first.status == 200 and first.read()
        socket_used = connection.sock
        time.sleep(6)  # longer than uvicorn's default keep-alive of 5 s
        connection.request("GET", "/health")  # on the same socket: http.client reopens only a closed one
        assert connection.sock is socket_used
        second = connection.getresponse()  # RemoteDisconnected where the server closed it
        assert second.status == 200 and second.read()
    finally:
        connection.close()
