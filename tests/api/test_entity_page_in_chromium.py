"""The HTML entity page in a real browser (Debian's headless Chromium) against a live API."""

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from neo4j_local.server import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
# Without the background-networking flags Chromium tries to reach hosts this machine cannot.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def live_api(neo4j_server, settings, session_db, queries, embedder) -> Iterator[str]:
    """The seeds loaded and the API served by uvicorn on a free loopback port."""
    from ingest.pipeline import Ingester

    with session_db.driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    Ingester(session_db, queries, embedder).ingest_paths([ROOT / "seeds"])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def chromium(url: str, tmp_path: Path, *extra: str) -> str:
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


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


def rendered(url: str, tmp_path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(chromium(url, tmp_path, "--dump-dom"))
    return parser


def test_the_entity_page_renders_its_sections_in_chromium(live_api: str, tmp_path: Path) -> None:
    page = rendered(f"{live_api}/e/concept:alignment-faking", tmp_path)
    similar_count = httpx.get(f"{live_api}/entities/concept:alignment-faking").json()["similar"]["count"]
    headings = [" ".join(h.split()) for h in page.headings]
    assert headings[0] == "Alignment Faking"
    assert headings[1:] == [
        "Neighborhood — ranked by edge-count",
        "Papers (2)",
        "Thinkers (3)",
        "Frameworks (1)",
        "Methods (1)",
        "Concepts (13)",
        "Artifacts (2)",
        "Quotes (2)",
        f"Related by similarity ({similar_count})",
    ]


def test_neighbour_links_lead_to_their_own_pages(live_api: str, tmp_path: Path) -> None:
    page = rendered(f"{live_api}/e/concept:alignment-faking", tmp_path)
    entity_links = sorted({link for link in page.links if "/e/" in link})
    assert len(entity_links) >= 24 + 6  # every neighbour and every similar entity
    for link in entity_links[:5]:
        target = rendered(link, tmp_path / "next")
        assert target.headings and target.headings[0].strip()
        assert httpx.get(link).status_code == 200


def test_a_screenshot_of_the_entity_page_is_taken(live_api: str, tmp_path: Path) -> None:
    """With ATLAS_UPDATE_SCREENSHOTS=1 it refreshes docs/images/entity-page.png for the README."""
    shot = tmp_path / "entity-page.png"
    chromium(
        f"{live_api}/e/concept:alignment-faking",
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1000,2600",
        "--hide-scrollbars",
    )
    assert shot.stat().st_size > 10_000
    images = ROOT / "docs" / "images"
    if os.environ.get("ATLAS_UPDATE_SCREENSHOTS") and images.is_dir():
        shutil.copy(shot, images / "entity-page.png")
