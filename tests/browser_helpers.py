"""Debian's headless Chromium for tests: a page's rendered DOM, or a scriptable page.

Every test that uses Chromium goes through this module. The flags keep Chromium off the network
except for the URL it is given (no component updates, no sync, no QUIC probes) and each run gets a
fresh profile, so runs do not influence each other. `rendered_dom` calls the chromium binary
directly; `browser_page` drives it with Playwright (its Python package only: it never downloads a
browser of its own).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = shutil.which("chromium")
OFFLINE_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (`make chromium` installs it)"
)


def _run_chromium(url: str, *extra: str, timeout: float = 90) -> str:
    assert CHROMIUM is not None, "chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", *OFFLINE_FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    return result.stdout


def rendered_dom(url: str, *, budget_ms: int = 5000) -> str:
    """The DOM after the page's scripts ran (what a user would see), as HTML text."""
    return _run_chromium(url, f"--virtual-time-budget={budget_ms}", "--dump-dom")


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[Page]:
    """A Playwright page in the system Chromium (fresh profile), for pages one must click through."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "chromium is not installed"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=OFFLINE_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def png_size(image: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, read from its header; fails if `image` is not a PNG."""
    assert image[:8] == PNG_SIGNATURE and image[12:16] == b"IHDR", "not a PNG image"
    width, height = struct.unpack(">II", image[16:24])
    return width, height
