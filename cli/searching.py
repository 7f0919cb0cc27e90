"""`atlas search`: the API's search from the terminal, with the same modes."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import JsonOption, emit, err_console, graph_reader
from graph.search import Searcher, SearchMode, SearchResults

MODE_HELP = (
    "hybrid: words and meaning fused; text: words only (English stemming); meaning: the query's "
    "embedding only (loads the model, a few seconds)."
)


def search(
    query: Annotated[str, typer.Argument(help="Words to look for in names, aliases and descriptions.")],
    mode: Annotated[SearchMode, typer.Option(help=MODE_HELP)] = SearchMode.hybrid,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Search by words, by meaning, or both (as GET /search): exact and prefix name matches first."""
    with graph_reader() as reader:
        results = Searcher(reader.db, reader.queries).search(query, mode, limit=limit)
    if results.model is not None and results.model.load_seconds is not None and not as_json:
        err_console.print(f"{results.model.name} loaded in {results.model.load_seconds:.1f} s", markup=False)
    emit(results.model_dump(mode="json"), as_json, text_lines(results) or "nothing found")


def text_lines(results: SearchResults) -> str:
    return "\n".join(
        f"{hit.score:8.4f}  {hit.match:<7} {hit.entity.id:<50} {hit.entity.name}" for hit in results.items
    )
