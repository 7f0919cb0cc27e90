"""Ingest against the real Neo4j: idempotence, change detection, validation before any write."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ingest.pipeline import read_all
from ingest.problems import IngestError
from tests.snapshot import graph_snapshot


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


GRAPH = [
    {"kind": "entity", "type": "concept", "name": "Alpha", "description": "The first letter"},
    {
        "kind": "entity",
        "type": "concept",
        "name": "Beta",
        "description": "The second letter",
        "aliases": ["B"],
        "properties": {"year": 2024, "tags": ["x", "y"]},
    },
    {"kind": "entity", "type": "thinker", "name": "Gamma Person"},
    {
        "kind": "relation",
        "source": "concept:alpha",
        "type": "extends",
        "target": "concept:beta",
        "description": "alpha builds on beta",
        "source_ref": "thinker:gamma-person",
    },
    {
        "kind": "relation",
        "source": "thinker:gamma-person",
        "type": "studies",
        "target": "concept:alpha",
    },
]


def test_ingesting_the_same_files_twice_leaves_the_graph_identical(ingest, db, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "g.jsonl", GRAPH)
    first = ingest(path)
    before = graph_snapshot(db)
    second = ingest(path)
    assert graph_snapshot(db) == before
    assert (first.entities.created, first.relations.created, first.embeddings_computed) == (3, 2, 3)
    assert (second.entities.unchanged, second.relations.unchanged, second.embeddings_computed) == (
        3,
        2,
        0,
    )


def test_entities_carry_the_entity_label_and_their_pascal_case_type(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    rows = db.read("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels ORDER BY id")
    assert {r["id"]: sorted(r["labels"]) for r in rows} == {
        "concept:alpha": ["Concept", "Entity"],
        "concept:beta": ["Concept", "Entity"],
        "thinker:gamma-person": ["Entity", "Thinker"],
    }
    types = db.read("MATCH ()-[r]->() RETURN collect(DISTINCT type(r)) AS types")[0]["types"]
    assert sorted(types) == ["EXTENDS", "STUDIES"]


def test_a_changed_description_updates_the_entity_and_only_its_embedding(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    old = {r["id"]: r["e"] for r in db.read("MATCH (n:Entity) RETURN n.id AS id, n.embedding AS e")}
    changed = [dict(GRAPH[0], description="A different text entirely"), *GRAPH[1:]]
    summary = ingest(write_jsonl(tmp_path / "g.jsonl", changed))
    assert (summary.entities.updated, summary.entities.unchanged, summary.embeddings_computed) == (
        1,
        2,
        1,
    )
    new = {r["id"]: r["e"] for r in db.read("MATCH (n:Entity) RETURN n.id AS id, n.embedding AS e")}
    assert new["concept:alpha"] != old["concept:alpha"]
    assert new["concept:beta"] == old["concept:beta"]
    assert (
        db.read("MATCH (n {id: 'concept:alpha'}) RETURN n.description AS d")[0]["d"]
        == "A different text entirely"
    )


def test_windows_of_mixed_work_write_embed_or_skip_each_entity_as_a_single_window_would(
    ingest, db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entities are planned in one pass and written window by window over those with work: with
    windows of two, the first holds an entity to write and embed beside one to embed only, the
    second one to write only beside one to embed only; the unchanged are skipped."""
    concepts = [
        {"kind": "entity", "type": "concept", "name": f"Item {n}", "description": f"Text {n}"}
        for n in range(7)
    ]
    ingest(write_jsonl(tmp_path / "g.jsonl", concepts))
    vectors = {r["id"]: r["e"] for r in db.read("MATCH (n:Entity) RETURN n.id AS id, n.embedding AS e")}
    db.write("MATCH (n:Entity) WHERE n.id IN ['concept:item-2', 'concept:item-5'] REMOVE n.embedding")
    changed = [dict(c) for c in concepts]
    changed[1]["description"] = "Another text"  # write and embed
    changed[3]["status"] = "draft"  # write only: the embedded text is the same
    monkeypatch.setattr("ingest.pipeline.EMBED_WINDOW", 2)
    summary = ingest(write_jsonl(tmp_path / "g.jsonl", changed))
    assert (summary.entities.updated, summary.entities.unchanged, summary.embeddings_computed) == (2, 5, 3)
    rows = db.read("MATCH (n:Entity) RETURN n.id AS id, n.embedding AS e, n.status AS status")
    after = {r["id"]: r for r in rows}
    assert after["concept:item-1"]["e"] != vectors["concept:item-1"]
    for same in ("concept:item-0", "concept:item-2", "concept:item-3", "concept:item-5", "concept:item-6"):
        assert after[same]["e"] == pytest.approx(vectors[same], abs=1e-6)
    assert after["concept:item-3"]["status"] == "draft"
    assert ingest(write_jsonl(tmp_path / "g.jsonl", changed)).embeddings_computed == 0


def test_a_changed_edge_description_updates_the_relation(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    changed = [*GRAPH[:3], dict(GRAPH[3], description="rewritten"), GRAPH[4]]
    summary = ingest(write_jsonl(tmp_path / "g.jsonl", changed))
    assert (summary.relations.updated, summary.relations.unchanged) == (1, 1)
    rows = db.read("MATCH ()-[r:EXTENDS]->() RETURN r.description AS d, count(r) AS n")
    assert [(r["d"], r["n"]) for r in rows] == [("rewritten", 1)]


def test_embeddings_are_normalised_384_dimensional_vectors(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    norms = db.read(
        "MATCH (n:Entity) RETURN size(n.embedding) AS dims, "
        "reduce(s = 0.0, x IN n.embedding | s + x * x) AS norm2"
    )
    assert all(r["dims"] == 384 and abs(r["norm2"] - 1.0) < 1e-4 for r in norms)


def test_indexes_for_ids_text_and_vectors_are_created(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    rows = db.read("SHOW INDEXES YIELD name, type, state RETURN name, type, state")
    by_name = {r["name"]: (r["type"], r["state"]) for r in rows}
    assert by_name["entity_text"][0] == "FULLTEXT"
    assert by_name["entity_embedding"][0] == "VECTOR"
    assert by_name["entity_id"][0] == "RANGE"


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('{"kind": "entity", "type": "concept"', "g.jsonl:4: invalid JSON"),
        ('{"kind": "entity", "type": "concept"}', "g.jsonl:4: field 'name': Field required"),
        (
            '{"kind": "entity", "type": "idea", "name": "X"}',
            "g.jsonl:4: field 'type': unknown entity type 'idea'",
        ),
        (
            '{"kind": "entity", "id": "paper:x", "type": "concept", "name": "X"}',
            "g.jsonl:4: field 'id': id prefix 'paper' must equal the type 'concept'",
        ),
        (
            '{"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:nowhere"}',
            "g.jsonl:4: field 'target': 'concept:nowhere' is neither in the input nor in the database",
        ),
        (
            '{"kind": "relation", "source": "concept:alpha", "type": "EXTENDS]->() DETACH DELETE n //", '
            '"target": "concept:beta"}',
            "g.jsonl:4: field 'type': unknown relation type",
        ),
        (
            '{"kind": "entity", "id": "concept:x`}) DETACH DELETE n //", "type": "concept", "name": "X"}',
            "g.jsonl:4: field 'id': 'concept:x`}) DETACH DELETE n //' is not an id",
        ),
        (
            '{"kind": "entity", "type": "concept", "name": "Alpha", "description": "conflicting"}',
            "g.jsonl:4: field 'id': 'concept:alpha' is defined twice (first at",
        ),
    ],
)
def test_invalid_input_names_file_line_and_field_and_writes_nothing(
    ingest, db, tmp_path: Path, bad_line: str, expected: str
) -> None:
    write_jsonl(tmp_path / "g.jsonl", GRAPH[:3])
    ingest(tmp_path / "g.jsonl")
    before = graph_snapshot(db)
    path = tmp_path / "g.jsonl"
    path.write_text(path.read_text() + bad_line + "\n" + json.dumps(GRAPH[3]) + "\n")
    with pytest.raises(IngestError) as raised:
        ingest(path)
    assert expected in str(raised.value)
    assert graph_snapshot(db) == before


def test_a_relation_may_point_at_an_entity_already_in_the_database(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "first.jsonl", GRAPH[:3]))
    summary = ingest(write_jsonl(tmp_path / "second.jsonl", GRAPH[3:]))
    assert summary.relations.created == 2


def test_csv_and_yaml_inputs_give_the_same_graph_as_jsonl(ingest, db, tmp_path: Path) -> None:
    ingest(write_jsonl(tmp_path / "g.jsonl", GRAPH))
    from_jsonl = graph_snapshot(db)
    db.write("MATCH (n:Entity) DETACH DELETE n")  # the schema stays
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "entities.csv").write_text(
        "type,name,description,aliases,properties\n"
        "concept,Alpha,The first letter,,\n"
        'concept,Beta,The second letter,B,"{""year"": 2024, ""tags"": [""x"", ""y""]}"\n'
        "thinker,Gamma Person,,,\n"
    )
    (folder / "relations.yaml").write_text(
        "relations:\n"
        "  - {source: concept:alpha, type: extends, target: concept:beta,"
        " description: alpha builds on beta, source_ref: thinker:gamma-person}\n"
        "  - {source: thinker:gamma-person, type: studies, target: concept:alpha}\n"
    )
    ingest(folder)
    assert graph_snapshot(db) == from_jsonl


def many_relations_graph(entities: int, relations: int) -> list[dict]:
    """Entities joined in rings of growing stride: enough distinct rows for several batches."""
    records: list[dict] = [
        {"kind": "entity", "type": "concept", "name": f"Node {i}", "description": f"node number {i}"}
        for i in range(entities)
    ]
    for i in range(relations):
        source, stride = i % entities, i // entities + 1
        records.append(
            {
                "kind": "relation",
                "source": f"concept:node-{source}",
                "type": "extends",
                "target": f"concept:node-{(source + stride) % entities}",
                "description": f"edge {i}",
            }
        )
    return records


def test_relations_of_new_entities_come_out_as_the_full_upsert_writes_them(
    ingest, db, tmp_path: Path
) -> None:
    # All at once: every relation joins two new entities and takes create_relations. Entities first,
    # relations second: every relation takes upsert_relations. The graphs must be the same.
    records = many_relations_graph(entities=150, relations=1200)
    entities, relations = records[:150], records[150:]
    together = ingest(write_jsonl(tmp_path / "all.jsonl", records))
    at_once = graph_snapshot(db)
    db.write("MATCH (n:Entity) DETACH DELETE n")  # the schema stays
    ingest(write_jsonl(tmp_path / "entities.jsonl", entities))
    apart = ingest(write_jsonl(tmp_path / "relations.jsonl", relations))
    assert graph_snapshot(db) == at_once
    assert together.relations.created == apart.relations.created == 1200


def test_two_simultaneous_first_imports_write_each_relation_once(ingester, db, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "g.jsonl", many_relations_graph(entities=100, relations=600))
    records, problems, _ = read_all([path])
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(ingester.ingest_records, records, problems) for _ in range(2)]
        for run in runs:
            run.result()
    counts = db.read(
        "MATCH (s)-[r]->(t) WITH s, type(r) AS type, t, count(r) AS copies "
        "RETURN count(*) AS pairs, max(copies) AS most"
    )[0]
    assert (counts["pairs"], counts["most"]) == (600, 1)


def hub_graph(spokes: int) -> list[dict]:
    """One hub with a relation to each of `spokes` entities."""
    records: list[dict] = [{"kind": "entity", "type": "concept", "name": "Hub"}]
    for i in range(spokes):
        records.append({"kind": "entity", "type": "concept", "name": f"Spoke {i}"})
        records.append(
            {"kind": "relation", "source": "concept:hub", "type": "extends", "target": f"concept:spoke-{i}"}
        )
    return records


def test_an_unchanged_reingest_reads_each_sources_relations_back_and_counts_them_unchanged(
    ingest, db, queries, tmp_path: Path
) -> None:
    records = hub_graph(spokes=300)
    ingest(write_jsonl(tmp_path / "g.jsonl", records))
    stored = db.read(queries["stored_relations"], sources=[["concept:hub", 300]])
    assert [len(record["stored"]) for record in stored] == [300]
    before = graph_snapshot(db)
    again = ingest(write_jsonl(tmp_path / "g.jsonl", records))
    assert (again.relations.unchanged, again.relations.created, again.relations.updated) == (300, 0, 0)
    assert graph_snapshot(db) == before


def test_a_hub_given_a_few_relations_is_not_read_back_and_they_still_come_out_right(
    ingest, db, queries, tmp_path: Path
) -> None:
    records = hub_graph(spokes=300)
    ingest(write_jsonl(tmp_path / "g.jsonl", records))
    # 300 stored against 3 given: reading them back would cost more than upserting the 3.
    assert db.read(queries["stored_relations"], sources=[["concept:hub", 3]]) == []
    spokes = [record for record in records if record["kind"] == "entity"]
    relation = hub_graph(spokes=1)[-1]
    given = [
        *spokes,
        dict(relation, target="concept:spoke-0"),  # unchanged
        dict(relation, target="concept:spoke-1", description="rewritten"),  # updated
        dict(relation, source="concept:spoke-2", target="concept:hub"),  # created
    ]
    summary = ingest(write_jsonl(tmp_path / "few.jsonl", given))
    assert (summary.relations.unchanged, summary.relations.updated, summary.relations.created) == (1, 1, 1)
    rewritten = (
        "MATCH (:Entity {id: 'concept:hub'})-[r]->(:Entity {id: 'concept:spoke-1'}) RETURN r.description AS d"
    )
    assert db.read(rewritten)[0]["d"] == "rewritten"
