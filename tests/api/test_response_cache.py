"""Reads are kept while the graph is unchanged and never outlive a change, whoever makes it:
a Cypher statement run through the driver directly (as Neo4j Browser or a notebook would) shows at
the very next read of every endpoint and page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def page_reads(client, seeded, monkeypatch) -> Iterator[list[str]]:
    """Counts the entity pages the wrapped (uncached) reader computes."""
    reader = client.app.state.reader
    read = reader.page
    seen: list[str] = []

    def counting(entity_id: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(entity_id)
        return read(entity_id, *args, **kwargs)

    monkeypatch.setattr(reader, "page", counting)
    yield seen


def rename(db, entity_id: str, name: str) -> None:
    db.write("MATCH (n:Entity {id: $id}) SET n.name = $name", id=entity_id, name=name)


def test_an_unchanged_page_is_computed_once(client, page_reads) -> None:
    first = client.get(f"/entities/{PAGE_ID}").json()
    second = client.get(f"/entities/{PAGE_ID}").json()
    html = client.get(f"/e/{PAGE_ID}")
    assert first == second and html.status_code == 200
    assert page_reads == [PAGE_ID]


def test_a_change_through_the_driver_shows_on_the_next_json_and_html_page(client, page_reads, db) -> None:
    client.get(f"/entities/{PAGE_ID}")
    client.get(f"/e/{PAGE_ID}")
    rename(db, PAGE_ID, "Renamed in a notebook")
    assert client.get(f"/entities/{PAGE_ID}").json()["entity"]["name"] == "Renamed in a notebook"
    assert "Renamed in a notebook" in client.get(f"/e/{PAGE_ID}").text
    assert page_reads == [PAGE_ID, PAGE_ID]


def test_a_relation_created_through_the_driver_shows_in_the_neighbourhood(client, seeded, db) -> None:
    def neighbours() -> set[str]:
        groups = client.get(f"/entities/{PAGE_ID}/neighborhood").json()["groups"]
        return {n["id"] for group in groups for n in group["neighbors"]}

    before = neighbours()
    other = db.read(
        "MATCH (a:Entity {id: $id}), (b:Entity) WHERE b <> a AND NOT (a)--(b) RETURN b.id AS id LIMIT 1",
        id=PAGE_ID,
    )[0]["id"]
    db.write(
        "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) CREATE (a)-[:ASSOCIATED_WITH]->(b)",
        a=PAGE_ID,
        b=other,
    )
    assert neighbours() == before | {other}


def test_stats_follow_an_entity_created_through_the_driver(client, seeded, db) -> None:
    before = client.get("/stats").json()["entities"]
    client.get("/stats")
    db.write(
        "CREATE (:Entity:Concept {id: 'concept:zyxwvut', type: 'concept', name: 'Zyxwvut', "
        "status: 'active', description: '', aliases: []})"
    )
    assert client.get("/stats").json()["entities"] == before + 1


def test_a_similar_entity_linked_through_the_driver_leaves_similar(client, seeded, db) -> None:
    items = client.get(f"/entities/{PAGE_ID}/similar").json()["items"]
    assert items, "the seed page has similar entities"
    closest = items[0]["id"]
    db.write(
        "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) CREATE (a)-[:ASSOCIATED_WITH]->(b)",
        a=PAGE_ID,
        b=closest,
    )
    after = client.get(f"/entities/{PAGE_ID}/similar").json()["items"]
    assert closest not in {item["id"] for item in after}


def test_an_unknown_id_is_not_kept_once_it_is_created(client, seeded, db) -> None:
    assert client.get("/entities/concept:made-later").status_code == 404
    db.write(
        "CREATE (:Entity:Concept {id: 'concept:made-later', type: 'concept', name: 'Made later', "
        "status: 'active', description: '', aliases: []})"
    )
    assert client.get("/entities/concept:made-later").status_code == 200


def test_search_follows_an_entity_created_through_the_driver(client, seeded, db) -> None:
    def found() -> list[str]:
        items = client.get("/search", params={"q": "Zyxwvut", "mode": "text"}).json()["items"]
        return [item["entity"]["id"] for item in items]

    assert found() == [] and found() == []
    db.write(
        "CREATE (:Entity:Concept {id: 'concept:zyxwvut', type: 'concept', name: 'Zyxwvut', "
        "status: 'active', description: '', aliases: []})"
    )
    assert found() == ["concept:zyxwvut"]


@pytest.fixture
def page_renders(monkeypatch) -> list[str]:
    """Counts the entity pages rendered to HTML."""
    from api.routes import pages

    render = pages.render_entity_page
    rendered: list[str] = []

    def counting(request: Any, reader: Any, suggester: Any, entity_id: str, **kwargs: Any) -> Any:
        rendered.append(entity_id)
        return render(request, reader, suggester, entity_id, **kwargs)

    monkeypatch.setattr(pages, "render_entity_page", counting)
    return rendered


def test_an_unchanged_entity_page_is_rendered_once_and_served_whole(client, seeded, page_renders) -> None:
    first, second = client.get(f"/e/{PAGE_ID}"), client.get(f"/e/{PAGE_ID}")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second.headers["content-type"].startswith("text/html")
    assert int(second.headers["content-length"]) == len(second.content)
    assert page_renders == [PAGE_ID]
    client.get(f"/e/{PAGE_ID}?limit=5")  # another page of the same entity
    assert page_renders == [PAGE_ID, PAGE_ID]


def test_a_kept_entity_page_is_rendered_again_after_a_change_through_the_driver(
    client, seeded, db, page_renders
) -> None:
    client.get(f"/e/{PAGE_ID}")
    rename(db, PAGE_ID, "Renamed in Neo4j Browser")
    assert "Renamed in Neo4j Browser" in client.get(f"/e/{PAGE_ID}").text
    assert page_renders == [PAGE_ID, PAGE_ID]


def test_a_key_file_written_after_start_up_brings_the_forms_to_the_kept_page(
    settings, seeded, tmp_path
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.api_key import read_api_key

    keyless = settings.model_copy(update={"state_dir": tmp_path, "api_key": None})
    with TestClient(create_app(keyless)) as client:
        assert read_api_key(keyless) is None
        assert "curate-form" not in client.get(f"/e/{PAGE_ID}").text
        keyless.api_key_file.write_text("written-later\n")
        assert "curate-form" in client.get(f"/e/{PAGE_ID}").text


@pytest.fixture
def revision_reads(client, monkeypatch) -> Iterator[list[str]]:
    """Counts the round trips the app's database pays to learn the revision."""
    db = client.app.state.reader.db
    read = db.read_revision
    seen: list[str] = []

    def counting() -> str:
        seen.append(read())
        return seen[-1]

    monkeypatch.setattr(db, "read_revision", counting)
    yield seen


def test_a_page_and_its_parts_cost_one_revision_read_and_a_write_still_moves_it(
    client, seeded, revision_reads, db
) -> None:
    assert client.get(f"/e/{PAGE_ID}").status_code == 200  # entity, neighbours, similar, suggestions
    assert client.get(f"/entities/{PAGE_ID}/suggestions").status_code == 200
    assert len(revision_reads) == 2  # one per request, however many parts are kept per revision
    rename(db, PAGE_ID, "Renamed between two requests")
    assert "Renamed between two requests" in client.get(f"/e/{PAGE_ID}").text
    assert len(set(revision_reads)) == 2
