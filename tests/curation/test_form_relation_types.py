"""The entity page's link form offers the relation types of this graph's schema, in its order, and
follows the schema stored in the graph without a restart: never the types of other datasets. A
misspelt relation type of a decision is answered with this graph's closest type."""

from __future__ import annotations

import re

import pytest

from core.db import Database
from core.queries import Queries
from core.schema import Schema, read_schema_file, store_schema
from curation.errors import InvalidDecision
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


def test_a_misspelt_relation_type_of_a_link_suggests_this_graphs_closest(curator, curation_graph) -> None:
    with pytest.raises(InvalidDecision) as raised:
        curator.link("concept:sycophancy", "concept:other", "analogus_to", who="t")
    message = str(raised.value)
    assert "unknown relation type 'analogus_to' (did you mean 'analogous_to'?)" in message
    assert "this graph's relation types: studies, associated_with" in message and "hypernym" not in message
