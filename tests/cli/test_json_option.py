"""Every `atlas` command takes `--json`, and what it prints then is JSON."""

import json
from typing import Any

import typer
from typer.testing import CliRunner

from cli.main import app


def leaf_commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Commands by their full name (`neo4j start`); groups are walked, not listed."""
    commands: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            commands |= leaf_commands(command, f"{prefix}{name} ")
        else:
            commands[f"{prefix}{name}"] = command
    return commands


def test_every_command_has_a_json_option() -> None:
    commands = leaf_commands(typer.main.get_group(app))
    assert {"show", "ingest", "neo4j start", "neo4j stop"} <= set(commands)
    missing = [
        name
        for name, command in commands.items()
        if not any("--json" in param.opts for param in command.params)
    ]
    assert missing == []


def test_stop_with_json_reports_that_nothing_ran(tmp_path) -> None:
    env = {"ATLAS_STATE_DIR": str(tmp_path / "state")}
    result = CliRunner().invoke(app, ["neo4j", "stop", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"stopped": False}


def test_logs_without_a_server_exit_with_code_3(tmp_path) -> None:
    env = {"ATLAS_STATE_DIR": str(tmp_path / "state")}
    result = CliRunner().invoke(app, ["neo4j", "logs", "--json"], env=env)
    assert result.exit_code == 3
    assert "no log at" in result.output
