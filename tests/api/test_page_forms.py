"""The entity page's curation forms as a form user meets them: a refusal in their words with what
they typed kept, a notice after each decision; and the similar section's hint when it is empty."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db import Database
from core.settings import Settings
from tests.conftest import SeedGraph

API_KEY = "page-form-key-0123456789"
PAGE_ID = "concept:alignment-faking"


@pytest.fixture
def keyed(settings: Settings, db: Database, seed_graph: SeedGraph) -> Iterator[TestClient]:
    seed_graph.load()
    with TestClient(create_app(settings.model_copy(update={"api_key": API_KEY}))) as client:
        yield client


def decisions(db: Database) -> int:
    return int(db.read("MATCH (d:Decision) RETURN count(d) AS n")[0]["n"])


def similar_id(client: TestClient) -> str:
    items = client.get(f"/entities/{PAGE_ID}").json()["similar"]["items"]
    assert items, "the seed page has similar entities to curate"
    return str(items[0]["id"])


def form_of(page: str, other: str) -> str:
    """The curate form of the similar entity `other`, from <details> to </details>."""
    found = re.search(
        r'<details class="curate"[^>]*>((?:(?!</details>).)*name="other" value="'
        + re.escape(other)
        + r'".*?)</details>',
        page,
        re.S,
    )
    assert found, f"no curate form for {other}"
    return found.group(0)


def test_a_wrong_key_is_explained_to_a_form_user_and_what_was_typed_stays(keyed, db) -> None:
    other = similar_id(keyed)
    typed = {
        "action": "link", "other": other, "relation_type": "extends", "direction": "in",
        "description": "typed <by hand>", "why": "seen on the page", "who": "ana", "api_key": "wrong",
    }  # fmt: skip
    response = keyed.post(f"/e/{PAGE_ID}/decisions", data=typed, follow_redirects=False)
    assert response.status_code == 401 and "text/html" in response.headers["content-type"]
    page = response.text
    assert "X-API-Key" not in page and "in the header" not in page
    assert "into the API key field" in page
    form = form_of(page, other)
    assert form.startswith('<details class="curate" open>') and 'class="form-error"' in form
    assert 'value="typed &lt;by hand&gt;"' in form
    assert 'value="seen on the page"' in form and 'value="ana"' in form
    assert '<option value="extends" selected>' in form and '<option value="in" selected>' in form
    assert 'name="api_key" type="password" autocomplete="current-password" required value=""' in form
    assert decisions(db) == 0


def test_a_refused_decision_says_why_and_keeps_the_key_typed(keyed, db) -> None:
    other = similar_id(keyed)
    typed = {"action": "link", "other": other, "relation_type": "no_such_type", "api_key": API_KEY}
    response = keyed.post(f"/e/{PAGE_ID}/decisions", data=typed, follow_redirects=False)
    assert response.status_code in (409, 422)
    form = form_of(response.text, other)
    assert "Not done:" in form and "no_such_type" in unescape(form)
    assert f'value="{API_KEY}"' in form
    assert decisions(db) == 0


def notice(client: TestClient, response) -> str:
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert urlsplit(location).path == f"/e/{PAGE_ID}"
    page = client.get(location, headers={"Accept": "text/html"}).text
    found = re.search(r'<p class="notice[^"]*" role="status" id="notice">(.*?)</p>', page, re.S)
    assert found, "the page shows a notice"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def post(client: TestClient, **form: str):
    return client.post(f"/e/{PAGE_ID}/decisions", data={**form, "api_key": API_KEY}, follow_redirects=False)


def test_each_decision_leaves_a_notice_on_the_page_it_reloads(keyed, db) -> None:
    other = similar_id(keyed)
    linked = post(keyed, action="link", other=other, relation_type="extends", direction="out")
    text = notice(keyed, linked)
    assert text.startswith(f"Linked: {PAGE_ID} extends → {other} (decision 1).")
    decision = parse_qs(urlsplit(linked.headers["location"]).query)["decided"][0]
    text = notice(keyed, post(keyed, action="undo", decision=decision))
    assert text.startswith(f"Undone: decision 1 (link of {PAGE_ID} and {other})")
    text = notice(keyed, post(keyed, action="dismiss", other=other))
    assert text.startswith(f"Dismissed: {PAGE_ID} and {other} are marked not related (decision 2).")
    assert notice(keyed, post(keyed, action="merge_other", other=other)).startswith(
        f"Merged {other} into {PAGE_ID} (decision 3)"
    )


def test_a_notice_names_only_a_stored_decision(keyed) -> None:
    page = keyed.get(f"/e/{PAGE_ID}?decided=<script>alert(1)</script>", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="notice"' not in page.text and "<script>alert" not in page.text


def test_an_empty_similar_list_hints_at_the_nearest_entities_below_the_threshold(
    client: TestClient, ingest, tmp_path: Path
) -> None:
    records = [
        {"kind": "entity", "type": "concept", "name": "Sourdough Baking",
         "description": "Leavening bread with a fermented starter of flour and water."},
        {"kind": "entity", "type": "concept", "name": "Plate Tectonics",
         "description": "The slow movement of the lithosphere's plates over the mantle."},
        {"kind": "entity", "type": "concept", "name": "Baroque Counterpoint",
         "description": "Independent melodic lines woven together in 17th-century music."},
    ]  # fmt: skip
    path = tmp_path / "far.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest(path)
    data = client.get("/entities/concept:sourdough-baking").json()
    assert data["similar"]["count"] == 0
    nearest = client.get("/entities/concept:sourdough-baking/similar?threshold=-1&limit=3").json()["items"]
    page = unescape(client.get("/e/concept:sourdough-baking").text)
    hint = re.search(r'<p class="note nearest">(.*?)</p>', page, re.S)
    assert hint, "the empty similar section hints at the nearest entities"
    text = " ".join(re.sub(r"<[^>]+>", "", hint.group(1)).split())
    assert text.startswith("None reaches cosine 0.65. Nearest below it:")
    assert [n["id"] for n in nearest] == [
        "concept:" + s for s in re.findall(r"/e/concept:([\w-]+)", hint.group(1))
    ]
    for item in nearest:
        assert f"{item['name']} {item['score']:.3f}" in text
    # the page's own similar search brings them: the same three as a search below any threshold
    assert data["similar"]["nearest"] == nearest
