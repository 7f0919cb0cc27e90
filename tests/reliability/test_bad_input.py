"""Malformed and hostile files through `atlas ingest`: a precise error (file, line, field), exit
code 1, and the database exactly as it was."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ingest.problems import IngestError
from tests.snapshot import graph_snapshot

GOOD = [
    {"kind": "entity", "id": "concept:alpha", "type": "concept", "name": "Alpha", "description": "First"},
    {"kind": "entity", "id": "concept:beta", "type": "concept", "name": "Beta"},
    {"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:beta"},
]
ATLAS = Path(sys.executable).with_name("atlas")
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
        ["g.jsonl:1: field 'colour'", "unknown field 'colour'; allowed: kind, type, id, name"],
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
        ["entities.csv:2: field 'weight'", "unknown field 'weight'; allowed:"],
    ),
    "yaml_syntax": (
        "g.yaml",
        b"entities:\n  - type: concept\n    name: [oops\n",
        ["g.yaml:", "invalid YAML"],
    ),
    "yaml_wrong_section": ("g.yaml", b"nodes:\n  - {type: concept, name: G}\n", ["g.yaml:1: field 'nodes'"]),
    "unsupported_file": ("g.txt", b"hello\n", ["g.txt", "unsupported file"]),
    "id_prefix_not_type": (
        "g.jsonl",
        jsonl('{"kind": "entity", "id": "thinker:gamma", "type": "concept", "name": "Gamma"}'),
        ["g.jsonl:1: field 'id'", "prefix 'thinker' must equal the type 'concept'"],
    ),
    "unknown_entity_type": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "galaxy", "name": "G"}'),
        ["g.jsonl:1: field 'type'", "unknown entity type 'galaxy'"],
    ),
    "backtick_in_id": (
        "g.jsonl",
        jsonl('{"kind": "entity", "id": "concept:`x`", "type": "concept", "name": "G"}'),
        ["g.jsonl:1: field 'id'", "not an id"],
    ),
    "dollar_in_relation_endpoint": (
        "g.jsonl",
        jsonl('{"kind": "relation", "source": "$source", "type": "extends", "target": "concept:beta"}'),
        ["g.jsonl:1: field 'source'", "not an id"],
    ),
    "dangling_source_ref": (
        "g.jsonl",
        jsonl(
            '{"kind": "relation", "source": "concept:alpha", "type": "cites", "target": "concept:beta",'
            ' "source_ref": "paper:missing"}'
        ),
        ["g.jsonl:1: field 'source_ref'", "neither in the input nor in the database"],
    ),
    "duplicate_json_key": (
        "g.jsonl",
        jsonl('{"kind": "entity", "id": "concept:one", "type": "concept", "name": "G", "id": "concept:two"}'),
        ["g.jsonl:1: field 'id'", "given twice"],
    ),
    "deeply_nested_json": (
        "g.jsonl",
        jsonl(
            '{"kind": "entity", "type": "concept", "name": "G", "properties": {"a": '
            + "[" * 200_000
            + "]" * 200_000
            + "}}"
        ),
        ["g.jsonl:1", "nested too deeply"],
    ),
    "nan_property": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "properties": {"x": NaN}}'),
        ["g.jsonl:1: field 'properties.x", "finite number"],
    ),
    "overflowing_float_property": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "properties": {"x": 1e999}}'),
        ["g.jsonl:1: field 'properties.x", "finite number"],
    ),
    "lone_surrogate_in_property": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "properties": {"x": "\\ud800"}}'),
        ["g.jsonl:1: field 'properties'", "lone surrogate"],
    ),
    "lone_surrogate_in_name": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G\\udfff"}'),
        ["g.jsonl:1: field 'name'"],
    ),
    "control_character_in_property_key": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "properties": {"a\\u0007": 1}}'),
        ["g.jsonl:1: field 'properties'", "control character"],
    ),
    "javascript_url": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "name": "G", "url": "javascript:alert(1)"}'),
        ["g.jsonl:1: field 'url'", "must start with http:// or https://"],
    ),
    "too_many_aliases": (
        "g.jsonl",
        jsonl(json.dumps({"kind": "entity", "type": "concept", "name": "G", "aliases": ["a"] * 101})),
        ["g.jsonl:1: field 'aliases'", "at most 100 items"],
    ),
    "name_not_a_string": (
        "g.jsonl",
        jsonl('{"kind": "entity", "type": "concept", "id": "concept:g", "name": 42}'),
        ["g.jsonl:1: field 'name'", "valid string"],
    ),
    "csv_bom": ("entities.csv", b"\xef\xbb\xbftype,name\nconcept,G\n", ["entities.csv:1", "byte-order mark"]),
    "csv_invalid_utf8": (
        "entities.csv",
        b"type,name\nconcept,G\xff\n",
        ["entities.csv:2", "not valid UTF-8"],
    ),
    "csv_nul_byte": ("entities.csv", b"type,name\nconcept,G\x00\n", ["entities.csv:2", "NUL byte"]),
    "csv_unclosed_quote": (
        "entities.csv",
        b'type,name,description\nconcept,G,"never closed\n',
        ["entities.csv", "invalid CSV"],
    ),
    "csv_bad_properties_json": (
        "entities.csv",
        b'type,name,properties\nconcept,G,"{not json"\n',
        ["entities.csv:2: field 'properties'", "invalid JSON"],
    ),
    "csv_self_loop": (
        "relations.csv",
        b"source,type,target\nconcept:alpha,extends,concept:alpha\n",
        ["relations.csv:2", "to itself"],
    ),
    "yaml_bom": (
        "g.yaml",
        b"\xef\xbb\xbf- {kind: entity, type: concept, name: G}\n",
        ["g.yaml:1", "byte-order mark"],
    ),
    "yaml_python_tag": (
        "g.yaml",
        b"- !!python/object/apply:os.system [echo pwned]\n",
        ["g.yaml:1", "invalid YAML"],
    ),
    "yaml_duplicate_key": (
        "g.yaml",
        b"entities:\n  - type: concept\n    name: G\n    name: H\n",
        ["g.yaml:2: field 'name'", "given twice"],
    ),
    "yaml_record_not_a_mapping": ("g.yaml", b"entities:\n  - just text\n", ["g.yaml:2", "must be a mapping"]),
    "yaml_deeply_nested": (
        "g.yaml",
        b"- " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        ["g.yaml", "nested too deeply"],
    ),
    "yaml_billion_laughs": (
        "g.yaml",
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n" % ((98 + i, 98 + i) + (97 + i,) * 9)
            for i in range(8)
        )
        + b"entities:\n  - {type: concept, name: G, aliases: *i}\n",
        ["g.yaml:1: field 'a'", "expected 'entities:' or 'relations:'"],
    ),
    "yaml_date_as_name": (
        "g.yaml",
        b"- {kind: entity, type: concept, name: 2024-01-01}\n",
        ["g.yaml:1: field 'name'"],
    ),
    "yaml_nan_property": (
        "g.yaml",
        b"- {kind: entity, type: concept, name: G, properties: {x: .nan}}\n",
        ["g.yaml:1: field 'properties.x", "finite number"],
    ),
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


def test_the_same_id_in_two_files_names_both_and_nothing_is_written(ingest, db, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.yaml"
    first.write_text('{"kind": "entity", "type": "concept", "name": "Gamma", "description": "one"}\n')
    second.write_text("entities:\n  - {type: concept, name: Gamma, description: another}\n")
    before = graph_snapshot(db)
    with pytest.raises(IngestError) as raised:
        ingest(first, second)
    assert str(raised.value).count("\n") == 1  # exactly one problem
    assert f"{second}:2: field 'id': 'concept:gamma' is defined twice (first at {first}:1)" in str(
        raised.value
    )
    assert graph_snapshot(db) == before


def test_every_problem_of_a_file_is_reported_not_only_the_first(ingest, db, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_bytes(
        jsonl(*(f'{{"kind": "entity", "type": "concept", "name": "N{i}", "x": 1}}' for i in range(120)))
    )
    before = graph_snapshot(db)
    with pytest.raises(IngestError) as raised:
        ingest(path)
    assert len(raised.value.problems) == 120
    assert [p.location.line for p in raised.value.problems] == list(range(1, 121))
    assert "... and 70 more" in str(raised.value)
    assert graph_snapshot(db) == before


def test_a_symlinked_file_is_read_as_given_and_errors_name_the_link(cli, db, tmp_path: Path) -> None:
    """Ingest reads what the user points it at, links included; errors name the path as given."""
    target = tmp_path / "real" / "data.jsonl"
    target.parent.mkdir()
    target.write_text('{"kind": "entity", "type": "concept", "name": "Linked", "colour": "red"}\n')
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    before = graph_snapshot(db)
    result = cli(str(link))
    assert result.exit_code == 1
    assert f"{link}:1: field 'colour'" in " ".join(result.output.split())
    assert graph_snapshot(db) == before


def test_a_dotdot_path_to_a_real_file_is_read_and_named_as_given(cli, db, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "bad.jsonl").write_text('{"kind": "entity", "type": "concept"}\n')
    given = tmp_path / "sub" / ".." / "bad.jsonl"
    before = graph_snapshot(db)
    result = cli(str(given))
    assert result.exit_code == 1
    assert f"{given}:1: field 'name'" in " ".join(result.output.split())
    assert graph_snapshot(db) == before


def test_the_installed_atlas_command_refuses_bad_input_without_a_traceback(
    neo4j_server, db, tmp_path: Path
) -> None:
    """The real executable, in a process of its own: exit code 1, one line per problem on stderr."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        jsonl(ENTITY, '{"kind": "entity", "type": "concept", "name": "N", "url": "javascript:x"}')
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
    }
    before = graph_snapshot(db)
    result = subprocess.run(
        [str(ATLAS), "ingest", str(bad)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert f"{bad}:2: field 'url': must start with http:// or https://" in result.stderr
    assert "Traceback" not in result.stderr
    assert neo4j_server.password() not in result.stderr + result.stdout
    assert graph_snapshot(db) == before
