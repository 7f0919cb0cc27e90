"""Links to entity pages, built once per request.

Starlette's `url_for` matches the route table on every call (about 90 µs here); a page with 500
neighbours links each of them twice (list and graph), which cost the hub page a third of its server
time. The entity page's URL differs only in its last segment, so the rest is computed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from jinja2 import pass_context
from starlette.requests import Request

ENTITY_PAGE = "entity_html"  # the route's name in api/routes/pages.py
PLACEHOLDER = "entity-id"


def entity_page_prefix(request: Request) -> str:
    """The entity page's URL up to its id (`http://host/e/`), computed once per request."""
    prefix: str | None = getattr(request.state, "entity_page_prefix", None)
    if prefix is None:
        prefix = str(request.url_for(ENTITY_PAGE, entity_id=PLACEHOLDER)).removesuffix(PLACEHOLDER)
        request.state.entity_page_prefix = prefix
    return prefix


def entity_page_url(request: Request) -> Callable[[str], str]:
    """`entity_id -> request.url_for("entity_html", entity_id=entity_id)`, the same string."""
    prefix = entity_page_prefix(request)

    def made(entity_id: str) -> str:
        # Ids are `type:slug` (ingest/records.py) and need no escaping; other text still cannot
        # change the path.
        return prefix + quote(entity_id, safe=":")

    return made


@pass_context
def entity_url(context: Any, entity_id: str) -> str:
    """The template global: `{{ entity_url(item.id) }}`."""
    return entity_page_url(context["request"])(entity_id)
