"""`atlas import bibtex`: a real library's papers, authors in order, editors and citations through the
normal ingest; re-imports that change nothing or add only what is new; precise errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ingest.pipeline import Ingester
from ingest.sources.bibtex import read_bibtex
from tests.conftest import CachedEmbedder
from tests.snapshot import graph_snapshot
from tests.sources.bibliography_helpers import (
    ADDED_ENTRY,
    AUTHOR_PEOPLE,
    AUTHORSHIPS,
    CITATIONS,
    EDITORS,
    LIBRARY_BIB,
    PAPERS,
    SEED_PAPERS,
    counts,
    import_files,
)

POSITION = re.compile(r"^author (\d+) of (\d+)$")


@pytest.fixture(scope="module")
def cached_embedder(embedder) -> CachedEmbedder:
    return CachedEmbedder(embedder)  # the library's texts are embedded once for the module


@pytest.fixture
def library_ingester(db, queries, cached_embedder) -> Ingester:
    return Ingester(db, queries, cached_embedder, batch_size=50)


def records_of(text: str, tmp_path: Path, name: str = "lib.bib") -> tuple[dict, list[str], list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    notes: list[str] = []
    records, problems = read_bibtex([path], notes)
    return (
        {r.data.get("id") or (r.data["source"], r.data["type"], r.data["target"]): r.data for r in records},
        [str(p) for p in problems],
        notes,
    )


# --- the mapping, without a database ------------------------------------------------------------


def test_the_library_maps_to_its_papers_people_and_edges() -> None:
    records, problems = read_bibtex([LIBRARY_BIB])
    assert problems == []
    entities = [r.data for r in records if r.data["kind"] == "entity"]
    relations = [r.data for r in records if r.data["kind"] == "relation"]
    by_type = {t: [e for e in entities if e["type"] == t] for t in ("paper", "thinker", "organization")}
    assert len(by_type["paper"]) == PAPERS
    assert len(by_type["thinker"]) == AUTHOR_PEOPLE + EDITORS
    assert [o["name"] for o in by_type["organization"]] == ["OpenAI"]
    assert sum(r["type"] == "authored" for r in relations) == AUTHORSHIPS
    assert sum(r["type"] == "edited" for r in relations) == EDITORS
    assert sum(r["type"] == "cites" for r in relations) == CITATIONS

    papers = {p["properties"]["citation_key"]: p for p in by_type["paper"]}
    faking = papers["greenblatt2024alignment"]
    assert faking["id"] == "paper:arxiv-2412-14093"
    assert faking["url"] == "https://arxiv.org/abs/2412.14093"
    assert faking["properties"] == {
        "year": 2024,
        "arxiv": "2412.14093",
        "entry_type": "misc",
        "citation_key": "greenblatt2024alignment",
    }
    bostrom = papers["bostrom2012superintelligent"]
    assert bostrom["id"] == "paper:doi-10-1007-s11023-012-9281-3"
    assert bostrom["url"] == "https://doi.org/10.1007/s11023-012-9281-3"
    assert bostrom["properties"]["venue"] == "Minds and Machines"  # an @string macro
    # @string with # concatenation, and crossref: the proceedings' title is the paper's venue, its
    # editors the paper's editors; the @proceedings itself is no paper.
    deep = papers["christiano2017deep"]
    assert deep["properties"]["venue"] == "Advances in Neural Information Processing Systems 30"
    assert deep["properties"]["year"] == 2017
    assert "neurips2017" not in papers
    assert (
        papers["carlsmith2023scheming"]["name"]
        == "Scheming AIs: Will AIs fake alignment during training in order to get power?"
    )
    assert papers["openai2023gpt4"]["name"] == "GPT-4 Technical Report"

    thinkers = {t["id"]: t for t in by_type["thinker"]}
    assert thinkers["thinker:soren-mindermann"]["name"] == "Sören Mindermann"
    assert thinkers["thinker:dan-mane"]["name"] == "Dan Mané"
    assert thinkers["thinker:chris-van-merwijk"]["name"] == "Chris van Merwijk"
    # "Paul F. Christiano" abbreviates nothing, but "Paul Christiano" is its shorter form: one person.
    assert thinkers["thinker:paul-christiano"]["aliases"] == ["Paul F. Christiano"]
    assert "thinker:paul-f-christiano" not in thinkers


def test_accents_braces_macros_von_jr_corporate_authors_and_crossref(tmp_path: Path) -> None:
    records, problems, notes = records_of(
        r"""
@string{ proc = "Proceedings of the " }
@string{icml = proc # "International Conference on Machine Learning"}
@book{volume, title = {The Volume}, year = 1999, editor = {de la Vall{\'e}e Poussin, Charles}}
@incollection{tricky,
  title    = "Na{\"i}ve {B}ayes and $\alpha$-divergences --- in \emph{practice}",
  author   = {von Neumann, John and King, Jr., Martin Luther and {The Open Science Collaboration}
              and Ludwig van Beethoven and G{\"o}del, Kurt and Fran{\c{c}}ois, {\O}ystein},
  crossref = {volume},
  abstract = {We show {\em that} 50\% of ~cases hold.},
  doi      = {https://doi.org/10.1234/ABC.5},
}
@inproceedings{conf, title = {At {ICML}}, author = {Rosa {L}uxemburg}, booktitle = icml, year = 2001,
  url = {https://example.org/paper}}
""",
        tmp_path,
    )
    assert problems == [] and notes == []
    paper = records["paper:doi-10-1234-abc-5"]
    assert paper["name"] == "Naïve Bayes and α-divergences — in practice"
    assert paper["description"] == "We show that 50% of cases hold."
    assert paper["url"] == "https://doi.org/10.1234/ABC.5"
    assert paper["properties"]["doi"] == "10.1234/ABC.5"
    assert paper["properties"]["venue"] == "The Volume"  # crossref: the book's title
    assert paper["properties"]["year"] == 1999
    names = {
        r["source"]: r["description"]
        for r in records.values()
        if r["kind"] == "relation" and r["target"] == "paper:doi-10-1234-abc-5"
    }
    assert names == {
        "thinker:john-von-neumann": "author 1 of 6",
        "thinker:martin-luther-king-jr": "author 2 of 6",
        "organization:the-open-science-collaboration": "author 3 of 6",
        "thinker:ludwig-van-beethoven": "author 4 of 6",
        "thinker:kurt-godel": "author 5 of 6",
        "thinker:oystein-francois": "author 6 of 6",
        "thinker:charles-de-la-vallee-poussin": "editor 1 of 1",
    }
    assert records["thinker:martin-luther-king-jr"]["name"] == "Martin Luther King, Jr."
    assert records["thinker:oystein-francois"]["name"] == "Øystein François"
    assert records["thinker:charles-de-la-vallee-poussin"]["name"] == "Charles de la Vallée Poussin"
    assert records["organization:the-open-science-collaboration"]["type"] == "organization"
    assert "paper:key-volume" not in records  # a crossref'd @book is the container
    conf = records["paper:key-conf"]
    assert conf["properties"]["venue"] == "Proceedings of the International Conference on Machine Learning"
    assert conf["url"] == "https://example.org/paper"
    assert records["thinker:rosa-luxemburg"]["name"] == "Rosa Luxemburg"


def test_initials_join_the_one_person_they_abbreviate_and_ambiguity_is_reported(tmp_path: Path) -> None:
    records, problems, notes = records_of(
        """
@article{a, title = {A}, author = {Knuth, Donald E. and Bowman, Samuel R. and Marks, Sam}}
@article{b, title = {B}, author = {D. E. Knuth and S. R. Bowman and S. Marks}}
@article{c, title = {C}, author = {S. Bowman and Bowman, Sam and D. Knuth}}
""",
        tmp_path,
    )
    assert problems == []
    people = {key: r for key, r in records.items() if isinstance(key, str) and key.startswith("thinker:")}
    assert people["thinker:donald-e-knuth"]["aliases"] == ["D. E. Knuth", "D. Knuth"]
    assert people["thinker:samuel-r-bowman"]["aliases"] == ["S. R. Bowman"]
    assert people["thinker:sam-marks"]["aliases"] == ["S. Marks"]
    # "S. Bowman" could be Samuel R. Bowman or Sam Bowman: kept apart, and said so.
    assert "thinker:s-bowman" in people and "thinker:sam-bowman" in people
    assert len(notes) == 1
    assert "lib.bib:4: entry 'c' author 1 'S. Bowman'" in notes[0]
    assert "Sam Bowman; Samuel R. Bowman" in notes[0]


def test_orcids_from_biblatex_annotations_tell_namesakes_apart(tmp_path: Path) -> None:
    records, problems, _ = records_of(
        """
@article{a, title = {A}, author = {Jane Doe and John Roe},
  author+an:orcid = {1="0000-0001-2345-6789"}}
@article{b, title = {B}, author = {Jane Doe}, author+an:orcid = {1="https://orcid.org/0000-0002-0000-000X"}}
@article{c, title = {C}, author = {Roe, John}}
""",
        tmp_path,
    )
    assert problems == []
    assert records["thinker:jane-doe-0000-0001-2345-6789"]["url"] == "https://orcid.org/0000-0001-2345-6789"
    assert records["thinker:jane-doe-0000-0002-0000-000x"]["properties"] == {"orcid": "0000-0002-0000-000X"}
    assert records["thinker:john-roe"]["name"] == "John Roe"
    assert ("thinker:john-roe", "authored", "paper:key-c") in records


# --- bad input: file, line, field, and nothing written --------------------------------------------

BAD_CASES = {
    "unbalanced_braces": (
        b"@article{ok, title = {Fine}}\n\n"
        b"@article{broken,\n  title = {Unbalanced {brace},\n  year = 2020\n}\n",
        ["lib.bib:4: field 'title'", "entry 'broken'", "unbalanced braces"],
    ),
    "no_title": (
        b"@article{ok, title = {Fine}}\n@article{untitled,\n  author = {Doe, Jane},\n  year = 2020}\n",
        ["lib.bib:2: field 'title'", "entry 'untitled' has no title"],
    ),
    "empty_title": (
        b"@article{blank,\n  year = 2020,\n  title = {{}}}\n",
        ["lib.bib:3: field 'title'", "entry 'blank' has an empty title"],
    ),
    "duplicated_key": (
        b"@article{same, title = {One}}\n\n@article{same, title = {Two}}\n",
        ["lib.bib:3: field 'key'", "'same' is defined twice with different content (first at", "lib.bib:1"],
    ),
    "invalid_utf8": (
        b"@article{ok, title = {Fine}}\n@article{bad, title = {Caf\xc3\x28}}\n",
        ["lib.bib:2: field 'title'", "entry 'bad': not valid UTF-8 (byte 0xc3 after 'Caf')"],
    ),
    "undefined_macro": (
        b"@article{m,\n  title = {T},\n  journal = nosuchmacro}\n",
        ["lib.bib:3: field 'journal'", "entry 'm': undefined string: nosuchmacro"],
    ),
    "missing_crossref": (
        b"@inproceedings{p,\n  title = {T},\n  crossref = {nowhere}}\n",
        ["lib.bib:3: field 'crossref'", "'nowhere'"],
    ),
    "same_doi_twice": (
        b"@article{a, title = {T}, doi = {10.1/x}}\n@article{b, title = {T2}, doi = {10.1/X}}\n",
        ["lib.bib:2: field 'doi'", "same DOI as entry 'a'"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    content, expected = BAD_CASES[case]
    path = tmp_path / "lib.bib"
    path.write_bytes(content)
    _, problems = read_bibtex([path])
    text = "\n".join(str(problem) for problem in problems)
    for fragment in expected:
        assert fragment in text, text


def test_an_exact_repeat_is_read_once_with_a_note(tmp_path: Path) -> None:
    entry = "@article{twice, title = {Once}, author = {Doe, Jane}}\n"
    records, problems, notes = records_of(entry + "\n" + entry, tmp_path)
    assert problems == []
    assert sum(1 for r in records.values() if r.get("type") == "paper") == 1
    assert notes == [f"{tmp_path / 'lib.bib'}:3: entry 'twice' repeats {tmp_path / 'lib.bib'}:1; read once"]


def test_bad_input_writes_nothing_and_exits_1(neo4j_server, db, tmp_path: Path) -> None:
    env = cli_env(neo4j_server, tmp_path)
    assert CliRunner().invoke(app, ["import", "bibtex", str(LIBRARY_BIB), "--json"], env=env).exit_code == 0
    before = graph_snapshot(db)
    bad = tmp_path / "grown.bib"
    bad.write_text(LIBRARY_BIB.read_text() + "\n@misc{untitled, author = {Doe, Jane}, year = 2024}\n")
    result = CliRunner().invoke(app, ["import", "bibtex", str(bad)], env=env)
    assert result.exit_code == 1, result.output
    assert "grown.bib:" in result.output and "field 'title'" in result.output
    assert "nothing was written" in result.output
    assert graph_snapshot(db) == before


# --- the graph -----------------------------------------------------------------------------------


def cli_env(neo4j_server, tmp_path: Path) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
        "ATLAS_STATE_DIR": str(tmp_path),
    }


def authors_on_page(client, paper_id: str) -> list[str]:
    """The paper's authors as its page lists them (thinkers and organisations), put in order by
    the position each `authored` edge carries."""
    response = client.get(f"/entities/{paper_id}", params={"limit": 100})
    assert response.status_code == 200, response.text
    found: dict[int, str] = {}
    total = None
    for group in response.json()["neighborhood"]["groups"]:
        for neighbor in group["neighbors"]:
            for relation in neighbor["relations"]:
                if relation["type"] == "authored":
                    assert relation["direction"] == "in"
                    position, total = (int(n) for n in POSITION.match(relation["description"]).groups())
                    found[position] = f"{group['type']}:{neighbor['name']}"
    assert sorted(found) == list(range(1, len(found) + 1)) and total == len(found)
    return [found[position] for position in sorted(found)]


def test_import_gives_the_papers_and_each_page_lists_its_authors_in_order(
    library_ingester, db, client
) -> None:
    summary = import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    people = AUTHOR_PEOPLE + EDITORS + 1
    assert summary.entities.created == PAPERS + people
    assert summary.relations.created == AUTHORSHIPS + EDITORS + CITATIONS
    assert summary.embeddings_computed == PAPERS + people
    figures = counts(db)
    assert (figures["paper"], figures["thinker"], figures["organization"]) == (
        PAPERS,
        AUTHOR_PEOPLE + EDITORS,
        1,
    )
    assert (figures["authored"], figures["edited"], figures["cites"]) == (AUTHORSHIPS, EDITORS, CITATIONS)

    for paper_id, authors in SEED_PAPERS.items():
        assert authors_on_page(client, paper_id) == [f"thinker:{name}" for name in authors]
    # Every paper of the library: its page lists exactly the authors of its entry, in their order.
    records, _ = read_bibtex([LIBRARY_BIB])
    names = {r.data["id"]: r.data["name"] for r in records if r.data["kind"] == "entity"}
    types = {r.data["id"]: r.data["type"] for r in records if r.data["kind"] == "entity"}
    expected: dict[str, dict[int, str]] = {}
    for r in records:
        if r.data["kind"] == "relation" and r.data["type"] == "authored":
            position = int(POSITION.match(r.data["description"]).group(1))
            source = r.data["source"]
            expected.setdefault(r.data["target"], {})[position] = f"{types[source]}:{names[source]}"
    assert len(expected) == PAPERS
    for paper_id, by_position in expected.items():
        assert authors_on_page(client, paper_id) == [by_position[p] for p in sorted(by_position)]
    assert authors_on_page(client, "paper:arxiv-2303-08774") == ["organization:OpenAI"]


def test_reimporting_changes_nothing(library_ingester, db) -> None:
    import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    before = graph_snapshot(db)
    again = import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    assert (again.entities.created, again.entities.updated) == (0, 0)
    assert again.entities.unchanged == PAPERS  # the people are in the graph already: linked
    assert again.linked_existing == AUTHOR_PEOPLE + EDITORS + 1
    assert (again.relations.created, again.relations.updated) == (0, 0)
    assert again.relations.unchanged == AUTHORSHIPS + EDITORS + CITATIONS
    assert again.embeddings_computed == 0
    assert graph_snapshot(db) == before


def test_one_added_entry_adds_one_paper_and_only_its_new_authors(
    library_ingester, db, tmp_path: Path
) -> None:
    import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    before = graph_snapshot(db)
    grown = tmp_path / "grown.bib"
    grown.write_text(LIBRARY_BIB.read_text(encoding="utf-8") + ADDED_ENTRY, encoding="utf-8")
    summary = import_files(library_ingester, read_bibtex, grown)
    # One paper and Richard Ngo and Lawrence Chan; Sören Mindermann is already there.
    assert (summary.entities.created, summary.entities.updated) == (3, 0)
    assert (summary.relations.created, summary.relations.updated) == (3, 0)
    assert summary.embeddings_computed == 3
    after = graph_snapshot(db)
    old_nodes = {node[0]: node for node in before["nodes"]}
    new_nodes = {node[0]: node for node in after["nodes"]}
    assert set(new_nodes) - set(old_nodes) == {
        "paper:arxiv-2209-00626",
        "thinker:richard-ngo",
        "thinker:lawrence-chan",
    }
    assert all(new_nodes[i] == node for i, node in old_nodes.items())  # nothing else changed
    assert set(map(repr, before["relationships"])) <= set(map(repr, after["relationships"]))
    assert len(after["relationships"]) == len(before["relationships"]) + 3


def test_people_already_in_the_graph_are_linked_not_rewritten(library_ingester, db, ingest) -> None:
    ingest(Path(__file__).resolve().parents[2] / "seeds")
    hubinger = db.read("MATCH (n:Entity {id: 'thinker:evan-hubinger'}) RETURN properties(n) AS p")[0]["p"]
    summary = import_files(library_ingester, read_bibtex, LIBRARY_BIB)
    assert summary.linked_existing > 0
    after = db.read("MATCH (n:Entity {id: 'thinker:evan-hubinger'}) RETURN properties(n) AS p")[0]["p"]
    assert after == hubinger  # its curated description stays
    edges = db.read(
        "MATCH (:Entity {id: 'thinker:evan-hubinger'})-[r:AUTHORED]->(p:Entity) "
        "RETURN p.id AS id, r.description AS d"
    )
    assert {"id": "paper:arxiv-1906-01820", "d": "author 1 of 5"} in [row.data() for row in edges]


def test_cli_json_and_dry_run(neo4j_server, db, tmp_path: Path) -> None:
    env = cli_env(neo4j_server, tmp_path)
    dry = CliRunner().invoke(app, ["import", "bibtex", str(LIBRARY_BIB), "--dry-run", "--json"], env=env)
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True
    assert planned["entities"]["created"] == PAPERS + AUTHOR_PEOPLE + EDITORS + 1
    assert planned["relations"]["created"] == AUTHORSHIPS + EDITORS + CITATIONS
    assert counts(db) == {}  # nothing written

    done = CliRunner().invoke(app, ["import", "bibtex", str(LIBRARY_BIB), "--json"], env=env)
    assert done.exit_code == 0, done.output
    written = json.loads(done.stdout)
    assert written["dry_run"] is False
    assert {k: written[k] for k in ("entities", "relations", "embeddings_computed")} == {
        k: planned[k] for k in ("entities", "relations", "embeddings_computed")
    }

    grown = tmp_path / "grown.bib"
    grown.write_text(LIBRARY_BIB.read_text(encoding="utf-8") + ADDED_ENTRY, encoding="utf-8")
    before = graph_snapshot(db)
    dry = CliRunner().invoke(app, ["import", "bibtex", str(grown), "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output
    assert "entities: 3 created, 0 updated, 16 unchanged" in dry.output
    assert "relations: 3 created, 0 updated, 120 unchanged" in dry.output
    assert graph_snapshot(db) == before
