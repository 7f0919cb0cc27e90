"""/docs works without a network: Swagger UI comes from api/static (the npm package swagger-ui-dist,
copied by `make assets`), not from a CDN."""

import json
import re
from pathlib import Path

import httpx

from tests.api.conftest import offline
from tests.browser_helpers import browser_page, needs_chromium

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "api" / "static"


def locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version: str = lock["packages"][f"node_modules/{package}"]["version"]
    return version


def test_the_docs_page_names_only_assets_the_app_serves(live_api: str) -> None:
    html = httpx.get(f"{live_api}/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(assets) == [
        "/static/favicon-32x32.png",
        "/static/swagger-ui-bundle.js",
        "/static/swagger-ui.css",
    ]
    for asset in assets:
        assert httpx.get(f"{live_api}{asset}").status_code == 200
    assert "http" not in html.replace("http-equiv", "")  # no absolute URL at all
    assert httpx.get(f"{live_api}/redoc").status_code == 404  # FastAPI's CDN-loaded ReDoc is off


def test_the_vendored_assets_are_the_locked_versions_with_their_licences() -> None:
    """`make assets` copies them from node_modules: the copies must match package-lock.json."""
    swagger_version = locked_version("swagger-ui-dist")
    assert f'"{swagger_version}"' in (STATIC / "swagger-ui-bundle.js").read_text()
    assert "Apache License" in (STATIC / "swagger-ui.LICENSE.txt").read_text()
    cytoscape = (STATIC / "cytoscape.min.js").read_text()
    assert f'"{locked_version("cytoscape")}"' in cytoscape
    assert "Permission is hereby granted" in (STATIC / "cytoscape.LICENSE.txt").read_text()


@needs_chromium
def test_docs_list_the_operations_with_the_network_off(live_api: str) -> None:
    operations = [
        (method.upper(), path)
        for path, item in httpx.get(f"{live_api}/openapi.json").json()["paths"].items()
        for method in item
    ]
    with browser_page() as page:
        left = offline(page)
        page.goto(f"{live_api}/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        shown = {
            (block.locator(".opblock-summary-method").inner_text().strip(),
             block.locator(".opblock-summary-path").get_attribute("data-path"))
            for block in page.locator(".opblock").all()
        }  # fmt: skip
    assert left == []
    assert set(operations) <= shown
    assert ("GET", "/entities/{entity_id}") in shown
