"""The entity page's graph in Chromium: drawn from the app's own copy of Cytoscape.js with nothing
fetched from another machine, coloured by type, a click on a neighbour opening its page; on the seed
page and on a hub with 500 neighbours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.graph_picture import type_colour
from core.db import Database
from tests.api.conftest import offline
from tests.browser_helpers import browser_page, needs_chromium

pytestmark = needs_chromium
PAGE_ID = "concept:alignment-faking"
HUB_ID = "concept:hub"
HUB_TYPES = ["paper", "thinker", "concept", "method", "claim"]
HUB_NEIGHBOURS = 500
HUB_CYPHER = Path(__file__).resolve().parents[2] / "bench" / "cypher" / "paint_hub.cypher"


def add_hub(db: Database) -> None:
    """A hub joined to 500 neighbours of five types, beside the seed graph: the Cypher the paint
    benchmark uses (written directly: a picture test needs no embeddings)."""
    db.write(HUB_CYPHER.read_text(), hub=HUB_ID, n=HUB_NEIGHBOURS, types=HUB_TYPES)


@pytest.fixture(scope="module")
def graph_site(live_api: str, seed_graph) -> Iterator[str]:
    add_hub(seed_graph.db)
    yield live_api


def drawn(page, url: str) -> dict:
    """Open `url`, wait for the graph's first frame; what Cytoscape holds and the first paint."""
    page.goto(url)
    page.wait_for_selector("#entity-graph.drawn", timeout=20_000)
    return page.evaluate(
        """() => {
          const cy = window.atlasGraph;
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          return {
            nodes: cy.nodes().map(n => ({id: n.id(), type: n.data('type'),
                                          fill: n.style('background-color')})),
            edges: cy.edges().length,
            canvases: document.querySelectorAll('#entity-graph canvas').length,
            drawnMs: Number(document.getElementById('entity-graph').dataset.drawnMs),
            firstPaintMs: paint ? paint.startTime : null,
          };
        }"""
    )


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r},{g},{b})"


def test_the_seed_page_draws_its_neighbourhood_and_a_click_opens_a_neighbours_page(graph_site: str) -> None:
    with browser_page() as page:
        left = offline(page)
        picture = drawn(page, f"{graph_site}/e/{PAGE_ID}")
        listed = page.locator("li.neighbour .name a").count()
        assert picture["canvases"] >= 1
        assert len(picture["nodes"]) == listed + 1
        assert picture["edges"] >= listed
        for node in picture["nodes"]:
            assert node["fill"].replace(" ", "") == rgb(type_colour(node["type"])["fill"])
        target = next(n["id"] for n in picture["nodes"] if n["id"] != PAGE_ID)
        position = page.evaluate(
            "(id) => { const p = window.atlasGraph.getElementById(id).renderedPosition();"
            " const box = document.getElementById('entity-graph').getBoundingClientRect();"
            " return {x: box.left + p.x, y: box.top + p.y}; }",
            target,
        )
        page.mouse.click(position["x"], position["y"])
        page.wait_for_url(f"**/e/{target}", timeout=10_000)
        assert page.locator("h1").inner_text().strip()
    assert left == []


def test_a_hub_with_500_neighbours_draws_every_one_of_them(graph_site: str) -> None:
    with browser_page() as page:
        left = offline(page)
        picture = drawn(page, f"{graph_site}/e/{HUB_ID}?limit=500")
        assert len(picture["nodes"]) == HUB_NEIGHBOURS + 1 and picture["edges"] == HUB_NEIGHBOURS
        assert {n["type"] for n in picture["nodes"]} == set(HUB_TYPES)
        assert picture["firstPaintMs"] is not None and picture["drawnMs"] > 0
    assert left == []


def test_the_browse_pages_paginate_in_chromium(graph_site: str) -> None:
    """From the home page's type link through the pages of the list, clicking "next"."""
    with browser_page() as page:
        left = offline(page)
        page.goto(f"{graph_site}/")
        page.click("ul.entity-types a[href$='/types/concept']")
        page.wait_for_url("**/types/concept")
        count = int(page.locator("h1").inner_text().split("(")[1].rstrip(")"))
        page.goto(f"{graph_site}/types/concept?size=100")
        seen: list[str] = []
        pages = 1
        while True:
            seen += page.locator("li.browse-entity .name a").all_inner_texts()
            following = page.locator("a[rel='next']")
            if following.count() == 0:
                break
            following.click()
            pages += 1
            page.wait_for_url(f"**/types/concept?page={pages}&size=100")
        assert count > 100  # the hub's 100 concept neighbours and the seeds' concepts
        assert pages == -(-count // 100) and len(seen) == len(set(seen)) == count
    assert left == []
