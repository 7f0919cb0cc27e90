"""Graph-wide candidates equal a brute-force cosine over the stored embeddings, minus linked,
dismissed and merged entities; type-pair filter, flags and pages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from curation.candidates import DUPLICATE_SCORE, CandidateFinder
from tests.curation.conftest import CANONICAL, DUPLICATE, write_records

SAMPLE = 300


@pytest.fixture
def wordnet_graph(seeded, ingest, datasets: Path, tmp_path: Path) -> list[str]:
    """The first WN18RR synsets (several senses of one word: many close pairs), their relations,
    and the seed graph (many entity types)."""
    lines = (datasets / "wn18rr" / "entity2text.txt").read_text().splitlines()[:SAMPLE]
    records, synsets = [], set()
    for line in lines:
        synset, text = line.split("\t", 1)
        name, _, definition = text.partition(",")
        synsets.add(synset)
        records.append(
            {"kind": "entity", "id": f"concept:wn-{synset}", "type": "concept",
             "name": name.strip(), "description": definition.strip()}
        )  # fmt: skip
    for line in (datasets / "wn18rr" / "train.tsv").read_text().splitlines():
        head, _, tail = line.split("\t")
        if head in synsets and tail in synsets and head != tail:
            records.append(
                {"kind": "relation", "source": f"concept:wn-{head}", "type": "associated_with",
                 "target": f"concept:wn-{tail}"}
            )  # fmt: skip
    ingest(write_records(tmp_path / "wordnet.jsonl", records))
    return sorted(f"concept:wn-{s}" for s in synsets)


def brute_force(db, threshold: float, type_a=None, type_b=None) -> dict[tuple[str, str], float]:
    """Every unordered pair of embedded, non-merged entities with cosine >= threshold, not joined by
    any relationship and not dismissed: a full float64 matrix, no index, no blocks."""
    rows = db.read(
        "MATCH (n:Entity) WHERE n.embedding IS NOT NULL AND coalesce(n.status, '') <> 'merged' "
        "RETURN n.id AS id, n.type AS type, n.embedding AS e, coalesce(n.dismissed, []) AS dismissed"
    )
    linked = {frozenset((r["a"], r["b"])) for r in db.read("MATCH (a)--(b) RETURN a.id AS a, b.id AS b")}
    dismissed = {frozenset((r["id"], other)) for r in rows for other in r["dismissed"]}
    vectors = np.array([r["e"] for r in rows], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = vectors @ vectors.T

    def types_match(x: str, y: str) -> bool:
        if type_a is None and type_b is None:
            return True
        if type_a is None or type_b is None:
            return (type_a or type_b) in (x, y)
        return (x, y) in {(type_a, type_b), (type_b, type_a)}

    excluded = linked | dismissed
    found = {}
    for i, j in zip(*np.nonzero(scores >= threshold), strict=True):
        a, b = rows[i], rows[j]
        pair = frozenset((a["id"], b["id"]))
        if a["id"] < b["id"] and pair not in excluded and types_match(a["type"], b["type"]):
            found[(a["id"], b["id"])] = float(scores[i, j])
    return found


def as_pairs(found) -> dict[tuple[str, str], float]:
    return {(p.a.id, p.b.id): p.score for p in found}


@pytest.mark.parametrize("threshold", [0.45, 0.6])
def test_candidates_equal_brute_force(db, queries, curator, wordnet_graph, threshold: float) -> None:
    # Take some decisions first, so that the comparison covers dismissed and merged entities too.
    finder = CandidateFinder(db, queries)
    first = finder.ranked(threshold)
    curator.dismiss(first[0].a.id, first[0].b.id, who="t")
    curator.merge(first[1].a.id, first[1].b.id, who="t")
    expected = brute_force(db, threshold)
    ranked = finder.ranked(threshold)
    got = as_pairs(ranked)
    assert set(got) == set(expected)
    assert len(got) > 20  # the sample really exercises the comparison
    for pair, score in got.items():
        assert score == pytest.approx(expected[pair], abs=1e-9)
    keys = [(-p.score, p.a.id, p.b.id) for p in ranked]
    assert keys == sorted(keys)


def test_type_pair_filter_equals_brute_force(db, queries, wordnet_graph) -> None:
    finder = CandidateFinder(db, queries)
    for type_a, type_b in [("concept", "claim"), ("paper", None), (None, "thinker"), ("claim", "claim")]:
        expected = brute_force(db, 0.3, type_a, type_b)
        got = as_pairs(finder.ranked(0.3, type_a, type_b))
        assert set(got) == set(expected), (type_a, type_b)
        assert expected, (type_a, type_b)


def test_pages_hold_every_pair_once_in_rank_order(client, wordnet_graph) -> None:
    full = client.get("/candidates", params={"threshold": 0.6, "limit": 1000}).json()
    seen, cursor = [], None
    while True:
        params = {"threshold": 0.6, "limit": 7} | ({"cursor": cursor} if cursor else {})
        page = client.get("/candidates", params=params).json()
        assert page["count"] == full["count"]
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == full["items"] and len(seen) == full["count"] > 7


def test_dismissed_pair_never_reappears(client, db, curator, wordnet_graph) -> None:
    top = client.get("/candidates", params={"threshold": 0.5, "limit": 1}).json()["items"][0]
    a, b = top["a"]["id"], top["b"]["id"]
    curator.dismiss(a, b, who="t")
    listed = client.get("/candidates", params={"threshold": 0.5, "limit": 1000}).json()["items"]
    assert (a, b) not in {(p["a"]["id"], p["b"]["id"]) for p in listed}
    for one, other in [(a, b), (b, a)]:
        similar = client.get(f"/entities/{one}/similar", params={"threshold": -1, "limit": 500}).json()
        assert other not in {item["id"] for item in similar["items"]}
    assert client.get(f"/entities/{a}").json()["entity"]["id"] == a  # only the pair is gone


def test_likely_duplicates_are_flagged_by_name_or_high_score(db, queries, curation_graph) -> None:
    found = CandidateFinder(db, queries).ranked(0.0)
    assert not [p for p in found if {p.a.id, p.b.id} == {CANONICAL, DUPLICATE}]  # linked: no candidate
    db.write("MATCH (:Entity {id: $id})-[r]-() DELETE r", id=DUPLICATE)
    found = CandidateFinder(db, queries).ranked(0.0)
    twin = next(p for p in found if {p.a.id, p.b.id} == {CANONICAL, DUPLICATE})
    assert (twin.kind, twin.reason) == ("duplicate", "same name or alias")
    for pair in found:
        names_match = pair.reason == "same name or alias"
        high = pair.a.type == pair.b.type and pair.score >= DUPLICATE_SCORE
        assert (pair.kind == "duplicate") == (names_match or high)
    assert any(p.kind == "missing_edge" for p in found)


def test_candidates_kind_filter_and_bad_input(client, curation_graph, db) -> None:
    db.write("MATCH (:Entity {id: $id})-[r]-() DELETE r", id=DUPLICATE)
    duplicates = client.get("/candidates", params={"threshold": 0.0, "kind": "duplicate"}).json()
    assert duplicates["items"] and all(p["kind"] == "duplicate" for p in duplicates["items"])
    bad_type = client.get("/candidates", params={"type_a": "planet"})
    assert bad_type.status_code == 422 and bad_type.json()["error"]["code"] == "invalid_parameter"
    bad_cursor = client.get("/candidates", params={"cursor": "!!"})
    assert bad_cursor.status_code == 422 and bad_cursor.json()["error"]["code"] == "invalid_cursor"
    assert json.loads(client.get("/candidates").text)["threshold"] == 0.8
