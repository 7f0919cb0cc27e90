"""The full-text index: built with the English analyzer, rebuilt by ingest when it was not."""

from __future__ import annotations

from core.db import Database
from core.queries import Queries
from graph.search import Searcher, SearchMode
from ingest.pipeline import Ingester, read_all
from ingest.text_index import TEXT_ANALYZER
from tests.conftest import SEEDS


def analyzer(db: Database, queries: Queries) -> str:
    return str(db.read(queries["search_text_index"])[0]["analyzer"])


def test_ingest_rebuilds_an_index_made_with_another_analyzer_and_says_so(
    db: Database, queries: Queries, ingester: Ingester
) -> None:
    # An index as an older Atlas made it: same name, standard analyzer, no stemming.
    db.write(queries["search_drop_text_index"])
    db.write(
        "CREATE FULLTEXT INDEX entity_text FOR (n:Entity) ON EACH [n.name, n.aliases, n.description]"
        " OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard'}}"
    )
    assert analyzer(db, queries) == "standard"
    summary = ingester.ingest_records(*read_all([SEEDS]))
    assert analyzer(db, queries) == TEXT_ANALYZER == "english"
    assert len(summary.notices) == 1
    assert "'standard'" in summary.notices[0] and "rebuilt with 'english'" in summary.notices[0]
    found = Searcher(db, queries).search("deceptive", SearchMode.text).items
    assert "concept:strategic-deception" in [hit.entity.id for hit in found]
    again = ingester.ingest_records(*read_all([SEEDS]))
    assert again.notices == [] and again.as_dict()["notices"] == []
