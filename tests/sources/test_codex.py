"""CoDEx through `atlas import codex`: the published statistics, one coarse type per item."""

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ingest.records import slugify
from ingest.sources.codex import SCHEMA, coarse_type, read_codex, relation_type
from ingest.validate import validate

PUBLISHED = {
    "s": {"entities": 2_034, "relation_types": 42, "triples": 32_888 + 1_827 + 1_828},
    "m": {"entities": 17_050, "relation_types": 51, "triples": 185_584 + 10_310 + 10_311},
}


@pytest.mark.parametrize("size", ["s", "m"])
def test_records_reproduce_the_published_statistics(datasets: Path, size: str) -> None:
    records, problems = read_codex(datasets / "codex", size)  # type: ignore[arg-type]
    assert problems == []
    valid, invalid = validate(records, lambda ids: set(), SCHEMA)
    assert invalid == []
    assert len(valid.entities) == PUBLISHED[size]["entities"]
    assert len(valid.relations) == PUBLISHED[size]["triples"]
    assert len({relation.type for relation in valid.relations}) == PUBLISHED[size]["relation_types"]


def test_items_get_one_coarse_type_and_keep_their_wikidata_types(datasets: Path) -> None:
    records, _ = read_codex(datasets / "codex", "s")
    entities = {r.data["properties"]["wikidata_id"]: r.data for r in records if r.data["kind"] == "entity"}
    usa = entities["Q30"]
    assert usa["type"] == "place"
    assert (usa["id"], usa["name"]) == ("place:q30", "Q30")  # this copy has no label for Q30
    named = [entity for entity in entities.values() if entity["name"] != entity["properties"]["wikidata_id"]]
    assert named  # items that are themselves Wikidata types have a label: it goes into the id
    assert all(
        entity["id"] == f"{entity['type']}:{slugify(entity['name'])}-{qid.lower()}"
        for entity in named
        for qid in [entity["properties"]["wikidata_id"]]
    )
    assert usa["url"] == "https://www.wikidata.org/wiki/Q30"
    assert "sovereign state" in usa["properties"]["wikidata_types"]
    types = Counter(entity["type"] for entity in entities.values())
    assert set(types) == {"person", "place", "organization", "work", "concept"}
    assert types["person"] > types["place"] > 0  # CoDEx is mostly people


def test_the_first_matching_rule_decides_the_coarse_type() -> None:
    assert coarse_type(["human"]) == "person"
    assert coarse_type(["city", "big city"]) == "place"
    assert coarse_type(["music genre"]) == "concept"  # "genre" is a concept rule, before any other
    assert coarse_type(["musical group"]) == "organization"
    assert coarse_type(["public university"]) == "organization"
    assert coarse_type([]) == "concept"


def test_relation_types_are_property_labels_in_snake_case() -> None:
    assert relation_type("country of citizenship") == "country_of_citizenship"
    assert relation_type("member of sports team") == "member_of_sports_team"


def test_import_then_stats_equals_the_published_numbers(neo4j_server, db, datasets: Path, tmp_path) -> None:
    env = {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "ATLAS_STATE_DIR": str(tmp_path),
    }
    command = ["import", "codex", str(datasets / "codex"), "--size", "s", "--json"]
    imported = CliRunner().invoke(app, command, env=env)
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["entities"]["created"] == PUBLISHED["s"]["entities"]

    stats = CliRunner().invoke(app, ["stats", "--json"], env=env)
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.stdout)
    assert figures["entities"] == PUBLISHED["s"]["entities"]
    assert figures["relations"] == PUBLISHED["s"]["triples"]
    assert len(figures["relation_types"]) == PUBLISHED["s"]["relation_types"]

    again = CliRunner().invoke(app, command, env=env)
    summary = json.loads(again.stdout)
    assert summary["embeddings_computed"] == 0
    assert summary["entities"]["unchanged"] == PUBLISHED["s"]["entities"]
    assert summary["relations"]["unchanged"] == PUBLISHED["s"]["triples"]
