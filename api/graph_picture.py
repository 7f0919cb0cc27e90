"""The entity page's neighbourhood as graph elements for Cytoscape.js (api/static/entity-graph.js),
coloured by entity type as Neo4j Browser colours them with browser/atlas.grass."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from core.schema import type_heading
from graph.models import EntityPage

GRASS = Path(__file__).resolve().parents[1] / "browser" / "atlas.grass"
GRASS_RULE = re.compile(r"node\.(\w+)\s*\{([^}]*)\}")
GRASS_PROPERTY = re.compile(r"([\w-]+)\s*:\s*([^;]+);")
# Types the grass file does not style (a field's own schema) get one of Neo4j Browser's own label
# colours, the same one for the same type on every page.
BROWSER_PALETTE = [
    ("#604A0E", "#423204"), ("#C990C0", "#B261A5"), ("#F79767", "#F36924"), ("#57C7E3", "#23B3D7"),
    ("#F16667", "#EB2728"), ("#D9C8AE", "#C0A378"), ("#8DCC93", "#5DB665"), ("#ECB5C9", "#DA7298"),
    ("#4C8EDA", "#2870C2"), ("#FFC454", "#D7A013"), ("#DA7194", "#CC3C6C"), ("#569480", "#447666"),
]  # fmt: skip
DEFAULT_TEXT = "#FFFFFF"


@cache
def grass_styles(path: Path = GRASS) -> dict[str, dict[str, str]]:
    """Label (PascalCase) -> {color, border-color, text-color-internal} from the grass file; empty
    when the file is not there (an installed package without the repository's browser/ folder)."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    return {
        label: {key: value.strip() for key, value in GRASS_PROPERTY.findall(body)}
        for label, body in GRASS_RULE.findall(text)
    }


def type_colour(entity_type: str) -> dict[str, str]:
    label = "".join(part.capitalize() for part in entity_type.split("_"))
    style = grass_styles().get(label)
    if style and "color" in style:
        return {
            "fill": style["color"],
            "border": style.get("border-color", style["color"]),
            "text": style.get("text-color-internal", DEFAULT_TEXT),
        }
    fill, border = BROWSER_PALETTE[sum(map(ord, entity_type)) % len(BROWSER_PALETTE)]
    return {"fill": fill, "border": border, "text": DEFAULT_TEXT}


def type_colours(types: list[str]) -> dict[str, dict[str, str]]:
    return {entity_type: type_colour(entity_type) for entity_type in types}


def graph_elements(page: EntityPage, entity_url: str) -> dict[str, Any]:
    """Nodes (the entity, then its listed neighbours in the page's group order) and one edge per
    relation, pointing from source to target. A node's link (`entity_url` + its id) and colours
    (`colours` by its type) are sent once, not per node: entity-graph.js adds them to each node, so
    a 500-neighbour page carries 40% less graph data."""
    entity = page.entity
    nodes: list[dict[str, dict[str, Any]]] = [
        {"data": {"id": entity.id, "label": entity.name, "type": entity.type, "centre": True}}
    ]
    edges: list[dict[str, Any]] = []
    for group in page.neighborhood.groups:
        for neighbor in group.neighbors:
            nodes.append({"data": {"id": neighbor.id, "label": neighbor.name, "type": neighbor.type}})
            for relation in neighbor.relations:
                source, target = (
                    (entity.id, neighbor.id) if relation.direction == "out" else (neighbor.id, entity.id)
                )
                edges.append({"data": {"source": source, "target": target, "label": relation.type}})
    types = list(dict.fromkeys(node["data"]["type"] for node in nodes))
    legend = [{"type": t, "heading": type_heading(t), **type_colour(t)} for t in types]
    colours = type_colours(types)
    return {"nodes": nodes, "edges": edges, "colours": colours, "legend": legend, "entity_url": entity_url}
