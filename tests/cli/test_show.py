"""`atlas show`: the entity page in the terminal, the same as the API's."""

import json

import pytest
from typer.testing import CliRunner

from cli.main import app

PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def cli_env(neo4j_server, seeded) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
    }


def test_show_json_equals_the_api_page(cli_env, client) -> None:
    result = CliRunner().invoke(app, ["show", PAGE_ID, "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get(f"/entities/{PAGE_ID}").json()


def test_show_prints_groups_in_the_page_order(cli_env) -> None:
    result = CliRunner().invoke(app, ["show", PAGE_ID], env={**cli_env, "COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    headings = [
        "Papers (2)",
        "Thinkers (3)",
        "Frameworks (1)",
        "Methods (1)",
        "Concepts (13)",
        "Artifacts (2)",
        "Quotes (2)",
        "Related by similarity (",
    ]
    positions = [result.stdout.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "Greenblatt et al." in result.stdout


def test_show_unknown_id_exits_with_code_4(cli_env) -> None:
    result = CliRunner().invoke(app, ["show", "concept:nowhere"], env=cli_env)
    assert result.exit_code == 4
    assert "no entity with id 'concept:nowhere'" in result.output


@pytest.mark.neo4j  # the driver retries a closed port for seconds before the CLI gives up
def test_commands_without_a_reachable_neo4j_exit_with_code_3(tmp_path) -> None:
    env = {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "irrelevant-secret"}
    result = CliRunner().invoke(app, ["stats", "--json"], env=env)
    assert result.exit_code == 3
    assert "irrelevant-secret" not in result.output
