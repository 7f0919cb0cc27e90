"""The entity page for the terminal, with rich: the same sections, order and ranking as the web page.

Every entity shows its id (what `atlas show` takes next); long relation types and texts wrap inside
their column instead of being cut at the terminal's width.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from core.schema import type_heading
from graph.models import EntityPage, Neighbor, NeighborGroup

LEGEND = "→ this entity is the relation's source (outgoing) · ← it is the target (incoming)"


def render_page(page: EntityPage) -> RenderableType:
    entity = page.entity
    header = Text.assemble(
        (entity.type, "bold cyan"),
        "  ",
        (entity.status, "green"),
        "  ",
        (entity.id, "dim"),
        "\n",
        (entity.name, "bold"),
        "\n",
        entity.description,
    )
    parts: list[RenderableType] = [Panel(header, expand=True)]
    if page.redirected_from:
        parts.append(Text(f"({page.redirected_from} was merged into this entity)", style="yellow"))
    parts.append(Text("Neighborhood — ranked by edge-count", style="bold underline"))
    if page.neighborhood.groups:
        parts.append(Text(LEGEND, style="dim"))
    parts.extend(_group_table(group) for group in page.neighborhood.groups)
    parts.append(_similar_table(page))
    return Group(*parts)


def _named(name: str, entity_id: str) -> Text:
    """The name, and below it the id to pass to `atlas show`."""
    return Text.assemble((name, "bold"), "\n", (entity_id, "dim"))


def _similar_table(page: EntityPage) -> RenderableType:
    similar = page.similar
    count = f"{similar.count}{'' if similar.count_exact else '+'}"  # '+': a lower bound
    title = Text(
        f"Related by similarity ({count}) · cosine ≥ {similar.threshold} · no typed edge",
        style="bold underline",
    )
    table = Table(show_header=True, header_style="dim", expand=True)
    for column in ("name / id", "type", "score", "description"):
        table.add_column(column, ratio=3 if column in ("name / id", "description") else 1, overflow="fold")
    for item in similar.items:
        table.add_row(_named(item.name, item.id), item.type, f"{item.score:.3f}", item.description)
    return Group(title, table)


def _edges(neighbor: Neighbor) -> Text:
    """Each relation as `type →` / `type ←`, its description and source below it."""
    text = Text()
    for i, relation in enumerate(neighbor.relations):
        if i:
            text.append("\n")
        text.append(relation.type, style="cyan")
        text.append(" →" if relation.direction == "out" else " ←")
        if relation.description:
            text.append(f"  {relation.description}")
        if relation.source_ref:
            text.append(f"  (source: {relation.source_ref})", style="dim")
    return text


def _group_table(group: NeighborGroup) -> Table:
    table = Table(
        title=f"{type_heading(group.type)} ({group.count})",
        title_justify="left",
        title_style="bold",
        show_header=False,
        expand=True,
    )
    table.add_column("name / id", ratio=3, overflow="fold")
    table.add_column("relations", ratio=6, overflow="fold")
    table.add_column("edges", justify="right", no_wrap=True, min_width=len("99999 edges"))
    for neighbor in group.neighbors:
        degree = f"{neighbor.degree} {'edge' if neighbor.degree == 1 else 'edges'}"
        table.add_row(_named(neighbor.name, neighbor.id), _edges(neighbor), degree)
    if group.count > len(group.neighbors):
        table.caption = f"{group.count - len(group.neighbors)} more not shown"
    return table
