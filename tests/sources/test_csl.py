"""`atlas import csl`: CSL-JSON (Zotero, pandoc, Crossref) maps like BibTeX; the same library in
both formats gives the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ingest.pipeline import Ingester
from ingest.sources.bibtex import read_bibtex
from ingest.sources.csl import read_csl
from tests.conftest import CachedEmbedder, fresh_database
from tests.snapshot import graph_snapshot
from tests.sources.bibliography_helpers import (
    AUTHOR_PEOPLE,
    AUTHORSHIPS,
    CITATIONS,
    EDITORS,
    LIBRARY_BIB,
    LIBRARY_CSL,
    PAPERS,
    counts,
    import_files,
)


@pytest.fixture(scope="module")
def cached_embedder(embedder) -> CachedEmbedder:
    return CachedEmbedder(embedder)


@pytest.fixture
def library_ingester(db, queries, cached_embedder) -> Ingester:
    return Ingester(db, queries, cached_embedder, batch_size=50)


def records_of(items: list | str, tmp_path: Path) -> tuple[dict, list[str], list[str]]:
    path = tmp_path / "lib.json"
    path.write_text(items if isinstance(items, str) else json.dumps(items, indent=1), encoding="utf-8")
    notes: list[str] = []
    records, problems = read_csl([path], notes)
    by_key = {
        r.data.get("id") or (r.data["source"], r.data["type"], r.data["target"]): r.data for r in records
    }
    return by_key, [str(p) for p in problems], notes


def test_the_same_library_as_csl_json_gives_the_same_records() -> None:
    bib, bib_problems = read_bibtex([LIBRARY_BIB])
    csl, csl_problems = read_csl([LIBRARY_CSL])
    assert bib_problems == csl_problems == []

    def content(records: list) -> list[str]:
        return sorted(json.dumps(r.data, sort_keys=True, ensure_ascii=False) for r in records)

    assert content(csl) == content(bib)
    assert len([r for r in csl if r.data["kind"] == "entity" and r.data["type"] == "paper"]) == PAPERS


def test_names_markup_dates_orcids_and_crossref_references(tmp_path: Path) -> None:
    items = [
        {
            "id": "http://zotero.org/users/1/items/ABCD",
            "citation-key": "doe2020",
            "type": "paper-conference",
            "title": 'On <i>Italic</i> and <span class="nocase">iPhone</span> titles',
            "abstract": "What it   shows.",
            "author": [
                {"given": "Ludwig", "dropping-particle": "van", "family": "Beethoven"},
                {"given": "Martin Luther", "family": "King", "suffix": "Jr."},
                {"literal": "The Open Science Collaboration"},
                {"given": "Jane", "family": "Doe", "ORCID": "http://orcid.org/0000-0001-2345-6789"},
            ],
            "issued": {"date-parts": [["2020", 5, 1]]},
            "container-title": "Proceedings of Something",
            "DOI": "https://doi.org/10.5555/XYZ",
            "reference": [{"key": "ref1", "DOI": "10.5555/other"}, {"key": "ref2", "DOI": "10.9999/outside"}],
        },
        {
            "id": "other",
            "type": "report",
            "title": "A Report",
            "publisher": "Some Institute",
            "author": [{"family": "Doe", "given": "Jane"}],
            "issued": {"raw": "2021"},
            "DOI": "10.5555/OTHER",
        },
        {"id": "third", "type": "article", "title": "Third", "author": [{"family": "Doe", "given": "J."}]},
    ]
    records, problems, notes = records_of(items, tmp_path)
    assert problems == []
    paper = records["paper:doi-10-5555-xyz"]
    assert paper["name"] == "On Italic and iPhone titles"
    assert paper["description"] == "What it shows."
    assert paper["url"] == "https://doi.org/10.5555/XYZ"
    assert paper["properties"] == {
        "year": 2020,
        "venue": "Proceedings of Something",
        "doi": "10.5555/XYZ",
        "entry_type": "inproceedings",
        "citation_key": "doe2020",
    }
    assert records["thinker:ludwig-van-beethoven"]["name"] == "Ludwig van Beethoven"
    assert records["thinker:martin-luther-king-jr"]["name"] == "Martin Luther King, Jr."
    assert records["organization:the-open-science-collaboration"]["type"] == "organization"
    # The name without ORCID, and its initials, are the one person with that ORCID.
    jane = records["thinker:jane-doe"]
    assert jane["properties"] == {"orcid": "0000-0001-2345-6789"}
    assert jane["aliases"] == ["J. Doe"]
    report = records["paper:doi-10-5555-other"]
    assert report["properties"]["venue"] == "Some Institute"  # a report's publisher
    assert report["properties"]["entry_type"] == "techreport"
    assert report["properties"]["year"] == 2021
    # Crossref's references: the one in the library is an edge, the other a note.
    assert ("paper:doi-10-5555-xyz", "cites", "paper:doi-10-5555-other") in records
    assert len(notes) == 1
    assert "entry 'doe2020': 1 reference(s) not in the library, no edge: 10.9999/outside" in notes[0]
    assert records["paper:key-third"]["properties"]["entry_type"] == "misc"


BAD = {
    "invalid_json": (
        '[\n {"id": "a", "title": "A"},\n {"id": "b", "title": }\n]\n',
        ["lib.json:3", "invalid JSON"],
    ),
    "no_title": (
        '[\n {"id": "a", "title": "A"},\n {"id": "b",\n  "author": []}\n]\n',
        ["lib.json:3: field 'title'", "item 'b' has no title"],
    ),
    "duplicated_id": (
        '[\n {"id": "a", "title": "A"},\n {"id": "a", "title": "Another"}\n]\n',
        ["lib.json:3: field 'key'", "'a' is defined twice with different content (first at", "lib.json:2"],
    ),
    "repeated_field": (
        '[\n {"id": "a",\n  "title": "A", "title": "B"}\n]\n',
        ["lib.json:2: field 'title'", "given twice"],
    ),
    "not_an_array": ('{"id": "a", "title": "A"}\n', ["lib.json:1", "array of items"]),
    "bad_year": (
        '[{"id": "a", "title": "A", "issued": {"date-parts": [["soon"]]}}]',
        ["lib.json:1: field 'issued'", "no year"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    content, expected = BAD[case]
    _, problems, _ = records_of(content, tmp_path)
    text = "\n".join(problems)
    for fragment in expected:
        assert fragment in text, text


def test_invalid_utf8_names_the_item_and_field(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    path.write_bytes(b'[\n {"id": "a", "title": "A"},\n {"id": "b",\n  "title": "Caf\xc3\x28"}\n]\n')
    _, problems = read_csl([path])
    assert [str(p).replace(f"{tmp_path}/", "") for p in problems] == [
        "lib.json:3: field 'title': item 'b': not valid UTF-8 (byte 0xc3 after '\"Caf')"
    ]


def test_csl_json_and_bibtex_give_the_same_graph(library_ingester, db, queries) -> None:
    import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    from_bibtex = graph_snapshot(db)
    fresh_database(db, queries)  # the same schema as before the first import
    summary = import_files(library_ingester, read_csl, LIBRARY_CSL)
    assert summary.entities.created == PAPERS + AUTHOR_PEOPLE + EDITORS + 1
    assert graph_snapshot(db) == from_bibtex
    # And one on top of the other changes nothing.
    again = import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    assert (
        again.entities.created,
        again.entities.updated,
        again.relations.created,
        again.relations.updated,
    ) == (
        0,
        0,
        0,
        0,
    )
    assert graph_snapshot(db) == from_bibtex


def test_cli_imports_csl_json(neo4j_server, db, tmp_path: Path) -> None:
    env = {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "ATLAS_STATE_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(app, ["import", "csl", str(LIBRARY_CSL), "--json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["entities"]["created"] == PAPERS + AUTHOR_PEOPLE + EDITORS + 1
    assert summary["relations"]["created"] == AUTHORSHIPS + EDITORS + CITATIONS
    assert summary["notes"] == []
    assert counts(db)["paper"] == PAPERS
