"""The Cypher loader (core/queries.py): files by name, and the example `:params` line of each
header, which a Neo4j Browser user pastes before the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.queries import Queries
from core.settings import PROJECT_ROOT


def cypher_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.cypher").write_text(text, encoding="utf-8")
    return tmp_path


def test_queries_are_named_after_their_files_and_read_unchanged(tmp_path: Path) -> None:
    text = "// :params {id: 'concept:x'}\nMATCH (n:Entity {id: $id})\nRETURN n\n"
    queries = Queries(cypher_dir(tmp_path, {"b_entity": text, "a_stats": "// :params {}\nRETURN 1\n"}))
    assert queries.names() == ["a_stats", "b_entity"]
    assert queries["b_entity"] == text
    with pytest.raises(KeyError):
        queries["missing"]


def test_a_folder_without_cypher_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not cypher")
    with pytest.raises(FileNotFoundError, match=r"no \.cypher files"):
        Queries(tmp_path)


@pytest.mark.parametrize(
    ("header", "line", "params_map"),
    [
        ("// :params {id: 'concept:x', limit: 25}", ":params {id: 'concept:x', limit: 25}",
         "{id: 'concept:x', limit: 25}"),
        ("//:params {}", ":params {}", "{}"),
        ("//    :params {pairs: [['a', 'b']]}", ":params {pairs: [['a', 'b']]}", "{pairs: [['a', 'b']]}"),
    ],
)  # fmt: skip
def test_the_header_gives_the_params_line_and_its_map_literal(
    tmp_path: Path, header: str, line: str, params_map: str
) -> None:
    queries = Queries(cypher_dir(tmp_path, {"q": f"{header}\nRETURN $id\n"}))
    assert queries.example_param_line("q") == line
    assert queries.example_params_map("q") == params_map


def test_a_bare_params_header_means_no_parameters(tmp_path: Path) -> None:
    queries = Queries(cypher_dir(tmp_path, {"q": "// :params\nRETURN 1\n"}))
    assert queries.example_param_line("q") == ":params"
    assert queries.example_params_map("q") == "{}"


def test_the_params_line_is_found_below_other_comment_lines(tmp_path: Path) -> None:
    queries = Queries(cypher_dir(tmp_path, {"q": "// What it does.\n// :params {a: 1}\nRETURN $a\n"}))
    assert queries.example_params_map("q") == "{a: 1}"


@pytest.mark.parametrize(
    "text", ["MATCH (n) RETURN n\n", "RETURN 1 // :params {a: 1}\n", "// params {a: 1}\n"]
)
def test_a_file_without_a_params_header_line_is_an_error_naming_it(tmp_path: Path, text: str) -> None:
    queries = Queries(cypher_dir(tmp_path, {"nameless": text}))
    with pytest.raises(ValueError, match=r"nameless.cypher has no '// :params \{...\}' header line"):
        queries.example_param_line("nameless")


def test_every_shipped_query_has_a_params_map_literal_on_its_first_line() -> None:
    queries = Queries(PROJECT_ROOT / "cypher")
    assert len(queries.names()) > 20
    for name in queries.names():
        first_line = queries[name].splitlines()[0]
        params_map = queries.example_params_map(name)
        assert first_line == f"// {queries.example_param_line(name)}", name
        assert params_map.startswith("{") and params_map.endswith("}"), name
