"""The neighbourhood: grouped in schema order, exact counts, ranked by degree then name."""

import json
from pathlib import Path

import pytest


def entity(entity_id: str, name: str) -> dict:
    return {"kind": "entity", "id": entity_id, "type": entity_id.split(":")[0], "name": name}


def relation(source: str, rel_type: str, target: str, description: str = "") -> dict:
    return {
        "kind": "relation",
        "source": source,
        "type": rel_type,
        "target": target,
        "description": description,
    }


@pytest.fixture
def hub_graph(ingest, tmp_path: Path) -> None:
    """concept:hub with papers of degree 1, 3 and 2, two thinkers of equal degree, and one
    concept joined to the hub by two relations (one each way)."""
    records = [
        entity("concept:hub", "Hub"),
        entity("paper:p-low", "Zeta paper"),
        entity("paper:p-high", "Alpha paper"),
        entity("paper:p-mid", "Mid paper"),
        entity("thinker:b", "Bea"),
        entity("thinker:a", "Abe"),
        entity("concept:twice", "Twice linked"),
        entity("concept:far", "Far away"),
        entity("question:q", "A question"),
        relation("paper:p-low", "studies", "concept:hub", "low studies hub"),
        relation("paper:p-high", "studies", "concept:hub", "high studies hub"),
        relation("paper:p-high", "cites", "paper:p-mid"),
        relation("paper:p-high", "raises", "question:q"),
        relation("paper:p-mid", "studies", "concept:hub"),
        relation("thinker:b", "studies", "concept:hub"),
        relation("thinker:a", "studies", "concept:hub"),
        relation("concept:hub", "associated_with", "concept:twice", "hub to twice"),
        relation("concept:twice", "extends", "concept:hub", "twice extends hub"),
        relation("concept:far", "extends", "concept:twice"),
    ]
    path = tmp_path / "hub.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest(path)


def test_groups_follow_schema_order_with_exact_counts(client, hub_graph) -> None:
    groups = client.get("/entities/concept:hub/neighborhood").json()["groups"]
    assert [(g["type"], g["count"]) for g in groups] == [
        ("paper", 3),
        ("thinker", 2),
        ("concept", 1),
    ]


def test_neighbours_rank_by_degree_then_name(client, hub_graph) -> None:
    groups = {g["type"]: g for g in client.get("/entities/concept:hub/neighborhood").json()["groups"]}
    assert [(n["id"], n["degree"]) for n in groups["paper"]["neighbors"]] == [
        ("paper:p-high", 3),
        ("paper:p-mid", 2),
        ("paper:p-low", 1),
    ]
    assert [n["name"] for n in groups["thinker"]["neighbors"]] == ["Abe", "Bea"]


def test_limit_cuts_each_group_but_counts_stay_exact(client, hub_graph) -> None:
    groups = client.get("/entities/concept:hub/neighborhood", params={"limit": 1}).json()["groups"]
    assert [(g["type"], g["count"], [n["id"] for n in g["neighbors"]]) for g in groups] == [
        ("paper", 3, ["paper:p-high"]),
        ("thinker", 2, ["thinker:a"]),
        ("concept", 1, ["concept:twice"]),
    ]


def test_a_neighbour_joined_twice_appears_once_with_both_relations_and_directions(client, hub_graph) -> None:
    groups = {g["type"]: g for g in client.get("/entities/concept:hub/neighborhood").json()["groups"]}
    [twice] = groups["concept"]["neighbors"]
    assert twice["relations"] == [
        {
            "type": "associated_with",
            "direction": "out",
            "description": "hub to twice",
            "source_ref": None,
        },
        {
            "type": "extends",
            "direction": "in",
            "description": "twice extends hub",
            "source_ref": None,
        },
    ]


def test_types_filter_keeps_only_the_named_groups(client, hub_graph) -> None:
    response = client.get(
        "/entities/concept:hub/neighborhood", params=[("types", "thinker"), ("types", "concept")]
    )
    assert [g["type"] for g in response.json()["groups"]] == ["thinker", "concept"]


def test_unknown_type_filter_is_a_422(client, hub_graph) -> None:
    response = client.get("/entities/concept:hub/neighborhood", params={"types": "idea"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "types: unknown entity type(s): idea"


def test_an_entity_without_relations_has_no_groups(client, hub_graph, ingest, tmp_path: Path) -> None:
    path = tmp_path / "lonely.jsonl"
    path.write_text(json.dumps(entity("concept:lonely", "Lonely")) + "\n")
    ingest(path)
    assert client.get("/entities/concept:lonely/neighborhood").json()["groups"] == []
