"""Hub neighbourhoods are kept between requests, and never outlive a change to the graph, whoever
makes it: Atlas's own writes or a Cypher statement run in Neo4j Browser."""

import time
from collections.abc import Iterator

import pytest

import graph.reader

PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def reads(client, seeded, monkeypatch) -> Iterator[list[str]]:
    """The seed graph, every entity counting as a hub; yields the ids whose neighbourhood was read."""
    monkeypatch.setattr(graph.reader, "HUB_DEGREE", 1)
    reader = client.app.state.reader
    read = reader._read_neighborhood
    seen: list[str] = []

    def counting(entity_id, limit, types):
        seen.append(entity_id)
        return read(entity_id, limit, types)

    monkeypatch.setattr(reader, "_read_neighborhood", counting)
    yield seen


def neighbour_ids(page: dict) -> set[str]:
    return {n["id"] for group in page["neighborhood"]["groups"] for n in group["neighbors"]}


def test_a_hub_neighbourhood_is_read_once_while_the_graph_is_unchanged(client, reads) -> None:
    first = client.get(f"/entities/{PAGE_ID}").json()
    second = client.get(f"/entities/{PAGE_ID}").json()
    third = client.get(f"/entities/{PAGE_ID}/neighborhood").json()
    assert first == second and third == first["neighborhood"]
    assert reads == [PAGE_ID]


def test_a_relation_created_outside_atlas_shows_at_the_next_request(client, reads, db) -> None:
    before = client.get(f"/entities/{PAGE_ID}").json()
    # What a researcher might type in Neo4j Browser.
    db.write(
        "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) CREATE (a)-[:ASSOCIATED_WITH]->(b)",
        a=PAGE_ID,
        b=_far_entity(db),
    )
    after = client.get(f"/entities/{PAGE_ID}").json()
    assert neighbour_ids(after) - neighbour_ids(before)
    assert reads == [PAGE_ID, PAGE_ID]


def test_a_renamed_neighbour_is_shown_under_its_new_name(client, reads, db) -> None:
    page = client.get(f"/entities/{PAGE_ID}").json()
    neighbour = page["neighborhood"]["groups"][0]["neighbors"][0]["id"]
    db.write("MATCH (n:Entity {id: $id}) SET n.name = 'Renamed in the Browser'", id=neighbour)
    names = {
        n["name"]
        for group in client.get(f"/entities/{PAGE_ID}").json()["neighborhood"]["groups"]
        for n in group["neighbors"]
    }
    assert "Renamed in the Browser" in names


def test_below_the_hub_degree_nothing_is_kept(client, reads, monkeypatch) -> None:
    monkeypatch.setattr(graph.reader, "HUB_DEGREE", 10**9)
    monkeypatch.setattr(client.app.state.cached_reader.cache, "entries", 0)  # pages not kept either
    client.get(f"/entities/{PAGE_ID}")
    client.get(f"/entities/{PAGE_ID}")
    assert reads == [PAGE_ID, PAGE_ID]


def test_the_revision_moves_with_every_commit_and_only_then(db) -> None:
    first, again = db.revision(), db.revision()
    assert first == again
    db.write("CREATE (:Scratch)")
    assert db.revision() != first


def test_after_a_change_the_largest_hubs_are_read_ahead_and_their_first_reader_waits_for_none(
    client, reads, db
) -> None:
    from graph.hub_refresh import HubRefresher

    refresher = HubRefresher(client.app.state.reader, poll_seconds=60, settle_seconds=0, min_degree=1, hubs=5)
    db.write("MATCH (n:Entity {id: $id}) SET n.name = 'Renamed in the Browser'", id=PAGE_ID)
    assert refresher.refresh() == 5
    ahead = list(reads)
    assert PAGE_ID in ahead and len(ahead) == 5  # the seed page's entity is the largest hub
    client.get(f"/entities/{PAGE_ID}")
    assert reads == ahead  # served from what was read ahead


def test_the_background_thread_reads_ahead_once_the_revision_has_settled(client, reads, db) -> None:
    from graph.hub_refresh import HubRefresher

    refresher = HubRefresher(
        client.app.state.reader, poll_seconds=0.1, settle_seconds=0.5, min_degree=1, hubs=3
    )
    db.write("CREATE (:Scratch)")
    client.app.state.hub_refresher = refresher  # what /health asks
    assert client.get("/health").json()["hubs_read_ahead"] is False
    refresher.start()
    try:
        deadline = time.monotonic() + 20
        while not refresher.is_current() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        refresher.stop()
    assert len(reads) == 3, f"the background thread read {reads} within 20 s, not the 3 largest hubs"
    assert PAGE_ID in reads
    assert client.get("/health").json()["hubs_read_ahead"] is True
    client.get(f"/entities/{PAGE_ID}")
    assert len(reads) == 3
    db.write("CREATE (:Scratch)")
    assert client.get("/health").json()["hubs_read_ahead"] is False


def _far_entity(db) -> str:
    """An entity not yet joined to the page's entity."""
    records = db.read(
        "MATCH (e:Entity {id: $id}), (n:Entity) WHERE n <> e AND NOT EXISTS { (e)--(n) } "
        "RETURN n.id AS id ORDER BY id LIMIT 1",
        id=PAGE_ID,
    )
    return records[0]["id"]
