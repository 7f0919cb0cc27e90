"""The entity page's link form offers the relation types of this graph's schema, in its order, and
follows the schema stored in the graph without a restart: never the types of other datasets."""

from __future__ import annotations

import re

from core.db import Database
from core.queries import Queries
from core.schema import Schema, read_schema_file, store_schema
from tests.conftest import SEEDS


def offered_relation_types(page: str) -> list[str]:
    select = re.search(r'<select name="relation_type">(.*?)</select>', page, re.S)
    assert select is not None, "no link form on the page"
    return re.findall(r'<option value="([a-z_]+)"', select.group(1))


def test_the_link_form_lists_only_this_graphs_relation_types(
    client, keyed_client, db: Database, queries: Queries, curation_graph
) -> None:
    [pair] = client.get("/candidates", params={"threshold": 0.65, "limit": 1}).json()["items"]
    url, html = f"/e/{pair['a']['id']}", {"Accept": "text/html"}
    seeds = read_schema_file(SEEDS / "schema.yaml")  # the schema the `db` fixture stores
    assert offered_relation_types(keyed_client.get(url, headers=html).text) == list(seeds.relation_types)
    store_schema(db, queries, seeds.extended_with(Schema(relation_types=("inspired_by",))))
    offered = offered_relation_types(keyed_client.get(url, headers=html).text)
    assert offered == [*seeds.relation_types, "inspired_by"]
    assert "airline_hub" not in offered and "hypernym" not in offered
