"""`atlas suggest fit` (train the suggester on the graph) and `atlas suggest ID` (an entity's
likely missing edges), on the model kept in the state folder (suggest/service.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cli.common import EXIT_INVALID_INPUT, JsonOption, atlas_errors, emit, err_console, fail, open_database
from core.errors import EntityMerged
from core.queries import Queries
from core.settings import Settings
from suggest.service import Direction, SuggestionService

FIT = "fit"


def suggest(
    target: Annotated[str, typer.Argument(help="`fit` to train on the current graph, or an entity id.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many suggestions.")] = 10,
    relation_type: Annotated[str | None, typer.Option(help="Only edges of this relation type.")] = None,
    direction: Annotated[
        str | None, typer.Option(help="'out' (the entity as source) or 'in' (as target).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Suggested edges: `atlas suggest fit` learns from the graph's typed edges and texts (seconds on
    the seed graph, minutes on WN18RR); `atlas suggest ID` lists the edges ID is likely missing."""
    if direction not in (None, "out", "in"):
        raise fail(f"--direction must be 'out' or 'in', not {direction!r}", EXIT_INVALID_INPUT)
    settings = Settings()
    db = open_database(settings)
    service = SuggestionService(db, Queries(settings.cypher_dir), settings.suggester_dir)
    try:
        with atlas_errors():
            if target == FIT:
                _fit(service, as_json)
            else:
                _show(service, target, limit, relation_type, direction, as_json)  # type: ignore[arg-type]
    finally:
        db.driver.close()


def _fit(service: SuggestionService, as_json: bool) -> None:
    bars = Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        TextColumn("{task.fields[message]}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json or not err_console.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def progress(stage: str, fraction: float, message: str) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=1.0, message="")
        bars.update(tasks[stage], completed=fraction, message=message)
        if bars.disable and not as_json:
            err_console.print(f"{stage}: {message}", highlight=False, markup=False)

    with bars:
        try:
            report = service.fit(progress)
        except ValueError as error:
            raise fail(str(error), EXIT_INVALID_INPUT) from error
    emit(
        report.as_dict(),
        as_json,
        f"fitted on {report.entities} entities, {report.edges} edges of {report.relation_types} types "
        f"({report.declined} dismissed pairs and declined edges) in {report.seconds} s\n"
        f"graph revision {report.revision}; model in {report.folder}\n"
        + (
            f"each entity's best edges kept with the model ({report.best} entities)\n"
            if report.best
            else "graph too large to score every entity now: each request asks the model\n"
        )
        + (
            f"{report.stored} suggestions stored in Neo4j (read them with cypher/suggestions.cypher)"
            if report.stored
            else "no suggestions stored in Neo4j (graph too large, or changed during the fit): ask the API"
        ),
    )


def _show(
    service: SuggestionService,
    entity_id: str,
    limit: int,
    relation_type: str | None,
    direction: Direction | None,
    as_json: bool,
) -> None:
    lines = []
    seen = {entity_id}
    while True:  # a merged entity answers with its canonical's suggestions, as the API redirects
        try:
            found = service.suggestions(entity_id, limit, relation_type, direction)
            break
        except EntityMerged as merged:
            if merged.merged_into in seen:
                raise
            lines.append(f"({merged}: its suggestions)")
            entity_id = merged.merged_into
            seen.add(entity_id)
    if found.model is not None and not found.model.current:
        lines.append(f"(model fitted {found.model.fitted_at}; the graph changed since: atlas suggest fit)")
    for item in found.items:
        edge = f"-[{item.relation_type}]->" if item.direction == "out" else f"<-[{item.relation_type}]-"
        merge = "  (same name: merge?)" if item.kind == "merge" else ""
        lines.append(f"{item.score:8.3f}  {edge} {item.id}  {item.name}{merge}")
    emit(found.model_dump(mode="json"), as_json, "\n".join(lines) or found.note or "no suggestions")
