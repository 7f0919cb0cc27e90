"""Neo4j Browser, served by the local server, loads in headless Chromium, connects, and runs a
`cypher/` file unchanged after its `:params` line."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def test_browser_connects_and_runs_a_cypher_file_as_written(neo4j_server, ingest) -> None:
    from playwright.sync_api import sync_playwright

    ingest(ROOT / "seeds")
    query = (ROOT / "cypher" / "entity.cypher").read_text()
    params_line = query.splitlines()[0].removeprefix("// ")
    url = f"http://127.0.0.1:{neo4j_server.http_port}/browser/?dbms=bolt://neo4j@127.0.0.1:{neo4j_server.bolt_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="networkidle")
            page.fill("input[data-testid='password']", neo4j_server.password())
            page.click("button[data-testid='connect']")
            page.wait_for_selector("text=You are connected as user", timeout=30_000)
            for text in (params_line, query):
                page.click("#monaco-main-editor")
                page.keyboard.insert_text(text)
                page.keyboard.press("Control+Enter")
                page.wait_for_timeout(1000)
            page.wait_for_selector("text=Started streaming 1 records", timeout=30_000)
            assert '"name": "Alignment Faking"' in page.content()
        finally:
            browser.close()
