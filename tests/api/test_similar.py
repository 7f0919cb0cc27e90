"""`similar` equals an exact brute-force cosine over the stored embeddings, on real WordNet text."""

import json
from pathlib import Path

import numpy as np
import pytest

SAMPLE = 400  # WordNet synsets: enough near-duplicates (senses of one word) to have many hits


@pytest.fixture
def wordnet_sample(ingest, datasets: Path, tmp_path: Path) -> set[str]:
    """The first synsets of WN18RR with their definitions, and the relations among them."""
    lines = (datasets / "wn18rr" / "entity2text.txt").read_text().splitlines()[:SAMPLE]
    records, ids = [], set()
    for line in lines:
        synset, text = line.split("\t", 1)
        name, _, definition = text.partition(",")
        ids.add(synset)
        records.append(
            {
                "kind": "entity",
                "id": f"concept:wn-{synset}",
                "type": "concept",
                "name": name.strip(),
                "description": definition.strip(),
            }
        )
    for line in (datasets / "wn18rr" / "train.tsv").read_text().splitlines():
        head, _, tail = line.split("\t")
        if head in ids and tail in ids and head != tail:
            records.append(
                {
                    "kind": "relation",
                    "source": f"concept:wn-{head}",
                    "type": "associated_with",
                    "target": f"concept:wn-{tail}",
                }
            )
    path = tmp_path / "wordnet.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest(path)
    return {f"concept:wn-{synset}" for synset in ids}


def brute_force(db, entity_id: str, threshold: float) -> dict[str, float]:
    rows = db.read("MATCH (n:Entity) RETURN n.id AS id, n.embedding AS e")
    ids = [r["id"] for r in rows]
    vectors = np.array([r["e"] for r in rows], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = vectors @ vectors[ids.index(entity_id)]
    linked = {r["id"] for r in db.read("MATCH ({id: $id})--(m) RETURN m.id AS id", id=entity_id)}
    return {
        i: float(s)
        for i, s in zip(ids, scores, strict=True)
        if s >= threshold and i != entity_id and i not in linked
    }


def test_similar_equals_brute_force_cosine(client, db, wordnet_sample: set[str]) -> None:
    threshold, checked, hits = 0.4, 0, 0
    for entity_id in sorted(wordnet_sample)[:100]:
        expected = brute_force(db, entity_id, threshold)
        body = client.get(
            f"/entities/{entity_id}/similar", params={"threshold": threshold, "limit": 500}
        ).json()
        assert body["count"] == len(expected), entity_id
        assert {item["id"] for item in body["items"]} == set(expected), entity_id
        for item in body["items"]:
            assert item["score"] == pytest.approx(expected[item["id"]], abs=1e-3)
        scores = [item["score"] for item in body["items"]]
        assert scores == sorted(scores, reverse=True)
        checked, hits = checked + 1, hits + len(expected)
    assert hits > 20  # the sample really exercises the comparison


def test_linked_entities_never_appear_as_similar(client, db, wordnet_sample: set[str]) -> None:
    pairs = db.read("MATCH (a)--(b) RETURN a.id AS a, collect(b.id) AS linked LIMIT 30")
    for row in pairs:
        body = client.get(f"/entities/{row['a']}/similar", params={"threshold": -1.0, "limit": 500}).json()
        assert not set(row["linked"]) & {item["id"] for item in body["items"]}
        assert row["a"] not in {item["id"] for item in body["items"]}


def test_limit_cuts_the_items_but_not_the_count(client, db, wordnet_sample: set[str]) -> None:
    entity_id = sorted(wordnet_sample)[0]
    full = client.get(f"/entities/{entity_id}/similar", params={"threshold": 0.2, "limit": 500}).json()
    cut = client.get(f"/entities/{entity_id}/similar", params={"threshold": 0.2, "limit": 3}).json()
    assert full["count"] > 3
    assert cut["count"] == full["count"]
    assert cut["items"] == full["items"][:3]


def test_widening_finds_more_than_the_first_candidate_batch(client, db, wordnet_sample: set[str]) -> None:
    """At a threshold every entity passes, the answer must hold them all: beyond the index's first
    batch of candidates, the search widens until it has seen everything above the threshold."""
    entity_id = sorted(wordnet_sample)[0]
    expected = brute_force(db, entity_id, -1.0)
    body = client.get(f"/entities/{entity_id}/similar", params={"threshold": -1.0, "limit": 5}).json()
    assert body["count"] == len(expected) > 200
    assert body["count_exact"] is True


def test_beyond_the_widest_search_the_count_is_a_flagged_lower_bound(
    client, db, wordnet_sample: set[str], monkeypatch
) -> None:
    import graph.reader

    monkeypatch.setattr(graph.reader, "MAX_CANDIDATES", 200)
    entity_id = sorted(wordnet_sample)[0]
    expected = brute_force(db, entity_id, -1.0)
    body = client.get(f"/entities/{entity_id}/similar", params={"threshold": -1.0, "limit": 5}).json()
    assert body["count_exact"] is False
    assert body["count"] <= len(expected) and len(expected) > 200
    page = client.get(f"/entities/{entity_id}", params={"threshold": -1.0}).json()
    assert page["similar"]["count_exact"] is False


def test_the_entity_page_counts_only_its_first_candidates_and_similar_counts_on(
    client, db, wordnet_sample: set[str], monkeypatch
) -> None:
    """The page asks the vector index once (twice the items it shows); /similar widens."""
    entity_id = sorted(wordnet_sample)[0]
    expected = brute_force(db, entity_id, -1.0)
    page = client.get(f"/entities/{entity_id}", params={"threshold": -1.0, "similar_limit": 20}).json()
    # 40 candidates, the entity itself among them: a lower bound of 39, flagged.
    assert page["similar"]["count"] == 39 and page["similar"]["count_exact"] is False
    best = sorted(expected.values(), reverse=True)[:20]
    assert [item["score"] for item in page["similar"]["items"]] == pytest.approx(best, abs=1e-3)
    full = client.get(f"/entities/{entity_id}/similar", params={"threshold": -1.0}).json()
    assert full["count"] == len(expected) and full["count_exact"] is True
    import api.routes.pages

    monkeypatch.setattr(api.routes.pages, "DEFAULT_THRESHOLD", -1.0)  # the web page's threshold
    html = client.get(f"/e/{entity_id}").text
    assert "(39+)" in html
    assert f"/entities/{entity_id}/similar?threshold=-1.0&amp;limit=500" in html


def test_similar_asks_for_twice_what_it_shows_then_widens_fivefold_to_the_cap() -> None:
    from graph.reader import MAX_CANDIDATES, candidate_steps

    assert candidate_steps(20) == [40, 200, MAX_CANDIDATES]
    assert candidate_steps(1) == [10, 50, 250, MAX_CANDIDATES]
    assert candidate_steps(1000) == [MAX_CANDIDATES]
    assert candidate_steps(20, widen=False) == [40]


def test_a_larger_graph_asks_the_index_for_more_candidates_from_the_first_query() -> None:
    from graph.reader import LARGEST_GRAPH_FLOOR, candidate_floor, candidate_steps

    assert candidate_floor(10_000) == 0
    assert candidate_steps(20, floor=candidate_floor(10_000)) == [40, 200, 800]
    assert candidate_steps(20, floor=candidate_floor(40_000)) == [100, 500, 800]
    assert candidate_steps(20, floor=candidate_floor(200_000)) == [400, 800]
    assert candidate_steps(20, widen=False, floor=candidate_floor(1_000_000)) == [LARGEST_GRAPH_FLOOR]
    assert candidate_steps(20, floor=1000) == [1000]


def test_the_page_asks_for_the_floor_of_the_graph_size(
    client, db, wordnet_sample: set[str], monkeypatch
) -> None:
    """The graph's size reaches the query: with a floor of 100 at this size, the page's one query
    asks for 100 candidates (a lower bound of 99 when all pass), not 40."""
    import graph.reader

    monkeypatch.setattr(graph.reader, "CANDIDATE_FLOORS", ((10**9, 100),))
    entity_id = sorted(wordnet_sample)[0]
    page = client.get(f"/entities/{entity_id}", params={"threshold": -1.0, "similar_limit": 20}).json()
    assert page["similar"]["count"] == 99 and page["similar"]["count_exact"] is False
