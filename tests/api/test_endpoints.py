"""The HTTP contract: page shape, search, stats, listing, health, and one error shape."""

import json
from pathlib import Path

import pytest


@pytest.fixture
def small_graph(ingest, tmp_path: Path) -> None:
    records = [
        {
            "kind": "entity",
            "type": "concept",
            "name": "Alignment Faking",
            "description": "Model selectively complies with its training objective",
            "aliases": ["AF"],
        },
        {
            "kind": "entity",
            "type": "concept",
            "name": "Deceptive Alignment",
            "status": "draft",
            "description": "A model that appears aligned in training to avoid being modified",
        },
        {
            "kind": "entity",
            "type": "thinker",
            "name": "Evan Hubinger",
            "url": "https://example.org/evan",
            "properties": {"born": 1990},
        },
        {
            "kind": "relation",
            "source": "thinker:evan-hubinger",
            "type": "studies",
            "target": "concept:alignment-faking",
            "description": "Wrote the paper",
        },
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest(path)


def test_entity_page_holds_entity_neighborhood_and_similar(client, small_graph) -> None:
    body = client.get("/entities/concept:alignment-faking").json()
    assert body["entity"]["name"] == "Alignment Faking"
    assert body["entity"]["aliases"] == ["AF"]
    assert body["entity"]["degree"] == 1
    [group] = body["neighborhood"]["groups"]
    assert (group["type"], group["count"], group["neighbors"][0]["name"]) == (
        "thinker",
        1,
        "Evan Hubinger",
    )
    assert group["neighbors"][0]["relations"] == [
        {"type": "studies", "direction": "in", "description": "Wrote the paper", "source_ref": None}
    ]
    assert body["similar"]["threshold"] == 0.65
    assert [i["id"] for i in body["similar"]["items"]] == ["concept:deceptive-alignment"]
    assert body["similar"]["nearest"] == []  # only named when nothing reaches the threshold
    score = body["similar"]["items"][0]["score"]
    assert 0.65 <= score <= 1 and round(score, 3) == score


def test_entity_properties_and_url_round_trip(client, small_graph) -> None:
    entity = client.get("/entities/thinker:evan-hubinger").json()["entity"]
    assert (entity["url"], entity["properties"]) == ("https://example.org/evan", {"born": 1990})


@pytest.mark.parametrize(
    "path",
    [
        "/entities/concept:nowhere",
        "/entities/concept:nowhere/neighborhood",
        "/entities/concept:nowhere/similar",
        "/entities/x}) DETACH DELETE n //",
    ],
)
def test_unknown_id_is_a_404_with_the_error_shape(client, small_graph, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert error["message"].startswith("no entity with id")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "many"}, {"threshold": 2}])
def test_invalid_parameters_are_a_422_naming_the_parameter(client, small_graph, params) -> None:
    response = client.get("/entities/concept:alignment-faking", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert next(iter(params)) in error["message"]


def test_search_finds_names_aliases_and_descriptions(client, small_graph) -> None:
    def found(q: str, mode: str = "text") -> list[str]:
        answer = client.get("/search", params={"q": q, "mode": mode}).json()
        return [hit["entity"]["id"] for hit in answer["items"]]

    assert found("hubinger") == ["thinker:evan-hubinger"]
    assert found("AF") == ["concept:alignment-faking"]
    assert "concept:deceptive-alignment" in found("modified")
    assert found('") OR 1=1 //') == []  # Lucene syntax in user text is escaped, not an error
    # the default, hybrid, adds what is close in meaning below the names that match
    assert found("hubinger", mode="hybrid")[0] == "thinker:evan-hubinger"
    assert found("AF", mode="hybrid")[0] == "concept:alignment-faking"


def test_stats_counts_entities_and_relations_by_type(client, small_graph) -> None:
    assert client.get("/stats").json() == {
        "entities": 3,
        "relations": 1,
        "entity_types": [{"type": "concept", "count": 2}, {"type": "thinker", "count": 1}],
        "relation_types": [{"type": "studies", "count": 1}],
    }


def test_entity_list_pages_with_a_cursor_and_filters(client, small_graph) -> None:
    first = client.get("/entities", params={"limit": 2}).json()
    second = client.get("/entities", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert ids == [
        "concept:alignment-faking",
        "concept:deceptive-alignment",
        "thinker:evan-hubinger",
    ]
    assert second["next_cursor"] is None
    drafts = client.get("/entities", params={"status": "draft"}).json()["items"]
    assert [e["id"] for e in drafts] == ["concept:deceptive-alignment"]
    thinkers = client.get("/entities", params={"type": "thinker"}).json()["items"]
    assert [e["id"] for e in thinkers] == ["thinker:evan-hubinger"]
    assert client.get("/entities", params={"cursor": "%%%"}).status_code == 422


def test_health_says_neo4j_answers_and_what_is_read_ahead(client) -> None:
    assert client.get("/health").json() == {
        "status": "ok",
        "neo4j": True,
        "similar_search": "index",  # a small graph: no scan is kept
        "hubs_read_ahead": None,  # the tests' settings turn the read-ahead off
    }


def test_browsers_get_the_html_page_at_the_same_address(client, small_graph) -> None:
    response = client.get("/entities/concept:alignment-faking", headers={"accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert '<h1 id="entity-name">Alignment Faking</h1>' in response.text
    assert client.get("/e/concept:alignment-faking").text == response.text


def test_html_404_is_a_page(client, small_graph) -> None:
    response = client.get("/e/concept:nowhere")
    assert response.status_code == 404
    assert "no entity with id" in response.text and "<html" in response.text


def test_every_endpoint_declares_a_response_model(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert schema, f"{method.upper()} {path}"
