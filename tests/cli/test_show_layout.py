"""`atlas show`'s terminal page at a narrow width: every entity's id is shown, and long relation
types and descriptions wrap inside their column rather than being cut (no database needed)."""

from __future__ import annotations

import io

from rich.console import Console

from cli.render import render_page
from graph.models import (
    Entity,
    EntityPage,
    Neighbor,
    NeighborGroup,
    Neighborhood,
    Relation,
    Similar,
    SimilarEntity,
)

LONG_TYPE = "derivationally_related_form_of_a_very_long_relation_type"
LONG_DESCRIPTION = "an edge description long enough that it cannot fit on one line of eighty columns " * 2


def page() -> EntityPage:
    neighbours = [
        Neighbor(
            id="concept:a-neighbour-with-a-rather-long-identifier",
            type="concept",
            name="A neighbour",
            degree=1,
            relations=[
                Relation(type=LONG_TYPE, direction="out", description=LONG_DESCRIPTION, source_ref="paper:x")
            ],
        ),
        Neighbor(
            id="concept:second",
            type="concept",
            name="Second",
            degree=7,
            relations=[Relation(type="studies", direction="in")],
        ),
    ]
    return EntityPage(
        entity=Entity(id="concept:centre", type="concept", name="Centre"),
        neighborhood=Neighborhood(
            limit=25, groups=[NeighborGroup(type="concept", count=2, neighbors=neighbours)]
        ),
        similar=Similar(
            threshold=0.65,
            count=1,
            items=[SimilarEntity(id="concept:similar-one", type="concept", name="Similar one", score=0.7)],
        ),
    )


def rendered(width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, legacy_windows=False).print(render_page(page()))
    return out.getvalue()


def columns(text: str) -> list[str]:
    """Each table column's text, its wrapped fragments joined, without whitespace."""
    found: dict[int, str] = {}
    for line in text.splitlines():
        if line.count("│") >= 2:
            for i, cell in enumerate(line.split("│")[1:-1]):
                found[i] = found.get(i, "") + "".join(cell.split())
    return [found[i] for i in sorted(found)]


def test_show_wraps_long_relation_types_and_descriptions_instead_of_cutting_them() -> None:
    text = rendered(80)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    joined = "".join(columns(text))
    assert LONG_TYPE in joined
    assert "".join(LONG_DESCRIPTION.split()) in joined
    assert "(source:paper:x)" in joined


def test_show_gives_every_entity_its_id_and_reads_1_edge() -> None:
    text = rendered(80)
    joined = "".join(columns(text))
    for entity_id in (
        "concept:a-neighbour-with-a-rather-long-identifier",
        "concept:second",
        "concept:similar-one",
    ):
        assert entity_id in joined
    assert "concept:centre" in text
    assert "1 edge" in text and "1 edges" not in text and "7 edges" in text
    assert "→ this entity is the relation's source" in text
