"""Hostile text stays data: Cypher in names, ids and query parameters changes nothing in the graph;
HTML and script in names and descriptions are escaped on the pages; writes need the API key."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.app import create_app
from core.settings import Settings
from tests.snapshot import graph_snapshot

CYPHER = "}) DETACH DELETE n //"
HOSTILE_TEXTS = [
    CYPHER,
    "x` ) MATCH (m) DETACH DELETE m //",
    "$id $props {id: $id}",
    "'; MATCH (n) SET n.name = 'pwned' //",
    '" OR 1=1 --',
]
SCRIPT = "<script>alert('atlas')</script>"
IMG = '"><img src=x onerror="alert(1)">'
JSON_DATA = re.compile(r'(?<=<script type="application/json" id="entity-graph-data">).*?(?=</script>)', re.S)
HOSTILE_ENTITY = {
    "kind": "entity",
    "type": "concept",
    "id": "concept:hostile",
    "name": f"Hostile {SCRIPT}",
    "description": f"{IMG} and {CYPHER} and `backticks` and $dollar",
    "aliases": [SCRIPT, CYPHER],
}
NEIGHBOUR = {
    "kind": "entity",
    "type": "concept",
    "id": "concept:neighbour",
    "name": f"Neighbour {IMG}",
    "description": SCRIPT,
}
EDGE = {
    "kind": "relation",
    "source": "concept:hostile",
    "type": "associated_with",
    "target": "concept:neighbour",
    "description": f"{SCRIPT} {CYPHER}",
}


@pytest.fixture
def hostile_graph(ingest, tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (HOSTILE_ENTITY, NEIGHBOUR, EDGE)))
    ingest(path)


def test_cypher_and_markup_in_names_are_stored_and_returned_verbatim(
    hostile_graph, client: TestClient
) -> None:
    entity = client.get("/entities/concept:hostile").json()["entity"]
    assert entity["name"] == HOSTILE_ENTITY["name"]
    assert entity["description"] == HOSTILE_ENTITY["description"]
    assert entity["aliases"] == HOSTILE_ENTITY["aliases"]
    neighbours = client.get("/entities/concept:hostile/neighborhood").json()["groups"][0]["neighbors"]
    assert neighbours[0]["name"] == NEIGHBOUR["name"]
    assert neighbours[0]["relations"][0]["description"] == EDGE["description"]


@pytest.mark.parametrize("path", ["/e/concept:hostile", "/e/concept:neighbour"])
def test_markup_in_names_and_descriptions_is_escaped_on_the_entity_page(
    hostile_graph, client: TestClient, path: str
) -> None:
    page = client.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    # The graph picture's data is JSON in a non-executable script element, with every < > & as
    # \u escapes: nothing in it can close that element or open a tag. Outside it, all is escaped.
    data = JSON_DATA.findall(page.text)
    assert all("<" not in block and ">" not in block for block in data)
    visible = JSON_DATA.sub("", page.text)
    assert "onerror=" not in visible.replace("onerror=&#34;", "")
    assert html.escape(SCRIPT, quote=False) in page.text or "&lt;script&gt;" in page.text


def test_markup_in_search_text_and_results_is_escaped_on_the_home_page(
    hostile_graph, client: TestClient
) -> None:
    page = client.get("/", params={"q": f"Hostile {SCRIPT}"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text


def test_an_unknown_id_full_of_markup_is_escaped_on_the_error_page(db, client: TestClient) -> None:
    page = client.get("/e/" + quote(f"concept:{SCRIPT}", safe=""), headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "<script>alert" not in page.text


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_cypher_in_ids_and_query_parameters_changes_nothing(
    hostile_graph, db, client: TestClient, text: str
) -> None:
    before = graph_snapshot(db)
    encoded = quote(text, safe="")
    answers = {
        "entity": client.get(f"/entities/{encoded}").status_code,
        "page": client.get(f"/e/{encoded}", headers={"accept": "text/html"}).status_code,
        "neighborhood": client.get(f"/entities/{encoded}/neighborhood").status_code,
        "similar": client.get(f"/entities/{encoded}/similar").status_code,
        "search": client.get("/search", params={"q": text}).status_code,
        "home": client.get("/", params={"q": text}).status_code,
        "list_type": client.get("/entities", params={"type": text}).status_code,
        "list_status": client.get("/entities", params={"status": text}).status_code,
        "list_cursor": client.get("/entities", params={"cursor": text}).status_code,
        "types": client.get("/entities/concept:hostile/neighborhood", params={"types": text}).status_code,
    }
    assert answers == {
        "entity": 404,
        "page": 404,
        "neighborhood": 404,
        "similar": 404,
        "search": 200,
        "home": 200,
        "list_type": 422,
        "list_status": 200,
        "list_cursor": 422,
        "types": 422,
    }
    assert graph_snapshot(db) == before


@pytest.mark.parametrize(
    "query", ["AND", "OR NOT", "*", "?", "~", '"', "\\", "a AND", "((", "[a TO", "/re/", "&&||"]
)
def test_lucene_syntax_in_search_is_plain_text_not_an_error(
    hostile_graph, client: TestClient, query: str
) -> None:
    answer = client.get("/search", params={"q": query})
    assert answer.status_code == 200, answer.text
    assert answer.json()["query"] == query


@hypothesis_settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(st.text(max_size=40))
def test_any_search_text_is_answered_never_a_server_error(
    hostile_graph, client: TestClient, query: str
) -> None:
    answer = client.get("/search", params={"q": query})
    assert answer.status_code in (200, 422), answer.text  # 422: empty or longer than 500


def test_a_search_finds_hostile_text_as_words(hostile_graph, client: TestClient) -> None:
    hits = client.get("/search", params={"q": "DETACH DELETE"}).json()["items"]
    assert "concept:hostile" in [hit["entity"]["id"] for hit in hits]


WRITES = [
    ("/decisions/link", {"source": "concept:hostile", "target": "concept:neighbour", "type": "extends"}),
    ("/decisions/dismiss", {"a": "concept:hostile", "b": "concept:neighbour"}),
    ("/decisions/merge", {"duplicate": "concept:neighbour", "canonical": "concept:hostile"}),
]


@pytest.mark.parametrize(("path", "body"), WRITES)
@pytest.mark.parametrize("key", [None, "", "wrong-key", f"{CYPHER}"])
def test_writes_without_the_right_api_key_are_refused_and_change_nothing(
    hostile_graph, db, settings: Settings, path: str, body: dict[str, str], key: str | None
) -> None:
    keyed = settings.model_copy(update={"api_key": "the-right-key"})
    headers = {} if key is None else {"X-API-Key": key}
    before = graph_snapshot(db)
    with TestClient(create_app(keyed)) as client:
        answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == 401
    assert "the-right-key" not in answer.text
    assert graph_snapshot(db) == before


@pytest.fixture
def keyed_client(settings: Settings, db) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"api_key": "k"}))) as client:
        yield client


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_cypher_in_the_ids_of_a_write_is_refused_and_changes_nothing(
    hostile_graph, db, keyed_client: TestClient, text: str
) -> None:
    before = graph_snapshot(db)
    bodies = [
        ("/decisions/link", {"source": text, "target": "concept:neighbour", "type": "extends"}),
        ("/decisions/link", {"source": "concept:hostile", "target": "concept:neighbour", "type": text}),
        ("/decisions/dismiss", {"a": "concept:hostile", "b": text}),
        ("/decisions/merge", {"duplicate": text, "canonical": "concept:hostile"}),
        (f"/decisions/{quote(text, safe='')}/undo", {}),
    ]
    for path, body in bodies:
        answer = keyed_client.post(path, json=body, headers={"X-API-Key": "k"})
        assert 400 <= answer.status_code < 500, (path, body, answer.status_code, answer.text)
    assert graph_snapshot(db) == before
