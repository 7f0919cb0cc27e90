"""The suggester on tiny graphs whose missing edge is known; persistence; exclusions; speed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from suggest import Suggester, Suggestion, mine_rules
from suggest.model import _largest

SPOUSE, PARENT, GRANDPARENT, KNOWS = 0, 1, 2, 3


def symmetric_graph() -> tuple[np.ndarray, int, tuple[int, int]]:
    """Ten couples married both ways, except couple (0, 1) recorded 0 -> 1 only; plus noise."""
    rng = np.random.default_rng(1)
    triples = []
    for couple in range(10):
        a, b = 2 * couple, 2 * couple + 1
        triples.append((a, SPOUSE, b))
        if couple != 0:
            triples.append((b, SPOUSE, a))
    for _ in range(30):
        a, b = rng.choice(30, 2, replace=False)
        triples.append((int(a), KNOWS, int(b)))
    return np.unique(np.array(triples), axis=0), 30, (1, 0)


def path_graph() -> tuple[np.ndarray, int, tuple[int, int]]:
    """Eight families g -> p -> (c1, c2); grandparent(g, c) for all but (g0, c1 of family 0)."""
    triples = []
    for family in range(8):
        g, p, c1, c2 = 4 * family, 4 * family + 1, 4 * family + 2, 4 * family + 3
        triples += [(g, PARENT, p), (p, PARENT, c1), (p, PARENT, c2), (g, GRANDPARENT, c2)]
        if family != 0:
            triples.append((g, GRANDPARENT, c1))
    return np.array(triples), 32, (0, 2)


def test_symmetric_relation_missing_direction_ranks_first() -> None:
    triples, n, (head, tail) = symmetric_graph()
    suggester = Suggester.fit(triples, n, 4)
    best = suggester.top_k(head, 1, relation=SPOUSE, direction="tail")
    assert [(s.entity, s.relation, s.direction) for s in best] == [(tail, SPOUSE, "tail")]
    assert int(np.argmax(suggester.scores([head], SPOUSE)[0])) == tail


def test_relation_that_follows_a_two_hop_path_ranks_first() -> None:
    triples, n, (head, tail) = path_graph()
    suggester = Suggester.fit(triples, n, 4)
    best = suggester.top_k(head, 1, relation=GRANDPARENT)
    assert [(s.entity, s.relation, s.direction) for s in best] == [(tail, GRANDPARENT, "tail")]
    # and from the other end: who is the grandparent of c1?
    best_head = suggester.top_k(tail, 1, relation=GRANDPARENT, direction="head")
    assert [(s.entity, s.direction) for s in best_head] == [(head, "head")]


def test_rules_are_mined_with_their_confidence() -> None:
    triples, n, _ = path_graph()
    rules = mine_rules(triples, n, 4)
    best = next(r for r in rules if r.head == GRANDPARENT)
    assert best.body == (PARENT, PARENT)
    assert best.support == 15 and best.body_count == 16


def test_rules_score_a_batch_of_mixed_relations_as_each_query_alone() -> None:
    triples, n, _ = path_graph()
    symmetric, m, _ = symmetric_graph()
    both = np.concatenate([triples, symmetric + np.array([n, 0, n])])  # two graphs side by side
    suggester = Suggester.fit(both, n + m, 4)
    scorer = suggester.rule_scorer()
    assert {len(rule.body) for rule in suggester.rules} == {1, 2}  # one-step and two-step bodies
    entities = np.array([0, 2, n + 1, n, 4, 0])
    relations = np.array([GRANDPARENT, GRANDPARENT + 4, SPOUSE, SPOUSE, PARENT, KNOWS])
    batch = scorer.scores(entities, relations)
    for row in range(len(entities)):
        alone = scorer.scores(entities[row : row + 1], relations[row : row + 1])[0]
        np.testing.assert_array_equal(batch[row], alone)
    assert batch[0, 2] > 0 and batch[2, n] > 0  # grandparent(0, c1) by the path; spouse(n+1, n) by symmetry


def test_top_k_never_suggests_existing_dismissed_merged_or_self() -> None:
    triples, n, (head, tail) = symmetric_graph()
    dismissed = np.array([[head, SPOUSE, tail]])
    suggester = Suggester.fit(triples, n, 4, dismissed=dismissed)
    existing = {tuple(t) for t in triples.tolist()}
    merged = [5, 7]
    for entity in range(n):
        for s in suggester.top_k(entity, 15, exclude=dismissed, exclude_entities=merged):
            edge = (entity, s.relation, s.entity) if s.direction == "tail" else (s.entity, s.relation, entity)
            assert edge not in existing
            assert edge != (head, SPOUSE, tail)
            assert s.entity not in merged and s.entity != entity


def test_a_type_mask_leaves_each_kinds_ranking_less_the_edges_it_rules_out() -> None:
    """Kinds of edge with no admissible other end are skipped, not scored; within a kind, the
    answer is the full ranking with the inadmissible edges taken out (the scores, normalised over
    what may be suggested, differ)."""
    triples, n, _ = symmetric_graph()
    suggester = Suggester.fit(triples, n, 4)
    admissible = np.zeros((8, n), dtype=np.bool_)  # relation codes in [0, 2R)
    admissible[KNOWS, ::2] = True  # knows, as source: even entities only
    admissible[SPOUSE + 4, :] = True  # spouse, as target: anyone
    for entity in (0, 3, 11):
        for relation, direction, code in ((KNOWS, "tail", KNOWS), (SPOUSE, "head", SPOUSE + 4)):
            everything = suggester.top_k(entity, n, relation=relation, direction=direction)
            allowed = [s.entity for s in everything if admissible[code, s.entity]]
            masked = suggester.top_k(entity, 5, relation=relation, direction=direction, admissible=admissible)
            assert [s.entity for s in masked] == allowed[:5]
        kinds = {(s.relation, s.direction) for s in suggester.top_k(entity, 4 * n, admissible=admissible)}
        assert kinds <= {(KNOWS, "tail"), (SPOUSE, "head")}
    assert suggester.top_k(0, 10, relation=PARENT, admissible=admissible) == []


def test_a_kind_whose_scores_all_run_higher_does_not_crowd_out_the_others() -> None:
    """Across kinds of edge, a kind counts by how its other ends compare with each other and by
    how common it is, not by the scale its weights give: the same answer when one kind's scores
    are all raised by a constant."""
    triples, n, (head, _) = symmetric_graph()
    suggester = Suggester.fit(triples, n, 4)
    before = suggester.top_k(head, 8)
    score = suggester.scores_by_relation

    def raised(entities: np.ndarray, relations: np.ndarray) -> np.ndarray:
        values = score(entities, relations)
        values[relations == KNOWS] += 100.0
        return values

    suggester.scores_by_relation = raised  # type: ignore[method-assign]
    after = suggester.top_k(head, 8)
    assert [(s.entity, s.relation, s.direction) for s in after] == [
        (s.entity, s.relation, s.direction) for s in before
    ]
    assert np.allclose([s.score for s in after], [s.score for s in before], atol=1e-4)
    assert {(s.relation, s.direction) for s in before} != {(KNOWS, "tail")}


def test_scoring_many_entities_at_once_gives_each_entitys_own_top_k() -> None:
    triples, n, _ = symmetric_graph()
    suggester = Suggester.fit(triples, n, 4, embeddings=np.random.default_rng(2).standard_normal((n, 8)))
    dismissed = np.array([[1, SPOUSE, 0]])
    masks = {entity: np.random.default_rng(entity).random((8, n)) < 0.5 for entity in range(n)}
    masks[4][:] = False  # an entity with nothing to suggest
    each = list(
        suggester.top_k_each(np.arange(n), 5, exclude=dismissed, admissible=masks.get, rows_per_batch=20)
    )
    one_by_one = [suggester.top_k(e, 5, exclude=dismissed, admissible=masks[e]) for e in range(n)]

    # the same edges in the same order; scores equal up to float rounding (a batch's matrix product)
    def edges(lists: list[list[Suggestion]]) -> list[list[tuple[int, int, str]]]:
        return [[(s.entity, s.relation, s.direction) for s in found] for found in lists]

    assert edges(each) == edges(one_by_one)
    scores = [s.score for found in each for s in found]
    assert np.allclose(scores, [s.score for found in one_by_one for s in found], rtol=1e-5)
    assert each[4] == [] and all(len(found) == 5 for e, found in enumerate(each) if e != 4)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    triples, n, (head, _) = path_graph()
    names = [f"person {i}" for i in range(n)]
    embeddings = np.random.default_rng(0).standard_normal((n, 8)).astype(np.float32)
    suggester = Suggester.fit(triples, n, 4, embeddings=embeddings, names=names, revision="rev-42")
    suggester.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["arrays.npz", "suggester.json"]
    loaded = Suggester.load(tmp_path / "model")
    assert loaded.revision == "rev-42"
    assert loaded.train_seconds == suggester.train_seconds > 0
    np.testing.assert_allclose(
        loaded.scores([head], GRANDPARENT), suggester.scores([head], GRANDPARENT), rtol=1e-3, atol=1e-3
    )
    assert loaded.top_k(head, 3) == suggester.top_k(head, 3) or [s.entity for s in loaded.top_k(head, 3)] == [
        s.entity for s in suggester.top_k(head, 3)
    ]


def test_seed_sized_graph_fits_in_seconds() -> None:
    rng = np.random.default_rng(0)
    triples = np.unique(
        np.stack([rng.integers(0, 60, 110), rng.integers(0, 12, 110), rng.integers(0, 60, 110)], axis=1),
        axis=0,
    )
    triples = triples[triples[:, 0] != triples[:, 2]]
    embeddings = rng.standard_normal((60, 384)).astype(np.float32)
    started = time.perf_counter()
    suggester = Suggester.fit(triples, 60, 12, embeddings=embeddings, names=[f"e{i}" for i in range(60)])
    assert time.perf_counter() - started < 10
    assert len(suggester.top_k(0, 10)) == 10


def test_the_largest_values_are_found_whatever_the_masks_ties_and_sizes() -> None:
    rng = np.random.default_rng(7)
    rows = [
        rng.standard_normal(100_000).astype(np.float32),  # the sample's floor prunes most
        np.where(rng.random(100_000) < 0.95, -np.inf, rng.standard_normal(100_000)).astype(np.float32),
        np.where(rng.random(5_000) < 0.999, -np.inf, 1.0).astype(np.float32),  # fewer than k allowed
        np.round(rng.standard_normal(50_000), 1).astype(np.float32),  # many ties at the k-th value
        np.full(10, -np.inf, dtype=np.float32),
    ]
    tight = rng.standard_normal(6_400).astype(np.float32)
    tight[::64] += 10  # the largest are all in the sample: its k-th largest is the row's
    rows.append(tight)
    for values in rows:
        for k in (1, 10, 30, 200):
            found = _largest(values, k)
            allowed = np.sort(values[values > -np.inf])[::-1]
            expected = allowed[:k]
            assert len(set(found.tolist())) == len(found) == len(expected)
            np.testing.assert_array_equal(np.sort(values[found])[::-1], expected)
