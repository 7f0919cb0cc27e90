"""Reading JSON Lines, CSV and YAML: every problem names its file and line."""

from pathlib import Path

from ingest.readers import expand_paths, read_file


def test_jsonl_records_carry_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('{"kind": "entity", "type": "concept", "name": "A"}\n\n{"kind": "entity"}\n')
    records, problems = read_file(path)
    assert problems == []
    assert [r.location.line for r in records] == [1, 3]


def test_truncated_json_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('{"kind": "entity", "type": "concept", "name": "A"}\n{"kind": "ent\n')
    _, problems = read_file(path)
    assert [str(p) for p in problems] == [
        f"{path}:2: invalid JSON: Unterminated string starting at (column 10)"
    ]


def test_invalid_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_bytes(b'{"kind": "entity"}\n{"name": "\xff"}\n')
    _, problems = read_file(path)
    assert len(problems) == 1 and problems[0].location.line == 2
    assert "not valid UTF-8" in problems[0].message


def test_byte_order_mark_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"kind": "entity"}\n')
    _, problems = read_file(path)
    assert "byte-order mark" in problems[0].message


def test_csv_maps_columns_to_record_fields(tmp_path: Path) -> None:
    path = tmp_path / "entities.csv"
    path.write_text('id,type,name,aliases,properties\nconcept:a,concept,Alpha,A|Alef,"{""year"": 2024}"\n')
    records, problems = read_file(path)
    assert problems == []
    assert records[0].data == {
        "kind": "entity",
        "id": "concept:a",
        "type": "concept",
        "name": "Alpha",
        "aliases": ["A", "Alef"],
        "properties": {"year": 2024},
    }
    assert records[0].location.line == 2


def test_csv_row_with_extra_delimiters_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "relations.csv"
    path.write_text("source,type,target\nconcept:a,extends,concept:b,oops\n")
    _, problems = read_file(path)
    assert [str(p) for p in problems] == [f"{path}:2: row has 4 fields but the header has 3"]


def test_yaml_records_carry_their_line_numbers_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "entities:\n  - type: concept\n    name: A\n\n  - type: concept\n    name: B\n"
        "relations:\n  - {source: concept:a, type: extends, target: concept:b}\n"
    )
    records, problems = read_file(path)
    assert problems == []
    assert [(r.location.line, r.data["kind"]) for r in records] == [
        (2, "entity"),
        (5, "entity"),
        (8, "relation"),
    ]


def test_yaml_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("entities:\n  - type: concept\n    name: [unclosed\n")
    _, problems = read_file(path)
    assert problems[0].location.path == path and problems[0].location.line >= 3
    assert problems[0].message.startswith("invalid YAML")


def test_folders_are_expanded_and_unsupported_files_named(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("[]")
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("")
    files, problems = expand_paths([tmp_path, tmp_path / "notes.txt", tmp_path / "missing.jsonl"])
    assert files == [tmp_path / "a.jsonl", tmp_path / "b.yaml"]
    assert [p.message.split(":")[0] for p in problems] == [
        "unsupported file",
        "no such file or folder",
    ]
