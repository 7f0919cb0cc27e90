"""The synthetic scale graph: deterministic, power-law, with hubs, and valid Atlas input."""

import statistics
from collections import Counter

import pytest

from ingest.sources.synthetic import SCHEMA, SyntheticSpec, generate
from ingest.validate import validate

SPEC = SyntheticSpec(entities=5_000, relations=30_000, hubs=2, hub_degree=3_000)


@pytest.fixture(scope="module")
def graph():
    records = generate(SPEC)
    valid, invalid = validate(records, lambda ids: set(), SCHEMA)
    assert invalid == []
    return valid


def test_the_same_seed_gives_the_same_records_and_another_seed_others() -> None:
    small = SyntheticSpec(entities=300, relations=1_000, seed=3)
    again = SyntheticSpec(entities=300, relations=1_000, seed=3)
    other = SyntheticSpec(entities=300, relations=1_000, seed=4)
    assert [r.data for r in generate(small)] == [r.data for r in generate(again)]
    assert [r.data for r in generate(small)] != [r.data for r in generate(other)]


def test_counts_are_exactly_the_spec_with_no_self_loop_or_duplicate(graph) -> None:
    assert len(graph.entities) == SPEC.entities
    assert len(graph.relations) == SPEC.relations
    triples = {(r.source, r.type, r.target) for r in graph.relations}
    assert len(triples) == SPEC.relations
    assert all(r.source != r.target for r in graph.relations)


def test_hubs_take_part_in_at_least_hub_degree_relations(graph) -> None:
    degree = Counter(r.source for r in graph.relations) + Counter(r.target for r in graph.relations)
    hubs = [entity.entity_id for entity in graph.entities[: SPEC.hubs]]
    assert all(degree[hub] >= SPEC.hub_degree for hub in hubs)
    assert all(entity.type == "concept" for entity in graph.entities[: SPEC.hubs])


def test_degrees_follow_a_heavy_tail(graph) -> None:
    degree = Counter(r.source for r in graph.relations) + Counter(r.target for r in graph.relations)
    hubs = {entity.entity_id for entity in graph.entities[: SPEC.hubs]}
    others = sorted((d for entity_id, d in degree.items() if entity_id not in hubs), reverse=True)
    top_percent = others[: len(graph.entities) // 100]
    # Uniform degrees would give the top 1% about 1% of the endpoints; a power law gives far more.
    assert sum(top_percent) > 0.10 * sum(others)
    assert statistics.median(others) < others[0] / 50


def test_texts_have_realistic_lengths(graph) -> None:
    description_words = [len(entity.description.split()) for entity in graph.entities]
    name_words = [len(entity.name.split()) for entity in graph.entities]
    assert 15 <= statistics.median(description_words) <= 40
    assert max(description_words) <= 150 and min(description_words) >= 5
    assert set(name_words) <= {2, 3, 4, 5}


def test_a_spec_whose_hubs_exceed_its_relations_is_refused() -> None:
    with pytest.raises(ValueError, match="2 hubs of 100 relations need at least 200 relations"):
        SyntheticSpec(entities=1_000, relations=150, hubs=2, hub_degree=100)
