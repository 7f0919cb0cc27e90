"""GET /search and the search box: modes, their validation, the model's load time, the pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import Database
from core.queries import Queries
from graph.search import QueryEmbedder, Searcher
from ingest.embedding import MiniLMEmbedder


@pytest.fixture
def api(client: TestClient, seeded: Database, queries: Queries, embedder: MiniLMEmbedder) -> TestClient:
    """The app with a Searcher whose model 'loads' from the session's (already loaded) one."""
    client.app.state.searcher = Searcher(seeded, queries, QueryEmbedder(lambda: embedder))  # type: ignore[attr-defined]
    return client


def search(api: TestClient, **params: Any) -> Any:
    answer = api.get("/search", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_default_mode_is_hybrid_and_names_the_exact_match_first(api: TestClient) -> None:
    body = search(api, q="alignment faking")
    assert body["mode"] == "hybrid"
    assert body["items"][0]["entity"]["id"] == "concept:alignment-faking"
    assert body["items"][0]["match"] == "exact"


@pytest.mark.parametrize("mode", ["text", "meaning", "hybrid"])
def test_every_mode_finds_strategic_deception_from_deceptive(api: TestClient, mode: str) -> None:
    found = [hit["entity"]["id"] for hit in search(api, q="deceptive", mode=mode)["items"]]
    assert "concept:strategic-deception" in found[:10]


def test_an_unknown_mode_is_refused_with_the_modes_allowed(api: TestClient) -> None:
    answer = api.get("/search", params={"q": "deception", "mode": "fuzzy"})
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert "mode" in message and all(mode in message for mode in ("text", "meaning", "hybrid"))


def test_the_model_load_time_is_reported_by_the_search_that_loaded_it(api: TestClient) -> None:
    assert search(api, q="deception", mode="text")["model"] is None  # words only: no model
    first = search(api, q="deception", mode="meaning")["model"]
    second = search(api, q="deception", mode="meaning")["model"]
    assert first["name"] == "all-MiniLM-L6-v2" and first["load_seconds"] is not None
    assert second["load_seconds"] is None and second["embed_seconds"] >= 0


def test_the_search_box_offers_the_modes_on_every_page(api: TestClient) -> None:
    for path in ("/", "/e/concept:alignment-faking"):
        page = api.get(path, headers={"accept": "text/html"}).text
        assert '<select id="search-mode" name="mode">' in page
        assert all(f'value="{mode}"' in page for mode in ("hybrid", "text", "meaning"))


def test_the_home_page_shows_the_results_of_the_mode_chosen(api: TestClient) -> None:
    page = api.get("/", params={"q": "deceptive", "mode": "text"}).text
    assert "Strategic Deception" in page
    assert '<option value="text" selected>' in page
