"""`similar` equals an exact brute-force cosine over the stored embeddings, on real WordNet text."""

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app

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


# The exact scan (graph/vector_scan.py): on large graphs `similar` takes its candidates from every
# stored embedding instead of the approximate index. Here it is switched on from one entity.


@pytest.fixture
def scanning(settings, db) -> Iterator[TestClient]:
    """An API that keeps a scan from the first entity; the test reads it (no refresher thread)."""
    with TestClient(create_app(settings.model_copy(update={"similar_scan_from": 1}))) as client:
        yield client


def read_scan_now(client: TestClient) -> None:
    reader = client.app.state.reader
    assert reader.scans.refresh(reader.embedded_population())


def test_similar_from_the_scan_equals_brute_force_cosine(scanning, db, wordnet_sample: set[str]) -> None:
    read_scan_now(scanning)
    threshold, hits = 0.4, 0
    for entity_id in sorted(wordnet_sample)[::7]:  # across every part of the scan
        expected = brute_force(db, entity_id, threshold)
        body = scanning.get(
            f"/entities/{entity_id}/similar", params={"threshold": threshold, "limit": 500}
        ).json()
        assert body["search"] == "scan"
        assert body["count"] == len(expected), entity_id
        assert {item["id"] for item in body["items"]} == set(expected), entity_id
        for item in body["items"]:
            assert item["score"] == pytest.approx(expected[item["id"]], abs=1e-3)
        hits += len(expected)
    assert hits > 20


def test_the_scan_widens_and_flags_as_the_index_does(scanning, db, wordnet_sample: set[str]) -> None:
    read_scan_now(scanning)
    entity_id = sorted(wordnet_sample)[0]
    expected = brute_force(db, entity_id, -1.0)
    body = scanning.get(f"/entities/{entity_id}/similar", params={"threshold": -1.0, "limit": 5}).json()
    assert body["search"] == "scan" and body["count"] == len(expected) > 200 and body["count_exact"]
    page = scanning.get(f"/entities/{entity_id}", params={"threshold": -1.0, "similar_limit": 20}).json()
    assert page["similar"]["search"] == "scan"
    assert page["similar"]["count"] == 40 and page["similar"]["count_exact"] is False  # self not asked


def test_after_a_change_similar_asks_the_index_until_the_scan_is_read_again(
    scanning, db, wordnet_sample: set[str]
) -> None:
    """A scan is one revision's: an entity added through the driver is found at once (by the index),
    and by the scan once it is read again. Never an answer from vectors older than the graph."""
    read_scan_now(scanning)
    entity_id = sorted(wordnet_sample)[0]
    first = scanning.get(f"/entities/{entity_id}/similar").json()
    assert first["search"] == "scan"
    db.write(
        "MATCH (e:Entity {id: $id}) CREATE (twin:Entity:Concept {id: 'concept:twin', type: 'concept', "
        "name: 'twin', description: ''}) WITH e, twin "
        "CALL db.create.setNodeVectorProperty(twin, 'embedding', e.embedding) RETURN twin.id",
        id=entity_id,
    )
    after_change = scanning.get(f"/entities/{entity_id}/similar").json()
    assert after_change["search"] == "index"
    assert after_change["items"][0]["id"] == "concept:twin"
    read_scan_now(scanning)
    rescanned = scanning.get(f"/entities/{entity_id}/similar").json()
    assert rescanned["search"] == "scan"
    assert rescanned["items"] == after_change["items"]


def test_a_scan_read_while_the_graph_changes_is_not_kept(db, queries, wordnet_sample, monkeypatch) -> None:
    import graph.vector_scan
    from graph.vector_scan import VectorScans

    monkeypatch.setattr(graph.vector_scan, "VECTOR_PAGE", 50)

    class ChangingDatabase(type(db)):  # type: ignore[misc]
        """The real database; after the first page of vectors, someone commits a change."""

        pages = 0

        def read(self, query, **parameters):
            if "after" in parameters:
                self.pages += 1
                if self.pages == 2:
                    db.write("MATCH (e:Entity) WITH e LIMIT 1 SET e.description = 'changed'")
            return super().read(query, **parameters)

    changing = ChangingDatabase(db.driver, db.database)
    scans = VectorScans(changing, queries, from_entities=1)
    assert scans.refresh(len(wordnet_sample)) is False
    assert scans.current() is None
    assert scans.refresh(len(wordnet_sample)) is True  # nothing changes the second time
    paged = scans.current()
    assert paged is not None and len(paged.ids) == len(wordnet_sample)
    assert sum(part.ntotal for part in paged.parts) == len(wordnet_sample)
    # Read in pages of 50 into its parts, or in one page: the same scan.
    monkeypatch.setattr(graph.vector_scan, "VECTOR_PAGE", 10_000)
    whole = graph.vector_scan.read_scan(db, queries, len(wordnet_sample))
    assert whole is not None
    assert [part.ntotal for part in whole.parts] == [part.ntotal for part in paged.parts]
    for entity_id in sorted(wordnet_sample)[::40]:
        assert paged.nearest(entity_id, 10) == whole.nearest(entity_id, 10)


def test_no_scan_is_kept_below_its_size(db, queries, wordnet_sample: set[str]) -> None:
    from graph.vector_scan import VectorScans

    scans = VectorScans(db, queries, from_entities=len(wordnet_sample) + 1)
    assert scans.refresh(len(wordnet_sample)) is False and scans.current() is None


def test_health_says_when_similar_answers_from_the_scan(scanning, db, wordnet_sample: set[str]) -> None:
    assert scanning.get("/health").json()["similar_search"] == "index"
    read_scan_now(scanning)
    assert scanning.get("/health").json()["similar_search"] == "scan"
    db.write("MATCH (e:Entity) WITH e LIMIT 1 SET e.description = 'changed'")
    assert scanning.get("/health").json()["similar_search"] == "index"


def test_a_page_kept_while_the_scan_was_read_is_not_served_in_place_of_the_scans(
    scanning, wordnet_sample: set[str]
) -> None:
    entity_id = sorted(wordnet_sample)[0]
    assert scanning.get(f"/entities/{entity_id}").json()["similar"]["search"] == "index"
    read_scan_now(scanning)  # the graph did not change: the same revision
    assert scanning.get(f"/entities/{entity_id}").json()["similar"]["search"] == "scan"


def test_the_scan_asks_neo4j_once_for_as_many_candidates_as_can_pass(
    scanning, db, wordnet_sample: set[str], monkeypatch
) -> None:
    """The index widens step by step (40, 200, 800 candidates); the scan's own scores, each with
    its error bound, say at once which entities can pass: one query of the first step's candidates
    and every other one that can pass, the same answer."""
    read_scan_now(scanning)
    reader = scanning.app.state.reader
    asked: list[int] = []
    read = reader.db.read

    def counting_read(query, **parameters):
        if "among" in parameters:
            asked.append(len(parameters["among"]))
        return read(query, **parameters)

    monkeypatch.setattr(reader.db, "read", counting_read)
    entity_id = sorted(wordnet_sample)[0]
    expected = brute_force(db, entity_id, -1.0)
    answer = reader.similar(entity_id, threshold=-1.0, limit=5)
    assert asked == [len(expected)]  # fewer than 800 others: every one, in one query
    assert answer.count == len(expected) and answer.count_exact
    asked.clear()
    answer = reader.similar(entity_id, threshold=0.4, limit=20)  # steps 40, 200, 800
    assert asked == [40] and answer.count == len(brute_force(db, entity_id, 0.4)) and answer.count_exact
