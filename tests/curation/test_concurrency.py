"""Many curators at once: decisions on different entities all succeed with distinct numbers;
decisions on the same entities each succeed or get a 409, and the graph is what some serial order
of the successful ones gives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from curation.curator import Curator
from tests.curation.conftest import API_KEY, graph_state, write_records

THREADS = 20
CONCEPTS: list[dict[str, Any]] = [
    {"kind": "entity", "type": "concept", "id": f"concept:c{n:02d}", "name": f"Concept {n}"}
    for n in range(2 * THREADS)
]
HEADERS = {"X-API-Key": API_KEY}


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call on its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(released, calls))


def post(client: TestClient, path: str, body: dict[str, Any]) -> Callable[[], Any]:
    return lambda: client.post(path, json=body, headers=HEADERS)


def test_concurrent_decisions_on_distinct_pairs_all_succeed_with_distinct_numbers(
    keyed_client, db, ingest, tmp_path: Path
) -> None:
    ingest(write_records(tmp_path / "concepts.jsonl", CONCEPTS))
    pairs = [(CONCEPTS[2 * n]["id"], CONCEPTS[2 * n + 1]["id"]) for n in range(THREADS)]
    responses = all_at_once([post(keyed_client, "/decisions/dismiss", {"a": a, "b": b}) for a, b in pairs])
    assert [r.status_code for r in responses] == [200] * THREADS, [r.json() for r in responses]
    numbers = sorted(r.json()["decision"]["seq"] for r in responses)
    assert numbers == list(range(1, THREADS + 1))
    for a, b in pairs:
        dismissed = db.read("MATCH (n:Entity {id: $id}) RETURN n.dismissed AS d", id=a)[0]["d"]
        assert dismissed == [b]


def overlapping_requests() -> list[tuple[str, dict[str, Any]]]:
    """Links, dismissals and merges among five entities: most of them contradict one another."""
    ids = [c["id"] for c in CONCEPTS[:5]]
    requests: list[tuple[str, dict[str, Any]]] = []
    for n in range(THREADS):
        a, b = ids[n % 5], ids[(n + 1 + n // 5) % 5]
        if n % 3 == 0:
            requests.append(("/decisions/link", {"source": a, "target": b, "type": "associated_with"}))
        elif n % 3 == 1:
            requests.append(("/decisions/dismiss", {"a": a, "b": b}))
        else:
            requests.append(("/decisions/merge", {"duplicate": a, "canonical": b}))
    return requests


def replay(curator: Curator, decision: dict[str, Any]) -> None:
    kind, source, target = decision["kind"], decision["source"], decision["target"]
    if kind == "link":
        curator.link(source, target, decision["relation_type"], decision["description"] or "", who="replay")
    elif kind == "dismiss":
        curator.dismiss(source, target, who="replay")
    else:
        curator.merge(source, target, who="replay")


def test_concurrent_decisions_on_the_same_entities_are_serialised_or_refused_with_409(
    keyed_client, db, ingest, curator, tmp_path: Path
) -> None:
    graph = write_records(tmp_path / "concepts.jsonl", CONCEPTS[:5])
    ingest(graph)
    responses = all_at_once([post(keyed_client, path, body) for path, body in overlapping_requests()])
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}, [r.json() for r in responses if r.status_code not in (200, 409)]
    assert 200 in statuses and 409 in statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "conflict" and response.json()["error"]["message"]
    taken = sorted((r.json()["decision"] for r in responses if r.status_code == 200), key=lambda d: d["seq"])
    assert [d["seq"] for d in taken] == list(range(1, len(taken) + 1))
    concurrent_state = graph_state(db)

    with db.driver.session(database=db.database) as session:
        session.run("MATCH (n) WHERE NOT n:AtlasSchema DETACH DELETE n").consume()  # the schema stays
    ingest(graph)
    for decision in taken:  # the order their numbers give: each must still make sense
        replay(curator, decision)
    assert graph_state(db) == concurrent_state
