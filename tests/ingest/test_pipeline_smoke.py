from pathlib import Path


def test_ingest_writes_entities_and_relations_to_neo4j(ingest, db, tmp_path: Path) -> None:
    graph = tmp_path / "g.jsonl"
    graph.write_text(
        '{"kind": "entity", "type": "concept", "name": "Alpha", "description": "first"}\n'
        '{"kind": "entity", "type": "concept", "name": "Beta"}\n'
        '{"kind": "relation", "source": "concept:alpha", "type": "extends", "target": "concept:beta"}\n'
    )
    summary = ingest(graph)
    assert summary.entities.created == 2
    rows = db.read("MATCH (a:Entity:Concept)-[r:EXTENDS]->(b) RETURN a.id AS a, b.id AS b")
    assert [(r["a"], r["b"]) for r in rows] == [("concept:alpha", "concept:beta")]
