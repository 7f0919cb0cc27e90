"""Links to entity pages, built once per request.

Starlette's `url_for` matches the route table on every call (about 90 µs here); a page with 500
neighbours links each of them, which was half the hub page's server time. The entity page's URL
differs only in its last segment, so the rest is computed once.
"""

from __future__ import annotations

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


def entity_page_url(request: Request, entity_id: str) -> str:
    """`request.url_for("entity_html", entity_id=entity_id)`, the same string."""
    # Ids are `type:slug` (ingest/records.py) and need no escaping; other text still cannot change
    # the path.
    return entity_page_prefix(request) + quote(entity_id, safe=":")


@pass_context
def entity_url(context: Any, entity_id: str) -> str:
    """The template global: `{{ entity_url(item.id) }}`."""
    return entity_page_url(context["request"], entity_id)
