"""Whole datasets through `atlas import`, then `atlas stats`: the published statistics (slow)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.slow

PUBLISHED = {
    "wn18rr": {"entities": 40_943, "relation_types": 11, "relations": 93_003},
    "codex-m": {"entities": 17_050, "relation_types": 51, "relations": 206_205},
}
COMMANDS = {
    "wn18rr": lambda datasets: ["import", "wn18rr", str(datasets / "wn18rr")],
    "codex-m": lambda datasets: ["import", "codex", str(datasets / "codex"), "--size", "m"],
}


@pytest.mark.parametrize("dataset", ["wn18rr", "codex-m"])
def test_stats_after_a_full_import_equal_the_published_numbers(
    neo4j_server, db, datasets: Path, tmp_path: Path, dataset: str
) -> None:
    env = {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "ATLAS_STATE_DIR": str(tmp_path),
    }
    imported = CliRunner().invoke(app, [*COMMANDS[dataset](datasets), "--json"], env=env)
    assert imported.exit_code == 0, imported.output
    stats = json.loads(CliRunner().invoke(app, ["stats", "--json"], env=env).stdout)
    published = PUBLISHED[dataset]
    assert stats["entities"] == published["entities"]
    assert stats["relations"] == published["relations"]
    assert len(stats["relation_types"]) == published["relation_types"]
