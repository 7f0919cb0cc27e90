"""Neo4j Browser, as the local Neo4j serves it, in headless Chromium: it loads, connects, runs
`cypher/` files exactly as written after their `:params` header line, and takes the Atlas style
(`browser/atlas.grass`) the way a user gives it, by dropping the file onto the window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core.db import Database
from core.queries import Queries
from core.schema import read_schema_file
from tests.browser.test_grass_style import styled_labels
from tests.browser_helpers import browser_page, needs_chromium, png_size
from tests.conftest import SEEDS, SeedGraph

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
GRASS = ROOT / "browser" / "atlas.grass"
PAGE_ID = "concept:alignment-faking"
FRAMES = '[data-testid="frame"]'
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def seeded(seed_graph: SeedGraph) -> Database:
    """The seed graph, loaded once for the module: its tests only read."""
    return seed_graph.load()


@pytest.fixture(scope="module")
def browser(neo4j_server, seeded) -> Iterator[Page]:
    """Neo4j Browser, connected as a user connects: the Bolt URL in the address, the password typed."""
    url = f"{neo4j_server.browser_url}?dbms=bolt://neo4j@127.0.0.1:{neo4j_server.bolt_port}"
    with browser_page(width=1400, height=1000) as page:
        page.goto(url, wait_until="networkidle")
        assert page.title() == "Neo4j Browser"
        page.fill("input[data-testid='password']", neo4j_server.password())
        page.click("button[data-testid='connect']")
        page.wait_for_selector("text=You are connected as user", timeout=60_000)
        yield page


def newest_frame_after(page: Page, frames_before: int) -> Locator:
    page.locator(FRAMES).nth(frames_before).wait_for(timeout=30_000)  # one frame more than before
    return page.locator(FRAMES).first  # Browser puts the newest frame on top


def submit(page: Page, text: str) -> Locator:
    """Type text into Browser's editor and run it, as a user pastes a line and presses Ctrl+Enter."""
    frames_before = page.locator(FRAMES).count()
    page.click("#monaco-main-editor")
    page.keyboard.insert_text(text)
    page.keyboard.press("Control+Enter")
    return newest_frame_after(page, frames_before)


def run_cypher_file(page: Page, queries: Queries, name: str) -> Locator:
    params = submit(page, queries.example_param_line(name))
    params.get_by_text("Successfully set your parameters").wait_for(timeout=30_000)
    return submit(page, queries[name])


def drop_file(page: Page, path: Path) -> Locator:
    """Drop a file onto Browser's window, as a user drags it from their file manager."""
    frames_before = page.locator(FRAMES).count()
    files = page.evaluate_handle(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name));
            return data;
        }""",
        [path.name, path.read_text()],
    )
    window = page.locator("#MAIN_WRAPPER_DOM_ID")  # Browser's drop zone: its whole main area
    for event in ("dragenter", "dragover", "drop"):
        window.dispatch_event(event, {"dataTransfer": files})
    return newest_frame_after(page, frames_before)


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_a_cypher_file_runs_in_browser_as_written(browser: Page, queries: Queries, seeded) -> None:
    [record] = seeded.read(queries["entity"], id=PAGE_ID)
    frame = run_cypher_file(browser, queries, "entity")
    frame.get_by_text("Started streaming 1 records").wait_for(timeout=30_000)
    assert f'"name": "{record["entity"]["name"]}"' in frame.inner_text()


def test_the_grass_style_colours_the_neighbourhood_by_entity_type(
    browser: Page, queries: Queries, seeded, tmp_path: Path
) -> None:
    schema = read_schema_file(SEEDS / "schema.yaml")
    colours = {label: rule["color"] for label, rule in styled_labels().items()}
    groups = seeded.read(
        queries["neighborhood"], id=PAGE_ID, limit=1000, types=None, type_order=list(schema.entity_types)
    )
    expected_counts = {schema.label(g["type"]): g["count"] for g in groups}
    expected_counts[schema.label("concept")] += 1  # the page's own entity is a concept too

    style = drop_file(browser, GRASS)
    style.get_by_text("node.Concept").wait_for(timeout=30_000)
    frame = run_cypher_file(browser, queries, "neighborhood_graph")
    nodes = frame.locator("svg g.node circle.b-outline")
    nodes.nth(sum(expected_counts.values()) - 1).wait_for(timeout=30_000)

    fills = set(nodes.evaluate_all("circles => circles.map(c => c.getAttribute('fill'))"))
    assert fills == {colours[label] for label in expected_counts}
    for label, count in expected_counts.items():
        chip = frame.get_by_test_id(f"property-details-overview-node-label-{label}")
        assert chip.inner_text() == f"{label} ({count})"
        assert f"background-color: {rgb(colours[label])}" in (chip.get_attribute("style") or "")

    # What the picture shows: the style frame and the graph, its nodes inside the window.
    viewport = browser.viewport_size
    assert viewport is not None
    for node in [nodes.first, nodes.last]:
        box = node.bounding_box()
        assert node.is_visible() and box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    shot = browser.screenshot(path=str(tmp_path / "neo4j-browser.png"))
    assert png_size(shot) == (viewport["width"], viewport["height"])
    images = ROOT / "docs" / "images"
    if os.environ.get("ATLAS_UPDATE_SCREENSHOTS") and images.is_dir():  # refresh the README's picture
        (images / "neo4j-browser.png").write_bytes(shot)
