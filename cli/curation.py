"""`atlas candidates | link | dismiss | merge | undo | decisions`: curation from the terminal.

Every decision takes `--dry-run`, which prints exactly the changes it would make and writes nothing.
The CLI talks to Neo4j with the database password, so it needs no API key.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, cast

import typer

from cli.common import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, JsonOption, atlas_errors, emit, fail, open_database
from core.queries import Queries
from core.schema import GraphSchema
from core.settings import Settings
from curation.candidates import CandidateFinder
from curation.curator import Curator
from curation.errors import CurationConflict, DecisionNotFound, InvalidDecision
from curation.models import CandidateKind, CurationResult

Who = Annotated[str | None, typer.Option(help="Who takes the decision (default: your user name).")]
Why = Annotated[str, typer.Option(help="Why: kept with the decision.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the changes; write nothing.")]


def register_curation(app: typer.Typer) -> None:
    """Add the curation commands to `atlas`."""
    for command in (candidates, link, dismiss, merge, undo, decisions):
        app.command()(command)


@contextmanager
def _curation() -> Iterator[Curator]:
    """A Curator on the configured database; Atlas errors become exit codes (cli/common.py)."""
    settings = Settings()
    db = open_database(settings, retry_seconds=5)
    try:
        with atlas_errors():
            queries = Queries(settings.cypher_dir)
            yield Curator(db, queries, GraphSchema(db, queries))
    except DecisionNotFound as error:
        raise fail(str(error), EXIT_NOT_FOUND) from error
    except (InvalidDecision, CurationConflict) as error:
        raise fail(str(error), EXIT_INVALID_INPUT) from error
    finally:
        db.driver.close()


def _decide(action: Callable[[Curator], CurationResult], as_json: bool) -> None:
    with _curation() as curator:
        result = action(curator)
    heading = "dry run, nothing written; would:" if result.dry_run else "done:"
    if result.decision is not None:
        heading = f"decision {result.decision.id} {result.decision.status}; done:"
    text = "\n".join([heading, *(f"  {change}" for change in result.changes)])
    emit(result.model_dump(mode="json"), as_json, text)


def _who(who: str | None) -> str:
    if who:
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def candidates(
    threshold: Annotated[float, typer.Option(min=-1.0, max=1.0, help="Minimum cosine.")] = 0.8,
    type_a: Annotated[str | None, typer.Option(help="One entity type of the pair.")] = None,
    type_b: Annotated[str | None, typer.Option(help="The other entity type of the pair.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only 'duplicate' or only 'missing_edge' pairs.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many pairs.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="`next_cursor` of the previous page.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Entity pairs with cosine >= threshold, no typed edge and not dismissed, best first."""
    if kind not in (None, "duplicate", "missing_edge"):
        raise fail(f"--kind must be 'duplicate' or 'missing_edge', not {kind!r}", EXIT_INVALID_INPUT)
    with _curation() as curator:
        for name, value in (("--type-a", type_a), ("--type-b", type_b)):
            if value is not None and (problem := curator.schema.unknown_entity_type(value)):
                raise fail(f"{name}: {problem}", EXIT_INVALID_INPUT)
        found = CandidateFinder(curator.db, curator.queries).find(
            threshold, type_a, type_b, kind=cast("CandidateKind | None", kind), limit=limit, cursor=cursor
        )
    lines = [f"{found.count} pairs with cosine ≥ {threshold}"]
    lines += [
        f"{pair.score:.3f}  {pair.kind:<12} {pair.a.id}  ~  {pair.b.id}  ({pair.reason})"
        for pair in found.items
    ]
    if found.next_cursor:
        lines.append(f"more: --cursor {found.next_cursor}")
    emit(found.model_dump(mode="json"), as_json, "\n".join(lines))


def link(
    source: Annotated[str, typer.Argument(help="The relation's source entity id.")],
    relation_type: Annotated[str, typer.Argument(help="A relation type, e.g. associated_with.")],
    target: Annotated[str, typer.Argument(help="The relation's target entity id.")],
    description: Annotated[str, typer.Option(help="The relation's description.")] = "",
    who: Who = None,
    why: Why = "",
    dry_run: DryRun = False,
    as_json: JsonOption = False,
) -> None:
    """Create a typed relation between two entities (e.g. a candidate pair)."""
    _decide(
        lambda c: c.link(source, target, relation_type, description, who=_who(who), why=why, dry_run=dry_run),
        as_json,
    )


def dismiss(
    a: Annotated[str, typer.Argument(help="One entity id (with --type: the edge's source).")],
    b: Annotated[str, typer.Argument(help="The other entity id (with --type: the edge's target).")],
    relation_type: Annotated[
        str | None,
        typer.Option("--type", help="Only the edge A -[TYPE]-> B is wrong (a declined suggestion)."),
    ] = None,
    who: Who = None,
    why: Why = "",
    dry_run: DryRun = False,
    as_json: JsonOption = False,
) -> None:
    """Mark a pair as not related: it never comes back as a candidate or a suggestion. With
    --type, only that one edge is declined."""
    _decide(
        lambda c: c.dismiss(a, b, relation_type=relation_type, who=_who(who), why=why, dry_run=dry_run),
        as_json,
    )


def merge(
    duplicate: Annotated[str, typer.Argument(help="The entity folded away (it stays, merged).")],
    canonical: Annotated[str, typer.Argument(help="The entity that receives its relations.")],
    who: Who = None,
    why: Why = "",
    dry_run: DryRun = False,
    as_json: JsonOption = False,
) -> None:
    """Fold a duplicate into a canonical entity: relations move, its name becomes an alias."""
    _decide(lambda c: c.merge(duplicate, canonical, who=_who(who), why=why, dry_run=dry_run), as_json)


def undo(
    decision_id: Annotated[str, typer.Argument(help="The decision's id (see `atlas decisions`).")],
    who: Who = None,
    why: Why = "",
    dry_run: DryRun = False,
    as_json: JsonOption = False,
) -> None:
    """Undo a decision exactly: the graph returns to its state before it."""
    _decide(lambda c: c.undo(decision_id, who=_who(who), why=why, dry_run=dry_run), as_json)


def decisions(
    entity: Annotated[str | None, typer.Option(help="Only decisions taken on this entity.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Curation decisions, newest first."""
    with _curation() as curator:
        found = curator.decisions(entity, limit=limit)
    lines = [
        f"{d.id}  {d.status:<6} {d.kind:<7} {d.source} -> {d.target}"
        f"{'  [' + d.relation_type + ']' if d.relation_type else ''}  by {d.who} {d.at}"
        f"{'  — ' + d.why if d.why else ''}"
        for d in found.items
    ]
    emit(found.model_dump(mode="json"), as_json, "\n".join(lines) or "no decisions")
