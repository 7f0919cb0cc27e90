"""The entity page for the terminal, with rich: the same sections, order and ranking as the web page."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from core.schema import type_heading
from graph.models import EntityPage, NeighborGroup


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
    parts.extend(_group_table(group) for group in page.neighborhood.groups)
    similar = page.similar
    count = f"{similar.count}{'' if similar.count_exact else '+'}"  # '+': a lower bound
    parts.append(
        Text(
            f"Related by similarity ({count}) · cosine ≥ {similar.threshold} · no typed edge",
            style="bold underline",
        )
    )
    table = Table(show_header=True, header_style="dim", expand=True)
    for column in ("name", "type", "score", "description"):
        table.add_column(column, ratio=3 if column in ("name", "description") else 1)
    for item in similar.items:
        table.add_row(item.name, item.type, f"{item.score:.3f}", item.description)
    parts.append(table)
    return Group(*parts)


def _group_table(group: NeighborGroup) -> Table:
    table = Table(
        title=f"{type_heading(group.type)} ({group.count})",
        title_justify="left",
        title_style="bold",
        show_header=False,
        expand=True,
    )
    table.add_column("name", ratio=3)
    table.add_column("relation", ratio=2, min_width=18, no_wrap=True)
    table.add_column("edge description", ratio=5)
    table.add_column("edges", justify="right", ratio=1)
    for neighbor in group.neighbors:
        relations = "\n".join(f"{r.type} {'→' if r.direction == 'out' else '←'}" for r in neighbor.relations)
        descriptions = "\n".join(r.description for r in neighbor.relations)
        table.add_row(neighbor.name, relations, descriptions, str(neighbor.degree))
    if group.count > len(group.neighbors):
        table.caption = f"{group.count - len(group.neighbors)} more not shown"
    return table
