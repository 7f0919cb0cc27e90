"""`atlas search`: the same modes and answers as GET /search."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.fixture
def cli_env(neo4j_server, seeded) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "COLUMNS": "160",
    }


def test_search_json_equals_the_api_answer_in_text_mode(cli_env, client) -> None:
    result = CliRunner().invoke(app, ["search", "deceptive", "--mode", "text", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.stdout) == client.get("/search", params={"q": "deceptive", "mode": "text"}).json()
    )


def test_search_prints_the_exact_name_first_with_why(cli_env) -> None:
    result = CliRunner().invoke(app, ["search", "Alignment Faking", "--mode", "text"], env=cli_env)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0].split()
    assert first[1:3] == ["exact", "concept:alignment-faking"]


def test_an_unknown_mode_is_a_usage_error(cli_env) -> None:
    result = CliRunner().invoke(app, ["search", "deception", "--mode", "fuzzy"], env=cli_env)
    assert result.exit_code == 2
    assert "fuzzy" in result.output and "hybrid" in result.output
