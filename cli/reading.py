"""`atlas show | stats`: the graph read from the terminal, as the API reads it."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import JsonOption, console, emit, graph_reader
from graph.reader import DEFAULT_THRESHOLD


def stats(as_json: JsonOption = False) -> None:
    """Counts per entity type and relation type."""
    with graph_reader() as reader:
        result = reader.stats()
    lines = [
        f"{result.entities} entities of {len(result.entity_types)} types, "
        f"{result.relations} relations of {len(result.relation_types)} types"
    ]
    lines += [f"  {row.type:<20} {row.count}" for row in result.entity_types]
    lines += ["relations:"] + [f"  {row.type:<20} {row.count}" for row in result.relation_types]
    emit(result.model_dump(), as_json, "\n".join(lines))


def show(
    entity_id: Annotated[str, typer.Argument(help="An entity id, e.g. concept:alignment-faking.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many neighbors per group.")] = 25,
    threshold: Annotated[float, typer.Option(help="Minimum cosine for similar entities.")] = (
        DEFAULT_THRESHOLD
    ),
    as_json: JsonOption = False,
) -> None:
    """The entity page in the terminal, grouped and ranked like the web page (--json: the API's JSON)."""
    with graph_reader() as reader:
        page = reader.page(entity_id, limit=limit, threshold=threshold)
    if as_json:
        emit(page.model_dump(mode="json"), True, "")
        return
    from cli.render import render_page

    console.print(render_page(page))
