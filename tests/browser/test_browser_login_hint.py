"""The Neo4j Browser address Atlas prints opens the connect form filled in but for the password:
the Bolt URL and the user `neo4j` (Browser's `dbms` URL parameter)."""

from __future__ import annotations

from tests.browser_helpers import browser_page, needs_chromium

pytestmark = needs_chromium


def test_the_printed_browser_address_fills_in_the_user_and_the_bolt_url(neo4j_server) -> None:
    url = neo4j_server.browser_login_url
    assert url.startswith(neo4j_server.browser_url)
    with browser_page(width=1400, height=1000) as page:
        page.goto(url, wait_until="networkidle")
        assert page.title() == "Neo4j Browser"
        username = page.locator("input[data-testid='username']")
        username.wait_for(timeout=30_000)
        assert username.input_value() == "neo4j"
        address = page.locator("input[data-testid='boltaddress']")
        assert f"127.0.0.1:{neo4j_server.bolt_port}" in address.input_value()
        page.fill("input[data-testid='password']", neo4j_server.password())  # only the password typed
        page.click("button[data-testid='connect']")
        page.wait_for_selector("text=You are connected as user", timeout=60_000)
