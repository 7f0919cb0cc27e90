"""The HTTP side of curation: writes need the API key (401, nothing changed, without it), reads
stay open, the entity page offers forms only when a key is configured and lists decisions."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.api_key import ensure_api_key, read_api_key
from tests.curation.conftest import API_KEY, CANONICAL, DUPLICATE, decision_count, graph_state

WRITES = [
    ("/decisions/link", {"source": "concept:sycophancy", "target": "concept:other", "type": "analogous_to"}),
    ("/decisions/dismiss", {"a": "concept:sycophancy", "b": "thinker:t1"}),
    ("/decisions/merge", {"duplicate": DUPLICATE, "canonical": CANONICAL}),
]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"X-API-Key": ""}],
    ids=["none", "wrong-header", "wrong-bearer", "empty"],
)
def test_writes_without_a_valid_key_answer_401_and_change_nothing(
    keyed_client, db, curator, curation_graph, headers
) -> None:
    decision = curator.dismiss("paper:p2", "concept:sycophancy", who="t").decision
    before, decisions = graph_state(db), decision_count(db)
    posts = [*WRITES, (f"/decisions/{decision.id}/undo", {})]
    for path, body in posts:
        response = keyed_client.post(path, json=body, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthorized"
        assert set(response.json()["error"]) >= {"status", "code", "message"}
    form = keyed_client.post(
        f"/e/{CANONICAL}/decisions",
        data={"action": "merge_other", "other": DUPLICATE, "api_key": headers.get("X-API-Key", "")},
    )
    assert form.status_code == 401 and "text/html" in form.headers["content-type"]
    assert (graph_state(db), decision_count(db)) == (before, decisions)


def test_writes_are_refused_when_no_key_is_configured(client, db, curation_graph) -> None:
    before = graph_state(db)
    for path, body in WRITES:
        response = client.post(path, json=body, headers={"X-API-Key": "anything"})
        assert response.status_code == 401
        assert "no API key is configured" in response.json()["error"]["message"]
    assert graph_state(db) == before and decision_count(db) == 0


def test_writes_with_the_key_take_decisions_and_undo_restores(keyed_client, db, curation_graph) -> None:
    before = graph_state(db)
    ids = []
    for n, (path, body) in enumerate(WRITES):
        headers = {"X-API-Key": API_KEY} if n % 2 else {"Authorization": f"Bearer {API_KEY}"}
        response = keyed_client.post(path, json=body | {"who": "ana", "why": "test"}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["decision"]["who"] == "ana" and response.json()["changes"]
        ids.append(response.json()["decision"]["id"])
    for decision_id in reversed(ids):
        response = keyed_client.post(
            f"/decisions/{decision_id}/undo", json={}, headers={"X-API-Key": API_KEY}
        )
        assert response.status_code == 200 and response.json()["decision"]["status"] == "undone"
    assert graph_state(db) == before


def test_dry_run_over_http_changes_nothing(keyed_client, db, curation_graph) -> None:
    before = graph_state(db)
    body = {"duplicate": DUPLICATE, "canonical": CANONICAL, "dry_run": True}
    response = keyed_client.post("/decisions/merge", json=body, headers={"X-API-Key": API_KEY})
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["decision"] is None
    assert graph_state(db) == before and decision_count(db) == 0


def test_conflicts_and_unknowns_use_the_error_shape(keyed_client, curation_graph) -> None:
    headers = {"X-API-Key": API_KEY}
    linked = keyed_client.post(
        "/decisions/link",
        json={"source": "paper:p1", "target": CANONICAL, "type": "introduces"},
        headers=headers,
    )
    assert linked.status_code == 409 and linked.json()["error"]["code"] == "conflict"
    unknown = keyed_client.post("/decisions/nope/undo", json={}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    bad = keyed_client.post("/decisions/dismiss", json={"a": CANONICAL, "b": CANONICAL}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_decision"


def test_reads_stay_open(client, curator, curation_graph) -> None:
    decision = curator.dismiss("paper:p2", "concept:sycophancy", who="t").decision
    assert client.get("/candidates").status_code == 200
    listed = client.get("/decisions", params={"entity": "paper:p2"}).json()["items"]
    assert [d["id"] for d in listed] == [decision.id]
    assert client.get(f"/decisions/{decision.id}").json()["kind"] == "dismiss"


def test_key_file_is_generated_once_with_mode_0600_and_accepted(
    settings, db, curation_graph, tmp_path
) -> None:
    fresh = settings.model_copy(update={"state_dir": tmp_path / "state", "api_key": None})
    assert read_api_key(fresh) is None
    key = ensure_api_key(fresh)
    assert stat.S_IMODE(fresh.api_key_file.stat().st_mode) == 0o600
    assert ensure_api_key(fresh) == key == read_api_key(fresh)
    with TestClient(create_app(fresh)) as client:
        body = {"a": "paper:p2", "b": "concept:sycophancy", "dry_run": True}
        assert client.post("/decisions/dismiss", json=body, headers={"X-API-Key": key}).status_code == 200
        assert (
            client.post("/decisions/dismiss", json=body, headers={"X-API-Key": key[:-1]}).status_code == 401
        )


def test_entity_page_offers_forms_only_with_a_key(client, keyed_client, curation_graph) -> None:
    html = {"Accept": "text/html"}
    [pair] = client.get("/candidates", params={"threshold": 0.65, "limit": 1}).json()["items"]
    entity_id = pair["a"]["id"]  # its page lists at least one similar entity
    assert "Curate" not in client.get(f"/e/{entity_id}", headers=html).text
    page = keyed_client.get(f"/e/{entity_id}", headers=html).text
    assert f'name="other" value="{pair["b"]["id"]}"' in page
    for action in ("link", "dismiss", "merge_other", "merge_this"):
        assert f'value="{action}"' in page
    assert 'type="password"' in page


def test_page_forms_take_decisions_and_list_them(keyed_client, db, curation_graph) -> None:
    before = graph_state(db)
    form = {
        "action": "link", "other": "concept:other", "relation_type": "analogous_to", "direction": "in",
        "description": "both about proxies", "why": "seen on the page", "who": "ana", "api_key": API_KEY,
    }  # fmt: skip
    response = keyed_client.post("/e/concept:sycophancy/decisions", data=form, follow_redirects=False)
    assert response.status_code == 303  # to the page, with a notice of the decision after "?"
    assert response.headers["location"].split("?")[0].endswith("/e/concept:sycophancy")
    rows = db.read(
        "MATCH (:Entity {id: 'concept:other'})-[r:ANALOGOUS_TO]->(:Entity {id: 'concept:sycophancy'}) "
        "RETURN r.description AS d"
    )
    assert [r["d"] for r in rows] == ["both about proxies"]
    page = keyed_client.get("/e/concept:sycophancy", headers={"Accept": "text/html"}).text
    assert "Curation decisions (1)" in page and "seen on the page" in page
    decision_id = keyed_client.get("/decisions").json()["items"][0]["id"]
    undo = {"action": "undo", "decision": decision_id, "api_key": API_KEY}
    response = keyed_client.post("/e/concept:sycophancy/decisions", data=undo, follow_redirects=False)
    assert response.status_code == 303
    assert graph_state(db) == before


def test_merging_the_page_entity_redirects_to_the_canonical(keyed_client, curation_graph) -> None:
    form = {"action": "merge_this", "other": CANONICAL, "api_key": API_KEY}
    response = keyed_client.post(f"/e/{DUPLICATE}/decisions", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].split("?")[0].endswith(f"/e/{CANONICAL}")
    page = keyed_client.get(f"/e/{CANONICAL}", headers={"Accept": "text/html"}).text
    assert f"<code>{DUPLICATE}</code> into <code>{CANONICAL}</code>" in page
