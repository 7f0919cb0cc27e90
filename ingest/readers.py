"""Read JSON Lines, CSV and YAML files into raw records, each with its file and line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.schema import SCHEMA_FILE_NAMES, Schema, SchemaError, read_schema_file
from ingest.problems import Location, Problem

MAX_FILE_BYTES = 2 * 1024**3
MAX_LINE_BYTES = 1024 * 1024
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
YAML_SUFFIXES = {".yaml", ".yml"}
CSV_KINDS = {"entities.csv": "entity", "relations.csv": "relation"}
# In CSV, list and mapping fields are written as text: aliases separated by '|', properties as JSON.
CSV_ALIAS_SEPARATOR = "|"


class DuplicateKey(ValueError):
    """A JSON object names the same field twice: which value was meant is unknowable."""


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKey(key)
        data[key] = value
    return data


@dataclass(frozen=True)
class RawRecord:
    location: Location
    data: dict[str, Any]


@dataclass(frozen=True)
class SchemaFile:
    """The `schema.yaml` found among the paths given to `atlas ingest`: the graph's types from now on."""

    path: Path
    schema: Schema


def is_schema_file(path: Path) -> bool:
    return path.name in SCHEMA_FILE_NAMES


def read_schema_among(files: list[Path]) -> tuple[SchemaFile | None, list[Problem]]:
    """The one schema file among `files` (None when there is none), or the problems of reading it.
    A graph has one schema: two schema files are refused rather than merged by guesswork."""
    found = [path for path in files if is_schema_file(path)]
    if len(found) > 1:
        others = ", ".join(str(path) for path in found[1:])
        return None, [Problem(Location(found[0], 0), None, f"a second schema file was given: {others}")]
    if not found:
        return None, []
    try:
        return SchemaFile(found[0], read_schema_file(found[0])), []
    except SchemaError as error:
        return None, schema_problems(error)
    except RecursionError:
        return None, [Problem(Location(found[0], 0), None, "invalid YAML: nested too deeply")]


def schema_problems(error: SchemaError) -> list[Problem]:
    """A SchemaError's problems as ingest problems, located in the schema file."""
    path = error.path or Path(SCHEMA_FILE_NAMES[0])
    return [Problem(Location(path, p.line), p.field, p.message) for p in error.problems]


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: each file given, and the supported files inside each folder, in name order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and _supported(p)))
        elif path.is_file():
            if _supported(path):
                files.append(path)
            else:
                problems.append(Problem(Location(path, 0), None, _unsupported_message(path)))
        else:
            problems.append(Problem(Location(path, 0), None, "no such file or folder"))
    return files, problems


def _supported(path: Path) -> bool:
    return path.suffix in JSONL_SUFFIXES | YAML_SUFFIXES or path.name in CSV_KINDS


def _unsupported_message(path: Path) -> str:
    return (
        "unsupported file: expected .jsonl/.ndjson (JSON Lines), .yaml/.yml, "
        "or CSV named entities.csv / relations.csv"
    )


def read_file(path: Path) -> tuple[list[RawRecord], list[Problem]]:
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return [], [Problem(Location(path, 0), None, "file is larger than 2 GiB; split it")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return [], [
            Problem(
                Location(path, 1),
                None,
                "file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM",
            )
        ]
    if path.suffix in JSONL_SUFFIXES:
        return _read_jsonl(path, raw)
    text, problem = _decode(path, raw)
    if problem is not None:
        return [], [problem]
    if path.suffix in YAML_SUFFIXES:
        return _read_yaml(path, text)
    return _read_csv(path, text, CSV_KINDS[path.name])


def _decode(path: Path, raw: bytes) -> tuple[str, Problem | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return "", Problem(Location(path, line), None, f"not valid UTF-8 (byte {error.start})")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return "", Problem(Location(path, line), None, "contains a NUL byte")
    return text, None


def _read_jsonl(path: Path, raw: bytes) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        location = Location(path, number)
        if len(line_bytes) > MAX_LINE_BYTES:
            problems.append(Problem(location, None, f"line is longer than {MAX_LINE_BYTES} bytes"))
            continue
        if b"\x00" in line_bytes:
            problems.append(Problem(location, None, "contains a NUL byte"))
            continue
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(location, None, f"not valid UTF-8 (column {error.start + 1})"))
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line, object_pairs_hook=_object_without_duplicate_keys)
        except json.JSONDecodeError as error:
            problems.append(Problem(location, None, f"invalid JSON: {error.msg} (column {error.colno})"))
            continue
        except DuplicateKey as error:
            problems.append(Problem(location, str(error), "the field is given twice"))
            continue
        except RecursionError:
            problems.append(Problem(location, None, "invalid JSON: nested too deeply"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(location, None, "each line must be a JSON object"))
            continue
        records.append(RawRecord(location, data))
    return records, problems


def _read_yaml(path: Path, text: str) -> tuple[list[RawRecord], list[Problem]]:
    """A YAML file holds a list of records, or a mapping with `entities:` and `relations:` lists."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text[: error.position].count("\n") + 1
        return [], [Problem(Location(path, line), None, f"invalid YAML: {error.reason}")]
    try:
        root = loader.get_single_node()
        if root is None:
            return [], []
        return _records_from_yaml(path, root, loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(error, "problem", None) or str(error)
        return [], [Problem(Location(path, line), None, f"invalid YAML: {problem}")]
    except RecursionError:
        return [], [Problem(Location(path, 0), None, "invalid YAML: nested too deeply")]
    finally:
        loader.dispose()


def _records_from_yaml(
    path: Path, root: yaml.Node, loader: yaml.SafeLoader
) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    sections: list[tuple[str | None, yaml.Node]] = []
    if isinstance(root, yaml.SequenceNode):
        sections.append((None, root))
    elif isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            kind = {"entities": "entity", "relations": "relation"}.get(key or "")
            if kind is None or not isinstance(value_node, yaml.SequenceNode):
                problems.append(
                    Problem(
                        Location(path, key_node.start_mark.line + 1),
                        key,
                        "expected 'entities:' or 'relations:' holding a list",
                    )
                )
                continue
            sections.append((kind, value_node))
    else:
        return [], [
            Problem(
                Location(path, root.start_mark.line + 1),
                None,
                "expected a list of records or a mapping with entities/relations",
            )
        ]
    for kind, sequence in sections:
        for node in sequence.value:
            location = Location(path, node.start_mark.line + 1)
            if duplicate := _duplicate_yaml_key(node):
                problems.append(Problem(location, duplicate, "the field is given twice"))
                continue
            data = loader.construct_object(node, deep=True)
            if not isinstance(data, dict):
                problems.append(Problem(location, None, "each record must be a mapping"))
                continue
            if kind is not None:
                data.setdefault("kind", kind)
            records.append(RawRecord(location, data))
    return records, problems


def _duplicate_yaml_key(node: yaml.Node) -> str | None:
    """The first key a record's mapping repeats (YAML loaders silently keep the last value)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                return str(key_node.value)
            seen.add(key_node.value)
    return None


def _read_csv(path: Path, text: str, kind: str) -> tuple[list[RawRecord], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # a stray quote is an error
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    except csv.Error as error:
        return [], [Problem(Location(path, 1), None, f"invalid CSV: {error}")]
    records: list[RawRecord] = []
    problems: list[Problem] = []
    line = reader.line_num
    for row in _rows(reader, path, problems):
        location = Location(path, line + 1)  # the row starts after the last line read
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(location, None, f"row has {len(row)} fields but the header has {len(header)}")
            )
            continue
        data = _csv_record(dict(zip(header, row, strict=True)), kind, location, problems)
        if data is not None:
            records.append(RawRecord(location, data))
    return records, problems


def _rows(reader: Any, path: Path, problems: list[Problem]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        problems.append(Problem(Location(path, reader.line_num), None, f"invalid CSV: {error}"))


def _csv_record(
    row: dict[str, str], kind: str, location: Location, problems: list[Problem]
) -> dict[str, Any] | None:
    """Empty cells mean 'not given'; aliases are '|'-separated; properties is a JSON object."""
    data: dict[str, Any] = {"kind": kind}
    for column, cell in row.items():
        if cell == "":
            continue
        if column == "aliases":
            data[column] = [alias.strip() for alias in cell.split(CSV_ALIAS_SEPARATOR) if alias.strip()]
        elif column == "properties":
            try:
                data[column] = json.loads(cell)
            except json.JSONDecodeError as error:
                problems.append(Problem(location, column, f"invalid JSON: {error.msg}"))
                return None
        else:
            data[column] = cell
    return data
