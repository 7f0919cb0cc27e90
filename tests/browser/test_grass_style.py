"""The Neo4j Browser style gives every entity type its own colour and a caption: the seed graph's
types and those the importers bring (WN18RR, CoDEx, bibliographies)."""

import re
from pathlib import Path

from core.schema import Schema, read_schema_file
from ingest.sources import bibliography, codex, wn18rr

ROOT = Path(__file__).resolve().parents[2]
GRASS = ROOT / "browser" / "atlas.grass"


def known_types() -> Schema:
    seeds = read_schema_file(ROOT / "seeds" / "schema.yaml")
    return seeds.extended_with(wn18rr.SCHEMA).extended_with(codex.SCHEMA).extended_with(bibliography.SCHEMA)


def styled_labels() -> dict[str, dict[str, str]]:
    rules = {}
    for selector, body in re.findall(r"^node\.(\w+)\s*\{(.*?)^\}", GRASS.read_text(), re.M | re.S):
        rules[selector] = dict(re.findall(r"([\w-]+):\s*([^;]+);", body))
    return rules


def test_every_entity_type_has_a_colour_and_a_name_caption() -> None:
    schema = known_types()
    rules = styled_labels()
    for entity_type in schema.entity_types:
        rule = rules.get(schema.label(entity_type))
        assert rule is not None, f"no style for :{schema.label(entity_type)}"
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"])
        assert rule["caption"] == '"{name}"'


def test_no_style_names_a_label_outside_the_schema() -> None:
    schema = known_types()
    assert set(styled_labels()) <= {schema.label(t) for t in schema.entity_types}
