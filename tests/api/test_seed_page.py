"""The page Atlas started from (../shared/seed/concept-alignment-faking.txt), served from seeds/.

The expected groups, names, relation types and edge descriptions are read from the flattened page
itself, so the test checks the seeds and the whole path (ingest → Cypher → API) against the source.
"""

import re
from pathlib import Path

import pytest

from core.schema import read_schema_file, type_heading
from tests.conftest import SEEDS, SeedGraph

ROOT = Path(__file__).resolve().parents[2]
SEED_PAGE = ROOT.parent / "shared" / "seed" / "concept-alignment-faking.txt"
PAGE_ID = "concept:alignment-faking"


@pytest.fixture(scope="module")
def seed_page() -> dict:
    """The flattened page, split into its neighbourhood sections and similarity rows."""
    if not SEED_PAGE.exists():
        pytest.skip(f"seed page not found at {SEED_PAGE}")
    lines = SEED_PAGE.read_text().splitlines()
    start = lines.index("Neighborhood — ranked by edge-count")
    end = next(i for i, line in enumerate(lines) if line.startswith("Related by similarity"))
    headings = {type_heading(t): t for t in read_schema_file(SEEDS / "schema.yaml").entity_types}
    sections: dict[str, dict] = {}
    current = None
    for line in lines[start + 1 : end]:
        if match := re.fullmatch(r"(\w+) \((\d+)\)", line):
            current = headings[match.group(1)]
            sections[current] = {"count": int(match.group(2)), "rows": []}
        elif line.startswith("- ") and current:
            sections[current]["rows"].append(line[2:])
    similar_count = int(re.search(r"\((\d+)\)", lines[end]).group(1))
    similar_rows = [line[2:] for line in lines[end:] if line.startswith("- ")]
    return {"sections": sections, "similar_count": similar_count, "similar_rows": similar_rows}


@pytest.fixture(scope="module")
def page(settings, seed_graph: SeedGraph) -> dict:
    from fastapi.testclient import TestClient

    from api.app import create_app

    seed_graph.load()
    with TestClient(create_app(settings)) as client:
        return {"json": client.get(f"/entities/{PAGE_ID}").json(), "html": client.get(f"/e/{PAGE_ID}").text}


def test_groups_come_in_the_seed_order_with_the_seed_counts(page, seed_page) -> None:
    groups = [(g["type"], g["count"]) for g in page["json"]["neighborhood"]["groups"]]
    expected = [(t, s["count"]) for t, s in seed_page["sections"].items()]
    assert (
        groups
        == expected
        == [
            ("paper", 2),
            ("thinker", 3),
            ("framework", 1),
            ("method", 1),
            ("concept", 13),
            ("artifact", 2),
            ("quote", 2),
        ]
    )


def test_every_neighbour_shows_its_name_relation_and_edge_description_as_on_the_seed(page, seed_page) -> None:
    for group in page["json"]["neighborhood"]["groups"]:
        rows = seed_page["sections"][group["type"]]["rows"]
        if not rows:  # the papers' rows were lost in the flattening
            continue
        shown = []
        for neighbour in group["neighbors"]:
            [relation] = neighbour["relations"]
            if group["type"] in ("artifact", "quote"):  # the page shows these by their description
                shown.append(neighbour["description"])
            else:
                shown.append(f"{neighbour['name']}{relation['type']}{relation['description']}")
        assert sorted(shown) == sorted(rows), group["type"]


def test_the_papers_are_the_two_real_papers(page) -> None:
    [papers] = [g for g in page["json"]["neighborhood"]["groups"] if g["type"] == "paper"]
    names = {n["name"] for n in papers["neighbors"]}
    assert names == {
        "Alignment faking in large language models",
        "Why Do Some Language Models Fake Alignment While Others Don't?",
    }


def test_the_entity_header_matches_the_seed(page) -> None:
    entity = page["json"]["entity"]
    assert (entity["type"], entity["status"], entity["id"], entity["name"]) == (
        "concept",
        "active",
        PAGE_ID,
        "Alignment Faking",
    )
    assert entity["description"] == (
        "Core phenomenon studied: model selectively complies with training "
        "objective to prevent modification of its out-of-training preferences"
    )


def test_the_eight_similar_entities_of_the_seed_exist_with_no_typed_edge(page, seed_page, session_db) -> None:
    rows = set(seed_page["similar_rows"])  # a description, or name + type + score + description
    assert len(rows) == seed_page["similar_count"] == 8
    found = session_db.read(
        "MATCH (n:Entity) "
        "WHERE any(row IN $rows WHERE row = n.description OR row STARTS WITH n.name + n.type) "
        "RETURN n.id AS id, EXISTS { (n)--(:Entity {id: $page}) } AS linked",
        rows=list(rows),
        page=PAGE_ID,
    )
    assert len(found) == 8
    assert not any(row["linked"] for row in found)


def test_similar_lists_only_seed_candidates_at_or_above_the_threshold(page, seed_page, session_db) -> None:
    """With all-MiniLM-L6-v2 and "name: description", six of the eight pass 0.65; the two whose
    name and description the seed page fixes verbatim (the jailbreak claim and the open question)
    score 0.53 and 0.63 here: the page's 0.809/0.808 came from another embedding."""
    similar = page["json"]["similar"]
    rows = " ".join(seed_page["similar_rows"])
    assert all(item["score"] >= 0.65 for item in similar["items"])
    for item in similar["items"]:
        assert item["name"] in rows or item["description"] in rows, item
    assert similar["count"] == len(similar["items"]) >= 6


def test_the_html_page_shows_the_same_sections(page, seed_page) -> None:
    html = page["html"]
    for entity_type, section in seed_page["sections"].items():
        assert f"{type_heading(entity_type)} ({section['count']})" in html
    assert f"Related by similarity ({page['json']['similar']['count']})" in html
    assert 'Neighborhood <span class="sub">— ranked by edge-count</span>' in html
