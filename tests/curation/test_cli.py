"""`atlas candidates | link | dismiss | merge | undo | decisions`, with --dry-run."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.curation.conftest import CANONICAL, DUPLICATE, decision_count, graph_state


@pytest.fixture
def cli_env(neo4j_server, curation_graph) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
    }


def atlas(env, *args: str):
    return CliRunner().invoke(app, list(args), env=env)


def test_dry_run_prints_exactly_the_changes_a_real_run_makes(cli_env, db) -> None:
    before = graph_state(db)
    dry = atlas(cli_env, "merge", DUPLICATE, CANONICAL, "--who", "ana", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert (graph_state(db), decision_count(db)) == (before, 0)
    real = atlas(cli_env, "merge", DUPLICATE, CANONICAL, "--who", "ana", "--json")
    assert real.exit_code == 0, real.output
    assert json.loads(dry.stdout)["changes"] == json.loads(real.stdout)["changes"]
    assert graph_state(db) != before
    text = atlas(cli_env, "undo", json.loads(real.stdout)["decision"]["id"], "--dry-run")
    assert text.stdout.startswith("dry run, nothing written; would:")
    assert "recreate relation (paper:p2)-[:STUDIES]->(concept:reward-hacking-twin)" in text.stdout


def test_link_dismiss_undo_round_trip(cli_env, db) -> None:
    before = graph_state(db)
    linked = atlas(cli_env, "link", "concept:sycophancy", "analogous_to", "concept:other",
                   "--description", "proxies", "--why", "cli test", "--json")  # fmt: skip
    assert linked.exit_code == 0, linked.output
    dismissed = atlas(cli_env, "dismiss", "concept:sycophancy", "paper:p2", "--json")
    assert dismissed.exit_code == 0, dismissed.output
    listed = atlas(cli_env, "decisions", "--entity", "concept:sycophancy")
    assert "link" in listed.stdout and "dismiss" in listed.stdout and "cli test" in listed.stdout
    for result in (dismissed, linked):
        undone = atlas(cli_env, "undo", json.loads(result.stdout)["decision"]["id"])
        assert undone.exit_code == 0, undone.output
    assert graph_state(db) == before


def test_errors_exit_with_codes_and_write_nothing(cli_env, db) -> None:
    before = graph_state(db)
    assert atlas(cli_env, "merge", DUPLICATE, "concept:nowhere").exit_code == 4
    assert atlas(cli_env, "undo", "nope").exit_code == 4
    refused = atlas(cli_env, "link", "paper:p1", "introduces", CANONICAL)
    assert refused.exit_code == 1 and "already exists" in refused.output
    assert atlas(cli_env, "candidates", "--kind", "maybe").exit_code == 1
    assert graph_state(db) == before and decision_count(db) == 0


def test_candidates_json_equals_the_api(cli_env, client) -> None:
    result = atlas(cli_env, "candidates", "--threshold", "0.3", "--limit", "5", "--json")
    assert result.exit_code == 0, result.output
    api = client.get("/candidates", params={"threshold": 0.3, "limit": 5}).json()
    cli = json.loads(result.stdout)
    for timing in ("computed_at", "computed_seconds", "computed_stages"):  # each computed its own list
        assert cli.pop(timing) is not None and api.pop(timing) is not None
    assert cli == api and api["items"]
