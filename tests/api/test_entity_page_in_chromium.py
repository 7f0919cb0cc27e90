"""The HTML entity page in a real browser (Debian's headless Chromium) against a live API."""

import os
from html.parser import HTMLParser
from pathlib import Path

import httpx

from tests.browser_helpers import browser_page, needs_chromium, png_size, rendered_dom

ROOT = Path(__file__).resolve().parents[2]
PAGE_ID = "concept:alignment-faking"
pytestmark = needs_chromium


class PageParser(HTMLParser):
    """Collects the headings and the links of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.links: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in_heading = True
            self.headings.append("")
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


def rendered(url: str) -> PageParser:
    parser = PageParser()
    parser.feed(rendered_dom(url))
    return parser


def expected_headings(base: str) -> list[str]:
    similar_count = httpx.get(f"{base}/entities/{PAGE_ID}").json()["similar"]["count"]
    suggested = len(httpx.get(f"{base}/entities/{PAGE_ID}/suggestions").json()["items"])
    return [
        "Alignment Faking",
        "Graph",
        "Neighborhood — ranked by edge-count",
        "Papers (2)",
        "Thinkers (3)",
        "Frameworks (1)",
        "Methods (1)",
        "Concepts (13)",
        "Artifacts (2)",
        "Quotes (2)",
        f"Related by similarity ({similar_count})",
        f"Suggested edges ({suggested})",
    ]


def test_the_entity_page_renders_its_sections_in_chromium(live_api: str) -> None:
    page = rendered(f"{live_api}/e/{PAGE_ID}")
    headings = [" ".join(h.split()) for h in page.headings]
    assert headings == expected_headings(live_api)


def test_neighbour_links_lead_to_their_own_pages(live_api: str) -> None:
    page = rendered(f"{live_api}/e/{PAGE_ID}")
    entity_links = sorted({link for link in page.links if "/e/" in link})
    assert len(entity_links) >= 24 + 6  # every neighbour and every similar entity
    for link in entity_links[:5]:
        target = rendered(link)
        assert target.headings and target.headings[0].strip()
        assert httpx.get(link).status_code == 200
        entity = httpx.get(link.replace("/e/", "/entities/", 1)).json()["entity"]
        assert " ".join(target.headings[0].split()) == " ".join(entity["name"].split())


def test_a_screenshot_of_the_entity_page_shows_its_name_sections_and_neighbours(
    live_api: str, tmp_path: Path
) -> None:
    """What a reader of the README's picture sees: the name, every section heading and the first
    neighbours, all inside the captured window. With ATLAS_UPDATE_SCREENSHOTS=1 it refreshes
    docs/images/entity-page.png."""
    width, height = 1000, 5600
    with browser_page(width=width, height=height) as page:
        page.goto(f"{live_api}/e/{PAGE_ID}", wait_until="networkidle")
        assert page.title() == "Alignment Faking · Atlas"
        headings = page.locator("h1, h2, h3")
        assert [" ".join(text.split()) for text in headings.all_inner_texts()] == expected_headings(live_api)
        for heading in headings.all():
            box = heading.bounding_box()
            assert heading.is_visible() and box is not None, heading.inner_text()
            assert box["y"] + box["height"] <= height, f"{heading.inner_text()!r} is below the picture"
        neighbours = page.locator("li.neighbour .name")
        assert neighbours.count() >= 24
        assert neighbours.first.is_visible() and neighbours.first.inner_text().strip()
        shot = page.screenshot(path=str(tmp_path / "entity-page.png"))
    assert png_size(shot) == (width, height)
    images = ROOT / "docs" / "images"
    if os.environ.get("ATLAS_UPDATE_SCREENSHOTS") and images.is_dir():
        (images / "entity-page.png").write_bytes(shot)
