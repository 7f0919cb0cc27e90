"""Shared request dependencies: the GraphReader and SuggestionService the app built at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from graph.reader import GraphReader
from suggest.service import SuggestionService


def get_reader(request: Request) -> GraphReader:
    reader: GraphReader = request.app.state.reader
    return reader


Reader = Annotated[GraphReader, Depends(get_reader)]


def get_suggestions(request: Request) -> SuggestionService:
    service: SuggestionService = request.app.state.suggestions
    return service


Suggester = Annotated[SuggestionService, Depends(get_suggestions)]


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def wants_html(request: Request) -> bool:
    """Browsers ask for text/html first; API clients ask for JSON or anything (*/*)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept
