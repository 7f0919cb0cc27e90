"""Waiting for a server a test started: it answers, or the test fails saying why."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


def wait_until_healthy(
    base: str, *, exited: Callable[[], str | None] = lambda: None, timeout: float = 60
) -> None:
    """Return once `{base}/health` answers 200. Fails at once if `exited()` reports the server has
    stopped (a message), and after `timeout` seconds with the last answer or error it got."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if (reason := exited()) is not None:
            raise AssertionError(f"the server for {base} stopped before it answered: {reason}")
        try:
            response = httpx.get(f"{base}/health", timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            last = f"{type(error).__name__}: {error}"
        time.sleep(0.2)
    raise AssertionError(f"{base}/health did not answer 200 within {timeout:.0f} s (last: {last})")
