"""The HTML pages read from the seed graph: browsing by type, and what the entity page shows of each
neighbour and edge (descriptions, the edge's source, plurals, the graph picture's data)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.graph_picture import grass_styles
from core.settings import Settings
from tests.conftest import SeedGraph

PAGE_ID = "concept:alignment-faking"
GRASS = Path(__file__).resolve().parents[2] / "browser" / "atlas.grass"
ENTITY_LINK = re.compile(r'href="(?:http://testserver)?/e/([^"]+)"')


@pytest.fixture(scope="module")
def site(settings: Settings, seed_graph: SeedGraph) -> Iterator[TestClient]:
    seed_graph.load()
    with TestClient(create_app(settings)) as client:
        yield client


def html(site: TestClient, path: str, status: int = 200) -> str:
    response = site.get(path, headers={"Accept": "text/html"})
    assert response.status_code == status, response.text[:500]
    return response.text


def linked_ids(page: str) -> list[str]:
    return [unescape(i) for i in ENTITY_LINK.findall(page)]


def test_the_home_page_links_every_type_to_its_list(site: TestClient) -> None:
    stats = site.get("/stats").json()
    home = html(site, "/")
    for row in stats["entity_types"]:
        assert f'/types/{row["type"]}">{row["type"]}</a>: {row["count"]}' in home
    for row in stats["relation_types"]:
        assert f'/relations/{row["type"]}">{row["type"]}</a>: {row["count"]}' in home


def test_an_entity_type_list_pages_through_every_entity_of_the_type(site: TestClient) -> None:
    expected = {e["id"] for e in site.get("/entities?type=concept&limit=1000").json()["items"]}
    count = next(r["count"] for r in site.get("/stats").json()["entity_types"] if r["type"] == "concept")
    assert count == len(expected) > 5
    seen: list[str] = []
    page, pages = 1, -(-count // 5)
    while True:
        text = html(site, f"/types/concept?page={page}&size=5")
        assert f"Concepts ({count})" in text and f"page {page} of {pages}" in text
        shown = linked_ids(text)
        assert 1 <= len(shown) <= 5
        seen += shown
        if 'rel="next"' not in text:
            break
        page += 1
    assert page == pages
    assert len(seen) == len(set(seen)) and set(seen) == expected
    html(site, f"/types/concept?page={pages + 1}&size=5", status=404)


def test_a_relation_type_list_shows_its_edges_with_their_descriptions(
    site: TestClient, seed_graph: SeedGraph
) -> None:
    rows = seed_graph.db.read(
        "MATCH (s:Entity)-[r:STUDIES]->(t:Entity) RETURN s.id AS s, t.id AS t, r.description AS d"
    )
    text = html(site, "/relations/studies?size=500")
    assert f"({len(rows)} edges)" in text
    assert len(re.findall(r'<tr class="browse-edge">', text)) == len(rows)
    described = [row["d"] for row in rows if row["d"]]
    assert described
    for description in described:
        assert unescape(description) in unescape(text)
    assert set(linked_ids(text)) == {r["s"] for r in rows} | {r["t"] for r in rows}


def test_an_unknown_type_is_a_404_that_lists_the_graphs_types(site: TestClient) -> None:
    text = html(site, "/types/conecpt", status=404)
    assert "no entity type 'conecpt'" in unescape(text) and "concept" in text
    text = html(site, "/relations/spouse", status=404)
    assert "no relation type 'spouse'" in unescape(text) and "studies" in text


def neighbour_items(page: str) -> list[str]:
    return re.findall(r'<li class="neighbour">(.*?)</li>', page, flags=re.S)


def test_each_neighbour_shows_its_description_and_each_edge_its_source(site: TestClient) -> None:
    data = site.get(f"/entities/{PAGE_ID}").json()
    text = unescape(html(site, f"/e/{PAGE_ID}"))
    neighbours = [n for g in data["neighborhood"]["groups"] for n in g["neighbors"]]
    for neighbour in neighbours:
        if neighbour["description"]:
            assert f'<span class="neighbour-description">{neighbour["description"]}</span>' in text
    refs = {r["source_ref"] for n in neighbours for r in n["relations"] if r["source_ref"]}
    assert refs, "the seed page has edges with a source_ref"
    for ref in refs:
        target = site.get(f"/entities/{ref}")
        if target.status_code == 200:  # an entity: linked to its page, by name
            name = target.json()["entity"]["name"]
            assert f'source: <a href="http://testserver/e/{ref}">{name}</a>' in text
        else:
            assert f"source: <code>{ref}</code>" in text


def test_degrees_read_1_edge_and_n_edges(site: TestClient) -> None:
    text = html(site, f"/e/{PAGE_ID}")
    degrees = re.findall(r'<span class="degree"[^>]*>(\d+) (edges?)</span>', text)
    assert degrees
    assert all((word == "edge") == (number == "1") for number, word in degrees)


def test_the_page_legend_explains_the_arrows(site: TestClient) -> None:
    text = unescape(html(site, f"/e/{PAGE_ID}"))
    assert "→</span> Alignment Faking is the relation's source (outgoing)" in text
    assert "←</span> it is the target (incoming)" in text


def graph_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="entity-graph-data">(.*?)</script>', page, re.S)
    assert found, "the page embeds its graph's data"
    return json.loads(found.group(1))


def test_the_graph_holds_every_listed_neighbour_and_relation_coloured_like_the_browser_style(
    site: TestClient,
) -> None:
    data = site.get(f"/entities/{PAGE_ID}").json()
    graph = graph_data(html(site, f"/e/{PAGE_ID}"))
    neighbours = [n for g in data["neighborhood"]["groups"] for n in g["neighbors"]]
    assert [n["data"]["id"] for n in graph["nodes"]] == [PAGE_ID] + [n["id"] for n in neighbours]
    expected_edges = sorted(
        (PAGE_ID, n["id"], r["type"]) if r["direction"] == "out" else (n["id"], PAGE_ID, r["type"])
        for n in neighbours
        for r in n["relations"]
    )
    drawn = sorted((e["data"]["source"], e["data"]["target"], e["data"]["label"]) for e in graph["edges"])
    assert drawn == expected_edges
    assert graph["entity_url"] == "http://testserver/e/"  # each node's link: this + its id
    assert {n["data"]["type"] for n in graph["nodes"]} <= set(graph["colours"])
    styles = grass_styles(GRASS)
    for entity_type, colour in graph["colours"].items():
        label = entity_type.capitalize()
        assert colour["fill"] == styles[label]["color"]
        assert colour["border"] == styles[label]["border-color"]


def test_entity_links_are_the_urls_url_for_makes(client, seeded) -> None:
    from starlette.requests import Request

    from api.links import entity_page_url

    request = Request({"type": "http", "app": client.app, "router": client.app.router, "scheme": "http",
                       "server": ("atlas.example", 8000), "path": "/", "root_path": "/atlas",
                       "headers": [], "query_string": b""})  # fmt: skip
    for entity_id in ("concept:alignment-faking", "synset:run-00189565", "x:a-b-c"):
        assert entity_page_url(request, entity_id) == str(request.url_for("entity_html", entity_id=entity_id))
    page = client.get("/e/concept:alignment-faking").text
    assert 'href="http://testserver/e/concept:evaluation-awareness"' in page
