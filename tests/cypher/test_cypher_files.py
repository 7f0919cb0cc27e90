"""Every `cypher/*.cypher` file runs exactly as written, with the parameters of its header line.

That is what a Neo4j Browser user does: paste the `:params {...}` line, then the file. The map
literal is evaluated by Neo4j itself, as Browser does, so the test reads it the same way. Each
query runs in a transaction that is rolled back, so write queries leave the seed graph untouched.
"""

import pytest

from core.db import Database
from core.queries import Queries
from core.settings import Settings
from tests.conftest import SeedGraph

QUERIES = Queries(Settings().cypher_dir)
READS_WITH_ROWS = {
    "entity",
    "neighborhood",
    "neighborhood_graph",
    "similar",
    "search_text",
    "search_meaning",
    "stats",
    "entities",
    "existing_entities",
}


@pytest.fixture(scope="module")
def seeded(seed_graph: SeedGraph) -> Database:
    """The seed graph, loaded once for the module: every query runs in a rolled-back transaction."""
    return seed_graph.load()


def test_every_file_starts_with_an_example_params_line() -> None:
    for name in QUERIES.names():
        first_line = QUERIES[name].splitlines()[0]
        assert first_line.startswith("// :params {"), name


@pytest.mark.parametrize("name", QUERIES.names())
def test_file_runs_unchanged_with_its_header_parameters(seeded, name: str) -> None:
    params_literal = QUERIES.example_params_map(name)
    with seeded.driver.session(database=seeded.database) as session:
        params = session.run(f"RETURN {params_literal} AS params").single()["params"]  # type: ignore[index]
        if "IN TRANSACTIONS" in QUERIES[name]:
            # Commits as it goes, so it cannot run in a transaction (Browser: `:auto`). The only
            # such file fills what the seed graph already has, so it must change nothing here.
            summary = session.run(QUERIES[name], params).consume()
            assert not summary.counters.contains_updates, f"{name}.cypher changed the seed graph"
            return
        transaction = session.begin_transaction()
        try:
            rows = transaction.run(QUERIES[name], params).data()
        finally:
            transaction.rollback()
    if name in READS_WITH_ROWS:
        assert rows, f"{name}.cypher returned nothing for its example parameters"
