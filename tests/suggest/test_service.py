"""Suggestions on a live graph, through the API and the CLI: the missing edge of a tiny graph comes
first; what exists, what was dismissed and what was merged never comes; a link taken from a
suggestion is an ordinary, exactly undoable decision; a model from an older revision is flagged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from core.settings import Settings
from suggest.service import SuggestionService
from tests.curation.conftest import API_KEY, graph_state, write_records

HEADERS = {"X-API-Key": API_KEY}


def concept(n: int, name: str | None = None) -> dict[str, Any]:
    return {"kind": "entity", "type": "concept", "id": f"concept:c{n:02d}", "name": name or f"Concept {n}"}


def edge(a: int, relation: str, b: int) -> dict[str, Any]:
    return {
        "kind": "relation",
        "source": f"concept:c{a:02d}",
        "type": relation,
        "target": f"concept:c{b:02d}",
    }


def symmetric_records() -> list[dict[str, Any]]:
    """Twelve pairs analogous both ways, except pair (0, 1): recorded 0 -> 1 only; some noise."""
    records = [concept(n) for n in range(30)]
    for pair in range(12):
        a, b = 2 * pair, 2 * pair + 1
        records.append(edge(a, "analogous_to", b))
        if pair:
            records.append(edge(b, "analogous_to", a))
    records += [edge(n, "associated_with", (n * 7 + 3) % 30) for n in range(24, 30)]
    return records


def path_records() -> list[dict[str, Any]]:
    """Eight chains a -> b -> c of `part_of`, each closed by `extends` a -> c, except chain 0."""
    records = [concept(n) for n in range(24)]
    for chain in range(8):
        a, b, c = 3 * chain, 3 * chain + 1, 3 * chain + 2
        records += [edge(a, "part_of", b), edge(b, "part_of", c)]
        if chain:
            records.append(edge(a, "extends", c))
    return records


@pytest.fixture
def own_settings(settings: Settings, tmp_path: Path) -> Settings:
    """A state folder of the test's own: its model must not meet another test's."""
    return settings.model_copy(update={"state_dir": tmp_path / "state", "api_key": API_KEY})


@pytest.fixture
def api(own_settings: Settings, db) -> Iterator[TestClient]:
    with TestClient(create_app(own_settings)) as client:
        yield client


@pytest.fixture
def cli_env(own_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`atlas` commands in the test reach the test's database and state folder."""
    for name, value in {
        "NEO4J_URI": own_settings.neo4j_uri,
        "NEO4J_USER": own_settings.neo4j_user,
        "NEO4J_PASSWORD": own_settings.neo4j_password,
        "ATLAS_STATE_DIR": str(own_settings.state_dir),
    }.items():
        monkeypatch.setenv(name, value or "")


def link_suggestion(api: TestClient, entity: str, item: dict[str, Any]) -> Any:
    """Link a suggested edge through the curation API, as its form on the page does."""
    source, target = (entity, item["id"]) if item["direction"] == "out" else (item["id"], entity)
    link = api.post(
        "/decisions/link",
        json={"source": source, "target": target, "type": item["relation_type"], "why": "suggested"},
        headers=HEADERS,
    )
    assert link.status_code == 200, link.json()
    return link


def fitted(db, queries, own_settings: Settings) -> SuggestionService:
    service = SuggestionService(db, queries, own_settings.suggester_dir)
    service.fit()
    return service


def test_the_missing_direction_of_a_symmetric_relation_is_suggested_first(
    db, ingest, queries, own_settings, api, tmp_path: Path
) -> None:
    ingest(write_records(tmp_path / "graph.jsonl", symmetric_records()))
    fitted(db, queries, own_settings)
    items = api.get("/entities/concept:c01/suggestions").json()["items"]
    assert (items[0]["id"], items[0]["relation_type"], items[0]["direction"]) == (
        "concept:c00",
        "analogous_to",
        "out",
    )
    assert set(items[0]) >= {"id", "name", "type", "relation_type", "direction", "score"}


def test_a_relation_that_always_closes_a_path_is_suggested_where_the_path_is_open(
    db, ingest, queries, own_settings, api, tmp_path: Path
) -> None:
    ingest(write_records(tmp_path / "graph.jsonl", path_records()))
    fitted(db, queries, own_settings)
    items = api.get("/entities/concept:c00/suggestions", params={"direction": "out"}).json()["items"]
    assert (items[0]["id"], items[0]["relation_type"]) == ("concept:c02", "extends")
    heads = api.get("/entities/concept:c02/suggestions", params={"relation_type": "extends"}).json()
    assert heads["items"][0]["id"] == "concept:c00" and heads["items"][0]["direction"] == "in"
    assert {i["relation_type"] for i in heads["items"]} == {"extends"}


def test_existing_dismissed_and_merged_entities_are_never_suggested(
    db, ingest, queries, own_settings, api, tmp_path: Path
) -> None:
    ingest(write_records(tmp_path / "graph.jsonl", symmetric_records()))
    fitted(db, queries, own_settings)

    def suggested(entity: str) -> list[tuple[str, str, str]]:
        answer = api.get(f"/entities/{entity}/suggestions", params={"limit": 100}).json()
        return [(i["relation_type"], i["direction"], i["id"]) for i in answer["items"]]

    existing = {
        (r["type"], "out" if r["source"] == "concept:c03" else "in", r["other"])
        for r in db.read(
            "MATCH (e:Entity {id: 'concept:c03'})-[r]-(o) "
            "RETURN toLower(type(r)) AS type, startNode(r).id AS source, o.id AS other"
        )
    }
    assert existing and not existing & set(suggested("concept:c03"))

    neighbors = {r["o"] for r in db.read("MATCH ({id: 'concept:c11'})--(o) RETURN o.id AS o")}
    unlinked = next(other for _, _, other in suggested("concept:c11") if other not in neighbors)
    dismissal = {"a": "concept:c11", "b": unlinked}
    api.post("/decisions/dismiss", json=dismissal, headers=HEADERS).raise_for_status()
    assert unlinked not in {other for _, _, other in suggested("concept:c11")}
    assert "concept:c11" not in {other for _, _, other in suggested(unlinked)}

    api.post(
        "/decisions/merge", json={"duplicate": "concept:c05", "canonical": "concept:c04"}, headers=HEADERS
    ).raise_for_status()
    for entity in ("concept:c01", "concept:c10", "concept:c20"):
        assert "concept:c05" not in {other for _, _, other in suggested(entity)}
    assert api.get("/entities/concept:c05/suggestions", follow_redirects=False).status_code == 307


def test_a_suggestion_linked_then_undone_restores_the_seed_graph_exactly(
    seeded, queries, own_settings, api
) -> None:
    fitted(seeded, queries, own_settings)
    entity = "concept:alignment-faking"
    answer = api.get(f"/entities/{entity}/suggestions").json()
    assert answer["items"] and answer["model"]["current"] is True
    page = api.get(f"/entities/{entity}").json()
    linked = {
        (r["type"], r["direction"], n["id"])
        for g in page["neighborhood"]["groups"]
        for n in g["neighbors"]
        for r in n["relations"]
    }
    assert not linked & {(i["relation_type"], i["direction"], i["id"]) for i in answer["items"]}

    before = graph_state(seeded)
    first = answer["items"][0]
    link = link_suggestion(api, entity, first)
    after = api.get(f"/entities/{entity}/suggestions").json()
    assert after["model"]["current"] is False  # the graph moved on since the fit
    assert (first["relation_type"], first["direction"], first["id"]) not in {
        (i["relation_type"], i["direction"], i["id"]) for i in after["items"]
    }
    undo = api.post(f"/decisions/{link.json()['decision']['id']}/undo", json={}, headers=HEADERS)
    assert undo.status_code == 200
    assert graph_state(seeded) == before


def test_the_fit_stores_each_entitys_suggestions_for_browser_and_the_cypher_file_drops_a_linked_one(
    seeded, queries, own_settings, api
) -> None:
    fitted(seeded, queries, own_settings)
    entity = "concept:alignment-faking"

    def stored() -> list[tuple[str, str, str]]:
        rows = seeded.read(queries["suggestions"], id=entity, limit=10)
        return [(r["relation_type"], r["direction"], r["id"]) for r in rows]

    live = api.get(f"/entities/{entity}/suggestions").json()
    assert live["model"]["current"] is True  # storing them did not make the model look stale
    assert stored() == [(i["relation_type"], i["direction"], i["id"]) for i in live["items"]]
    first = live["items"][0]
    link_suggestion(api, entity, first)
    assert stored()[:9] == [(i["relation_type"], i["direction"], i["id"]) for i in live["items"][1:]]


def edge_of(item: Any) -> tuple[str, str, str, str]:
    return (item.id, item.relation_type, item.direction, item.kind)


def test_the_best_edges_kept_at_the_fit_answer_as_the_model_would_before_and_after_a_change(
    seeded, queries, own_settings, api, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = fitted(seeded, queries, own_settings)
    entities = [r["id"] for r in seeded.read("MATCH (e:Entity) RETURN e.id AS id ORDER BY id LIMIT 12")]

    def models_own(entity_id: str, **ask: Any) -> list[Any]:
        with monkeypatch.context() as patched:
            patched.setattr(SuggestionService, "_from_best", lambda *_: None)
            return service.suggestions(entity_id, **ask).items

    def same(kept: list[Any], live: list[Any]) -> None:
        assert [edge_of(i) for i in kept] == [edge_of(i) for i in live]
        assert [i.score for i in kept] == pytest.approx([i.score for i in live], abs=1e-4)

    for entity_id in entities:
        for limit in (1, 4, 10):
            same(service.suggestions(entity_id, limit=limit).items, models_own(entity_id, limit=limit))

    model = service._model()
    assert model is not None and model.best is not None

    def no_model(*_: Any, **__: Any) -> Any:
        raise AssertionError("the model was asked")

    entity = "concept:alignment-faking"
    with monkeypatch.context() as patched:
        patched.setattr(model.model, "top_k", no_model)
        answer = service.suggestions(entity)
        assert answer.model is not None and answer.model.current and len(answer.items) == 10
        with pytest.raises(AssertionError, match="the model was asked"):  # filtered: not what was kept
            service.suggestions(entity, relation_type=answer.items[0].relation_type)
        with pytest.raises(AssertionError, match="the model was asked"):  # more than was kept
            service.suggestions(entity, limit=11)
        link_suggestion(api, entity, answer.items[0].model_dump())
        after = service.suggestions(entity)  # the model is the same: its kept edges still answer
        assert after.model is not None and not after.model.current
    assert edge_of(answer.items[0]) not in {edge_of(i) for i in after.items}
    same(after.items, models_own(entity))


def test_the_entity_page_offers_each_suggestion_with_its_relation_and_direction_preselected(
    seeded, queries, own_settings, api
) -> None:
    fitted(seeded, queries, own_settings)
    first = api.get("/entities/concept:alignment-faking/suggestions").json()["items"][0]
    html = api.get("/e/concept:alignment-faking").text
    assert "Suggested edges (10)" in html
    section = html[html.index('class="suggestions"') :]
    assert f'<option value="{first["relation_type"]}" selected>' in section
    assert first["name"] in section


def test_without_a_model_the_answer_says_how_to_make_one_and_unknown_ids_are_404(seeded, api) -> None:
    answer = api.get("/entities/concept:alignment-faking/suggestions").json()
    assert answer["items"] == [] and answer["model"] is None and "atlas suggest fit" in answer["note"]
    assert api.get("/entities/concept:nope/suggestions").status_code == 404
    assert (
        api.get("/entities/concept:alignment-faking/suggestions", params={"relation_type": "x"}).status_code
        == 422
    )


def test_atlas_suggest_fit_then_suggest_id_prints_the_api_answer(seeded, api, cli_env) -> None:
    runner = CliRunner()
    fit = runner.invoke(app, ["suggest", "fit", "--json"])
    assert fit.exit_code == 0, fit.output
    report = json.loads(fit.stdout)
    assert report["entities"] == 62 and report["edges"] == 109 and report["seconds"] > 0
    shown = runner.invoke(app, ["suggest", "concept:alignment-faking", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == api.get("/entities/concept:alignment-faking/suggestions").json()
    missing = runner.invoke(app, ["suggest", "concept:nope"])
    assert missing.exit_code == 4 and "no entity" in missing.output


def test_a_merged_entity_answers_with_its_canonicals_suggestions_in_the_api_and_the_cli(
    seeded, queries, own_settings, api, cli_env
) -> None:
    fitted(seeded, queries, own_settings)
    duplicate, canonical = "concept:strategic-deception", "concept:evaluation-awareness"
    merge = {"duplicate": duplicate, "canonical": canonical}
    api.post("/decisions/merge", json=merge, headers=HEADERS).raise_for_status()
    own = api.get(f"/entities/{canonical}/suggestions").json()
    redirect = api.get(f"/entities/{duplicate}/suggestions", follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"].endswith(
        f"/entities/{canonical}/suggestions"
    )
    assert api.get(f"/entities/{duplicate}/suggestions").json() == own
    shown = CliRunner().invoke(app, ["suggest", duplicate, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == own
    text = CliRunner().invoke(app, ["suggest", duplicate])
    assert f"was merged into '{canonical}'" in text.stdout


def test_a_declined_edge_is_never_suggested_again_and_undo_brings_it_back(
    db, ingest, queries, own_settings, api, tmp_path: Path
) -> None:
    ingest(write_records(tmp_path / "graph.jsonl", symmetric_records()))
    fitted(db, queries, own_settings)
    before = graph_state(db)

    def top() -> tuple[str, str, str]:
        item = api.get("/entities/concept:c01/suggestions").json()["items"][0]
        return item["relation_type"], item["direction"], item["id"]

    assert top() == ("analogous_to", "out", "concept:c00")  # the pair is linked the other way
    declined = {"a": "concept:c01", "b": "concept:c00", "type": "analogous_to", "why": "not here"}
    response = api.post("/decisions/dismiss", json=declined, headers=HEADERS)
    assert response.status_code == 200, response.json()
    assert top() != ("analogous_to", "out", "concept:c00")
    again = api.post("/decisions/dismiss", json=declined, headers=HEADERS)
    assert again.status_code == 409 and "already dismissed" in again.json()["error"]["message"]
    existing = {"a": "concept:c00", "b": "concept:c01", "type": "analogous_to"}
    assert api.post("/decisions/dismiss", json=existing, headers=HEADERS).status_code == 409

    refit = fitted(db, queries, own_settings)  # the declined edge is a negative example now
    assert refit.suggestions("concept:c01").items[0].id != "concept:c00" or (
        refit.suggestions("concept:c01").items[0].relation_type != "analogous_to"
    )
    undo = api.post(f"/decisions/{response.json()['decision']['id']}/undo", json={}, headers=HEADERS)
    assert undo.status_code == 200
    assert graph_state(db) == before
