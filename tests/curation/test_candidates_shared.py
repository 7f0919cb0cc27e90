"""The candidate list is computed once per graph revision and shared: later pages and concurrent
requests take the same list; any commit, a decision or a statement run through the driver, makes
the next request compute afresh. The answer says when it was computed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from curation.candidates import CandidateFinder

THRESHOLD = 0.3  # low enough that the seed graph has many pairs


@pytest.fixture
def computations(seeded, monkeypatch) -> Iterator[list[float]]:
    """Counts the ranked lists computed (each one slowed a little, so requests overlap)."""
    ranked = CandidateFinder.ranked
    seen: list[float] = []

    def counting(self: CandidateFinder, *args: Any, **kwargs: Any) -> Any:
        seen.append(args[0])
        threading.Event().wait(0.3)
        return ranked(self, *args, **kwargs)

    monkeypatch.setattr(CandidateFinder, "ranked", counting)
    yield seen


def test_pages_and_concurrent_requests_share_one_computation(client, computations) -> None:
    params = {"threshold": THRESHOLD, "limit": 5}
    with ThreadPoolExecutor(4) as pool:
        answers = [
            f.result() for f in [pool.submit(client.get, "/candidates", params=params) for _ in range(4)]
        ]
    bodies = [answer.json() for answer in answers]
    assert all(answer.status_code == 200 for answer in answers)
    assert bodies[0]["count"] > 5 and bodies[0]["next_cursor"]
    assert all(body == bodies[0] for body in bodies)
    second_page = client.get("/candidates", params={**params, "cursor": bodies[0]["next_cursor"]}).json()
    assert second_page["computed_at"] == bodies[0]["computed_at"]
    assert second_page["items"][0] != bodies[0]["items"][0]
    assert computations == [THRESHOLD]


def test_a_link_made_through_the_driver_shows_at_the_next_request(client, computations, db) -> None:
    first = client.get("/candidates", params={"threshold": THRESHOLD, "limit": 1}).json()
    pair = first["items"][0]
    db.write(
        "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) CREATE (a)-[:ASSOCIATED_WITH]->(b)",
        a=pair["a"]["id"],
        b=pair["b"]["id"],
    )
    after = client.get("/candidates", params={"threshold": THRESHOLD, "limit": 1000}).json()
    assert after["count"] == first["count"] - 1
    assert (pair["a"]["id"], pair["b"]["id"]) not in {(p["a"]["id"], p["b"]["id"]) for p in after["items"]}
    assert computations == [THRESHOLD, THRESHOLD]


def test_a_request_that_cannot_wait_is_told_how_far_the_list_has_come(settings, seeded, computations) -> None:
    """Computed in the background: a request waiting less than the computation takes answers 202
    with the stage and a Retry-After; the computation goes on, and a later request takes its list."""
    impatient = settings.model_copy(update={"candidates_wait_seconds": 0.0})
    params = {"threshold": THRESHOLD, "limit": 5}
    with TestClient(create_app(impatient)) as client:
        first = client.get("/candidates", params=params)
        assert first.status_code == 202
        body = first.json()
        assert body["status"] == "computing" and body["stage"] in {"starting", "read", "products"}
        assert body["started_at"].endswith("Z") and 1 <= int(first.headers["Retry-After"]) <= 60
        for _ in range(100):
            answer = client.get("/candidates", params=params)
            if answer.status_code == 200:
                break
            threading.Event().wait(0.1)
    assert answer.status_code == 200 and answer.json()["count"] > 5
    assert computations == [THRESHOLD]
    waiting = CandidateFinder(seeded, client.app.state.reader.queries).find(THRESHOLD, limit=5)
    assert answer.json()["items"] == [item.model_dump(mode="json") for item in waiting.items]
