"""The API served by uvicorn on a free loopback port, for the Chromium page tests, and a guard that
keeps a browser page off the network: every request not to this machine is aborted and recorded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from core.settings import Settings
from neo4j_local.server import free_port
from tests.conftest import SeedGraph
from tests.servers import wait_until_healthy

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn in a thread; yields its base URL once /health answers."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, exited=lambda: None if thread.is_alive() else "uvicorn's thread ended")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_api(settings: Settings, seed_graph: SeedGraph) -> Iterator[str]:
    """The seeds loaded and the API served on a free loopback port."""
    seed_graph.load()
    with serving(create_app(settings)) as base:
        yield base


def offline(page: Page) -> list[str]:
    """Abort every request `page` makes to another machine; the returned list fills with their URLs
    (a test asserts it stays empty: nothing leaves the machine)."""
    left: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            route.continue_()
        else:
            left.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", guard)
    return left
