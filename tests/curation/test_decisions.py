"""Link, dismiss, merge and undo through the Curator: exact undo, merge semantics, re-ingest."""

from __future__ import annotations

import pytest

from core.errors import EntityNotFound
from curation.errors import CurationConflict, InvalidDecision
from tests.curation.conftest import CANONICAL, DUPLICATE, decision_count, graph_state

SAME_TYPE_TWICE = """
MATCH (a:Entity)-[r]-(b:Entity)
WHERE elementId(a) < elementId(b)
WITH a.id AS a, b.id AS b, type(r) AS type, count(r) AS n
WHERE n > 1
RETURN a, b, type, n
"""


def relations_of(db, entity_id: str) -> set[tuple[str, str, str, str | None]]:
    rows = db.read(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id = $id OR b.id = $id "
        "RETURN a.id AS a, type(r) AS t, b.id AS b, r.description AS d",
        id=entity_id,
    )
    return {(r["a"], r["t"], r["b"], r["d"]) for r in rows}


def test_merge_then_undo_restores_every_node_relationship_and_property(db, curator, curation_graph) -> None:
    before = graph_state(db)
    merged = curator.merge(DUPLICATE, CANONICAL, who="tester", why="same concept")
    assert graph_state(db) != before
    curator.undo(merged.decision.id, who="tester", why="was wrong")
    assert graph_state(db) == before


def test_link_then_undo_restores_the_graph(db, curator, curation_graph) -> None:
    before = graph_state(db)
    linked = curator.link("concept:sycophancy", "concept:other", "analogous_to", "both game a proxy", who="t")
    assert ("concept:sycophancy", "ANALOGOUS_TO", "concept:other", "both game a proxy") in relations_of(
        db, "concept:sycophancy"
    )
    curator.undo(linked.decision.id, who="t")
    assert graph_state(db) == before


def test_dismiss_then_undo_restores_the_graph(db, curator, curation_graph) -> None:
    before = graph_state(db)
    first = curator.dismiss("concept:sycophancy", "concept:other", who="t")
    second = curator.dismiss("concept:sycophancy", "paper:p2", who="t")
    state = {r["id"]: r["d"] for r in db.read("MATCH (n:Entity) RETURN n.id AS id, n.dismissed AS d")}
    assert state["concept:sycophancy"] == ["concept:other", "paper:p2"]
    assert state["concept:other"] == ["concept:sycophancy"]
    curator.undo(second.decision.id, who="t")
    curator.undo(first.decision.id, who="t")
    assert graph_state(db) == before


def test_merge_moves_relations_without_two_edges_of_a_type_and_keeps_descriptions(
    db, curator, curation_graph
) -> None:
    curator.merge(DUPLICATE, CANONICAL, who="tester")
    assert db.read(SAME_TYPE_TWICE) == []
    assert relations_of(db, DUPLICATE) == set()
    assert relations_of(db, CANONICAL) == {
        ("paper:p1", "INTRODUCES", CANONICAL, "desc B"),  # folded: see merged descriptions below
        ("concept:other", "ASSOCIATED_WITH", CANONICAL, "desc E"),  # folded across directions
        ("concept:other", "PART_OF", CANONICAL, "x"),  # both directions of one type: one edge
        ("paper:p2", "STUDIES", CANONICAL, "desc C"),
        ("thinker:t1", "STUDIES", CANONICAL, "catalogue"),
    }  # and no self-loop from the dup <-> canonical relations
    [ref] = db.read("MATCH (:Entity {id: 'thinker:t1'})-[r]->() RETURN r.source_ref AS ref")
    assert ref["ref"] == "paper:p2"
    merged = db.read(
        "MATCH (a)-[r]->(:Entity {id: $id}) WHERE r.merged_descriptions IS NOT NULL "
        "RETURN a.id AS a, r.merged_descriptions AS descriptions ORDER BY a",
        id=CANONICAL,
    )
    assert [(r["a"], r["descriptions"]) for r in merged] == [
        ("concept:other", ["desc D"]),
        ("paper:p1", ["desc A"]),
    ]
    [row] = db.read(
        "MATCH (d:Entity {id: $d}), (c:Entity {id: $c}) RETURN d.status AS status, "
        "d.merged_into AS into, c.aliases AS aliases",
        d=DUPLICATE,
        c=CANONICAL,
    )
    assert (row["status"], row["into"]) == ("merged", CANONICAL)
    assert row["aliases"] == ["specification gaming", "reward tampering"]  # name equal up to case


def test_decision_records_who_when_why_and_undo(db, curator, curation_graph) -> None:
    result = curator.dismiss("concept:sycophancy", "concept:other", who="ana", why="unrelated")
    decision = result.decision
    assert (decision.kind, decision.who, decision.why, decision.status) == (
        "dismiss",
        "ana",
        "unrelated",
        "active",
    )
    assert decision.entities == ["concept:sycophancy", "concept:other"]
    assert decision.at[:4].isdigit()
    undone = curator.undo(decision.id, who="bo", why="related after all").decision
    assert (undone.status, undone.undone_by, undone.undo_why) == ("undone", "bo", "related after all")
    assert [d.id for d in curator.decisions("concept:other").items] == [decision.id]
    # decisions are nodes without relationships: degrees are untouched
    assert db.read("MATCH (d:Decision) RETURN COUNT { (d)--() } AS n")[0]["n"] == 0


def test_dry_run_lists_the_changes_and_writes_nothing(db, curator, curation_graph) -> None:
    before, decisions = graph_state(db), decision_count(db)
    dry = curator.merge(DUPLICATE, CANONICAL, who="t", why="w", dry_run=True)
    assert dry.dry_run and dry.decision is None
    assert (graph_state(db), decision_count(db)) == (before, decisions)
    real = curator.merge(DUPLICATE, CANONICAL, who="t", why="w")
    assert real.changes == dry.changes
    assert any("folded into existing (paper:p1)-[:INTRODUCES]->" in c for c in dry.changes)
    undo_dry = curator.undo(real.decision.id, who="t", dry_run=True)
    assert undo_dry.decision is None and curator.decision(real.decision.id).status == "active"


def test_undo_is_refused_while_a_later_decision_touches_the_same_entities(
    db, curator, curation_graph
) -> None:
    merged = curator.merge(DUPLICATE, CANONICAL, who="t")
    linked = curator.link(CANONICAL, "concept:sycophancy", "analogous_to", who="t")
    state = graph_state(db)
    with pytest.raises(CurationConflict, match=linked.decision.id):
        curator.undo(merged.decision.id, who="t")
    assert graph_state(db) == state
    curator.undo(linked.decision.id, who="t")
    curator.undo(merged.decision.id, who="t")
    with pytest.raises(CurationConflict, match="already undone"):
        curator.undo(merged.decision.id, who="t")


def test_chained_merges_point_at_the_last_canonical_and_undo_in_reverse(db, curator, curation_graph) -> None:
    before = graph_state(db)
    first = curator.merge("concept:sycophancy", DUPLICATE, who="t")
    second = curator.merge(DUPLICATE, CANONICAL, who="t")
    [row] = db.read("MATCH (n:Entity {id: 'concept:sycophancy'}) RETURN n.merged_into AS into")
    assert row["into"] == CANONICAL
    curator.undo(second.decision.id, who="t")
    curator.undo(first.decision.id, who="t")
    assert graph_state(db) == before


def test_refusals_leave_the_graph_unchanged(db, curator, curation_graph) -> None:
    before = graph_state(db)
    with pytest.raises(InvalidDecision):
        curator.merge(CANONICAL, CANONICAL, who="t")
    with pytest.raises(InvalidDecision, match="unknown relation type"):
        curator.link(CANONICAL, "concept:other", "hates", who="t")
    with pytest.raises(EntityNotFound):
        curator.dismiss(CANONICAL, "concept:nowhere", who="t")
    with pytest.raises(CurationConflict, match="already exists"):
        curator.link("paper:p1", CANONICAL, "introduces", who="t")
    with pytest.raises(CurationConflict, match="related by"):
        curator.dismiss("paper:p2", DUPLICATE, who="t")
    curator.merge(DUPLICATE, CANONICAL, who="t")
    after_merge = graph_state(db)
    with pytest.raises(CurationConflict, match="merged into"):
        curator.link(DUPLICATE, "concept:sycophancy", "extends", who="t")
    assert graph_state(db) == after_merge != before


def test_reingesting_a_merged_duplicates_records_resurrects_nothing(
    db, curator, ingest, curation_graph
) -> None:
    curator.merge(DUPLICATE, CANONICAL, who="t")
    after_merge = graph_state(db)
    summary = ingest(curation_graph)
    assert summary.merged_kept == 1
    assert graph_state(db) == after_merge
    assert db.read(SAME_TYPE_TWICE) == []


def test_merged_entity_page_answers_with_the_canonical(client, curator, curation_graph) -> None:
    curator.merge(DUPLICATE, CANONICAL, who="t")
    body = client.get(f"/entities/{DUPLICATE}").json()
    assert (body["entity"]["id"], body["redirected_from"]) == (CANONICAL, DUPLICATE)
    page = client.get(f"/e/{DUPLICATE}", follow_redirects=False)
    assert page.status_code in (301, 302, 303, 307, 308)
    assert page.headers["location"].endswith(f"/e/{CANONICAL}")
