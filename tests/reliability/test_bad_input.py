"""Malformed and hostile files through `atlas ingest`: a precise error (file, line, field), exit
code 1, and the database exactly as it was."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.snapshot import graph_snapshot

GOOD = [
    {"kind": "entity", "id": "concept:alpha", "type": "concept", "name": "Alpha", "description": "First"},
    {"kind": "entity", "id": "concept:beta", "type": "concept", "name": "Beta"},
    {"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:beta"},
]
ENTITY = '{"kind": "entity", "type": "concept", "name": "Gamma"}'


def jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


# (file name, content, expected fragments of the error: location first)
CASES: dict[str, tuple[str, bytes, list[str]]] = {
    "truncated_json": (
        "g.jsonl",
        jsonl(ENTITY, '{"kind": "entity", "type": "con'),
        ["g.jsonl:2", "invalid JSON"],
    ),
    "invalid_utf8": (
        "g.jsonl",
        jsonl(ENTITY) + b'{"kind": "entity", "name": "\xc3\x28"}\n',
        ["g.jsonl:2", "not valid UTF-8"],
    ),
    "bom": ("g.jsonl", b"\xef\xbb\xbf" + jsonl(ENTITY), ["g.jsonl:1", "byte-order mark"]),
    "enormous_line": (
        "g.jsonl",
        jsonl(ENTITY, '{"kind": "entity", "name": "' + "x" * 2_000_000 + '"}'),
        ["g.jsonl:2", "longer than"],
    ),
    "ten_mb_description": (
        "g.jsonl",
        jsonl(
            *[
                json.dumps(
                    {"kind": "entity", "type": "concept", "name": f"Long {i}", "description": "y" * 900_000}
                )
                for i in range(12)
            ]
        ),
        ["g.jsonl:1: field 'description'", "at most 20000 characters"],
    ),
    "nul_byte": ("g.jsonl", jsonl(ENTITY, '{"kind": "entity", "name": "a\x00b"}'), ["g.jsonl:2", "NUL byte"]),
    "escaped_nul": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "a\\u0000b"}'),
        ["g.jsonl:1: field 'name'", "control character"],
    ),
    "unknown_field": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "colour": "red"}'),
        ["g.jsonl:1: field 'colour'", "Extra inputs are not permitted"],
    ),
    "not_an_object": ("g.jsonl", jsonl("[1, 2, 3]"), ["g.jsonl:1", "must be a JSON object"]),
    "unknown_kind": (
        "g.jsonl",
        jsonl('{"kind": "node", "type": "concept", "name": "G"}'),
        ["g.jsonl:1: field 'kind'", "must be 'entity' or 'relation'"],
    ),
    "conflicting_duplicate_id": (
        "g.jsonl",
        jsonl(ENTITY, '{"kind": "entity", "type": "concept", "name": "Gamma", "description": "other"}'),
        ["g.jsonl:2: field 'id'", "defined twice (first at", "g.jsonl:1"],
    ),
    "self_loop": (
        "g.jsonl",
        jsonl(
            '{"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:alpha"}'
        ),
        ["g.jsonl:1", "to itself"],
    ),
    "duplicate_relation": ("g.jsonl", jsonl(*[json.dumps(GOOD[2])] * 2), ["g.jsonl:2", "duplicate relation"]),
    "dangling_endpoint": (
        "g.jsonl",
        jsonl(
            '{"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:nowhere"}'
        ),
        ["g.jsonl:1: field 'target'", "neither in the input nor in the database"],
    ),
    "cypher_in_type": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept`) DETACH DELETE n //", "name": "G"}'),
        ["g.jsonl:1: field 'type'", "unknown entity type"],
    ),
    "cypher_in_id": (
        "g.jsonl",
        jsonl('{"kind": "entity", "id": "concept:x}) DETACH DELETE n //", "type": "concept", "name": "G"}'),
        ["g.jsonl:1: field 'id'", "not an id"],
    ),
    "dollar_in_relation_type": (
        "g.jsonl",
        jsonl('{"kind": "relation", "source": "concept:alpha", "type": "$type", "target": "concept:beta"}'),
        ["g.jsonl:1: field 'type'", "unknown relation type '$type'"],
    ),
    "csv_missing_column": (
        "entities.csv",
        b"type,name\nconcept\n",
        ["entities.csv:2", "1 fields but the header has 2"],
    ),
    "csv_extra_delimiter": (
        "relations.csv",
        b"source,type,target\nconcept:alpha,extends,concept:beta,x\n",
        ["relations.csv:2", "4 fields but the header has 3"],
    ),
    "csv_unknown_column": (
        "entities.csv",
        b"type,name,weight\nconcept,G,3\n",
        ["entities.csv:2: field 'weight'", "Extra inputs"],
    ),
    "yaml_syntax": (
        "g.yaml",
        b"entities:\n  - type: concept\n    name: [oops\n",
        ["g.yaml:", "invalid YAML"],
    ),
    "yaml_wrong_section": ("g.yaml", b"nodes:\n  - {type: concept, name: G}\n", ["g.yaml:1: field 'nodes'"]),
    "unsupported_file": ("g.txt", b"hello\n", ["g.txt", "unsupported file"]),
}


@pytest.fixture
def cli(neo4j_server, ingest, tmp_path: Path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in GOOD))
    ingest(good)
    env = {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
    }

    def run(*args: str):
        return CliRunner().invoke(app, ["ingest", *args], env=env)

    return run


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gets_a_precise_error_and_changes_nothing(cli, db, tmp_path: Path, case: str) -> None:
    name, content, expected = CASES[case]
    folder = tmp_path / case
    folder.mkdir()
    path = folder / name
    path.write_bytes(content)
    # A valid file given alongside is not written either: validation comes before any write.
    valid = folder / "valid.jsonl"
    valid.write_text('{"kind": "entity", "type": "concept", "name": "Would Be New"}\n')
    before = graph_snapshot(db)
    result = cli(str(valid), str(path))
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    for fragment in expected:
        assert fragment in message, (fragment, message[:500])
    assert str(path).split("/")[-1] in message
    assert graph_snapshot(db) == before


def test_missing_and_traversing_paths_are_named_and_nothing_is_written(cli, db, tmp_path: Path) -> None:
    """Ingest reads exactly the paths it is given (it is the user's own CLI); a path that does not
    exist, through `..` or not, is named in the error and nothing is written."""
    before = graph_snapshot(db)
    traversing = tmp_path / "a" / ".." / ".." / "nowhere" / "g.jsonl"
    result = cli(str(traversing))
    assert result.exit_code == 1
    assert f"{traversing}: no such file or folder" in " ".join(result.output.split())
    assert graph_snapshot(db) == before


def test_a_valid_ingest_through_the_cli_prints_its_summary(cli, tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    path.write_text('{"kind": "entity", "type": "concept", "name": "Delta"}\n')
    result = cli(str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["entities"] == {"created": 1, "updated": 0, "unchanged": 0}
