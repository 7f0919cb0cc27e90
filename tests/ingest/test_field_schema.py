"""A graph of another field (protein folding, tests/ingest/fields/) with its own schema.yaml: ingested
without any change to Atlas's code; its errors list only its own types and suggest the closest;
reordering, adding and removing types is an edit of the file, and removing a type still in use is
refused with its counts, leaving the database as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.db import Database
from core.queries import Queries
from core.schema import GraphSchema, read_schema_file, read_stored_schema
from graph.reader import GraphReader
from ingest.pipeline import Ingester
from ingest.problems import IngestError
from tests.conftest import empty_database
from tests.snapshot import graph_snapshot

FIELD = Path(__file__).parent / "fields" / "protein-folding"
PROTEIN_TYPES = "protein, domain, fold, chaperone, method"


@pytest.fixture
def field(tmp_path: Path) -> Path:
    """A copy of the field's folder, free to edit."""
    return Path(shutil.copytree(FIELD, tmp_path / "protein-folding"))


@pytest.fixture
def field_graph(ingester: Ingester, field: Path) -> Path:
    ingester.ingest_paths([field])
    return field


def rewrite_schema(folder: Path, old: str, new: str) -> None:
    path = folder / "schema.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def problems_of(ingester: Ingester, *paths: Path) -> str:
    with pytest.raises(IngestError) as raised:
        ingester.ingest_paths(list(paths))
    return str(raised.value)


def test_a_field_with_its_own_schema_file_is_ingested_by_atlas_ingest(
    neo4j_server, db: Database, queries: Queries, field: Path
) -> None:
    env = {
        "NEO4J_URI": neo4j_server.bolt_uri,
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": neo4j_server.password(),
    }
    result = CliRunner().invoke(app, ["ingest", str(field), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert read_stored_schema(db, queries) == read_schema_file(field / "schema.yaml")
    types = db.read("MATCH (n:Entity) RETURN n.type AS type, count(*) AS n ORDER BY type")
    assert {r["type"]: r["n"] for r in types} == {
        "chaperone": 1,
        "domain": 1,
        "fold": 3,
        "method": 2,
        "protein": 4,
    }
    assert db.read("MATCH (:Protein)-[r:ADOPTS]->(:Fold) RETURN count(r) AS n")[0]["n"] == 3


def test_its_errors_list_only_its_own_types_and_suggest_the_closest(
    ingester: Ingester, field_graph: Path, tmp_path: Path
) -> None:
    typos = tmp_path / "typos.jsonl"
    typos.write_text(
        '{"kind": "entity", "type": "protien", "name": "Myoglobin"}\n'
        '{"kind": "relation", "source": "protein:ubiquitin", "type": "adopt", "target": "fold:tim-barrel"}\n'
        '{"kind": "entity", "type": "concept", "name": "Folding funnel"}\n'
    )
    message = " ".join(problems_of(ingester, typos).split())
    assert (
        f"typos.jsonl:1: field 'type': unknown entity type 'protien' (did you mean 'protein'?); "
        f"this graph's entity types: {PROTEIN_TYPES}"
    ) in message
    assert "typos.jsonl:2: field 'type': unknown relation type 'adopt' (did you mean 'adopts'?)" in message
    assert f"unknown entity type 'concept'; this graph's entity types: {PROTEIN_TYPES}" in message
    assert "paper" not in message and "synset" not in message


def test_reordering_the_types_in_the_schema_file_reorders_the_page_without_a_restart(
    ingester: Ingester, db: Database, queries: Queries, field_graph: Path
) -> None:
    reader = GraphReader(db, queries, GraphSchema(db, queries))  # as the API holds it
    groups = [g.type for g in reader.neighborhood("protein:ubiquitin").groups]
    assert groups == ["fold", "method"]
    rewrite_schema(field_graph, "  - method: An experimental or computational technique\n", "")
    rewrite_schema(field_graph, "entity_types:\n", "entity_types:\n  - method: A technique\n")
    ingester.ingest_paths([field_graph])
    assert reader.schema.entity_types == ("method", "protein", "domain", "fold", "chaperone")
    assert [g.type for g in reader.neighborhood("protein:ubiquitin").groups] == ["method", "fold"]


def test_adding_a_type_is_an_edit_of_the_schema_file(
    ingester: Ingester, db: Database, queries: Queries, field_graph: Path
) -> None:
    rewrite_schema(
        field_graph, "relation_types:\n", "  - ligand: A molecule bound by a protein\nrelation_types:\n"
    )
    rewrite_schema(field_graph, "  - homologous_to:", "  - binds: protein -> ligand\n  - homologous_to:")
    (field_graph / "more.jsonl").write_text(
        '{"kind": "entity", "type": "ligand", "name": "Heme"}\n'
        '{"kind": "relation", "source": "protein:green-fluorescent-protein", "type": "binds", '
        '"target": "ligand:heme"}\n'
    )
    summary = ingester.ingest_paths([field_graph])
    assert (summary.entities.created, summary.relations.created) == (1, 1)
    stored = read_stored_schema(db, queries)
    assert stored is not None and stored.entity_types[-1] == "ligand" and "binds" in stored.relation_types
    assert stored.entity_descriptions["ligand"] == "A molecule bound by a protein"


def test_removing_types_still_in_use_is_refused_with_their_counts_and_changes_nothing(
    ingester: Ingester, db: Database, field_graph: Path
) -> None:
    rewrite_schema(field_graph, "  - fold: A recurring arrangement of secondary-structure elements\n", "")
    rewrite_schema(field_graph, "  - adopts: protein/domain -> fold\n", "")
    (field_graph / "graph.yaml").write_text("entities: []\nrelations: []\n")  # only the schema changes
    before = graph_snapshot(db)
    message = problems_of(ingester, field_graph)
    schema_file = field_graph / "schema.yaml"
    assert f"{schema_file}: field 'entity_types': removes 'fold', still the type of 3 entities" in message
    assert (
        f"{schema_file}: field 'relation_types': removes 'adopts', still the type of 4 relations" in message
    )
    assert graph_snapshot(db) == before


def test_removing_a_type_nothing_uses_is_applied(
    ingester: Ingester, db: Database, queries: Queries, field_graph: Path
) -> None:
    rewrite_schema(field_graph, "  - homologous_to: protein -> protein sharing ancestry\n", "")
    ingester.ingest_paths([field_graph])
    stored = read_stored_schema(db, queries)
    assert stored is not None and "homologous_to" not in stored.relation_types


def test_a_relation_to_an_entity_rejected_above_says_so_and_names_its_line(
    ingester: Ingester, field_graph: Path, tmp_path: Path
) -> None:
    path = tmp_path / "myoglobin.jsonl"
    path.write_text(
        '{"kind": "entity", "type": "protein", "name": "Myoglobin", "year": 1958}\n'
        '{"kind": "relation", "source": "protein:myoglobin", "type": "determined_by", '
        '"target": "method:x-ray-crystallography"}\n'
    )
    message = problems_of(ingester, path)
    assert (
        f"{path}:1: field 'year': unknown field 'year'; allowed: kind, type, id, name, description, "
        "status, aliases, url, properties"
    ) in message
    assert f"{path}:2: field 'source': 'protein:myoglobin' was rejected at {path}:1" in message


def test_a_broken_schema_file_is_reported_alone_not_with_every_record(
    ingester: Ingester, field: Path
) -> None:
    rewrite_schema(field, "relation_types:", "relation_type:")
    message = problems_of(ingester, field)
    assert "field 'relation_type': unknown field 'relation_type' (did you mean 'relation_types'?)" in message
    assert "field 'relation_types': missing" in message
    assert message.splitlines()[0].startswith("2 problem(s)")
    assert "unknown relation type" not in message


def test_records_without_a_schema_into_a_graph_without_one_are_refused(
    ingester: Ingester, db: Database, tmp_path: Path
) -> None:
    empty_database(db)  # not even the seed schema the `db` fixture stores
    path = tmp_path / "g.jsonl"
    path.write_text('{"kind": "entity", "type": "protein", "name": "Ubiquitin"}\n')
    message = problems_of(ingester, path)
    assert "this graph has no schema yet: give a schema.yaml (entity_types, relation_types)" in message
    assert db.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
