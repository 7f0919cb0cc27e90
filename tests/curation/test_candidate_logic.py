"""The pure parts of graph-wide candidates (curation/candidates.py), without a database: the pair
search over a small matrix against a brute force, name keys, classification and page cursors.
Against Neo4j, with real embeddings: test_candidates.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import curation.candidates as candidates
from curation.candidates import (
    DUPLICATE_SCORE,
    Embedded,
    _decode_pair_cursor,
    _encode_pair_cursor,
    _pair_key,
    classify,
    name_keys,
    passing_pairs,
)
from curation.models import CandidatePair
from graph.cursors import InvalidCursor, encode_cursor
from graph.models import EntitySummary

TYPES = ["concept", "paper", "concept", "thinker", "paper", "concept", "claim", "concept"]


def summary(entity_id: str, entity_type: str = "concept") -> EntitySummary:
    return EntitySummary(id=entity_id, type=entity_type, name=entity_id)


def small_graph(seed: int = 3) -> Embedded:
    """Eight unnormalised float32 vectors in 6 dimensions, some of them near copies of others."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(4, 6))
    vectors = np.concatenate([base, base + rng.normal(scale=0.3, size=(4, 6))]) * rng.uniform(
        0.5, 3, size=(8, 1)
    )
    vectors = vectors.astype(np.float32)
    return Embedded(
        vectors=vectors,
        norms=np.linalg.norm(vectors.astype(np.float64), axis=1),
        summaries=[summary(f"e:{n}", t) for n, t in enumerate(TYPES)],
        names=[frozenset() for _ in TYPES],
    )


def brute_force(
    embedded: Embedded, threshold: float, type_a: str | None, type_b: str | None
) -> dict[tuple[int, int], float]:
    """Every pair i < j, cosine in float64, the type filter written out case by case."""
    vectors = embedded.vectors.astype(np.float64)
    found = {}
    for i, j in itertools.combinations(range(len(vectors)), 2):
        cosine = float(vectors[i] @ vectors[j] / (np.linalg.norm(vectors[i]) * np.linalg.norm(vectors[j])))
        x, y = TYPES[i], TYPES[j]
        if type_a is None and type_b is None:
            wanted = True
        elif type_a is None or type_b is None:
            wanted = (type_a or type_b) in (x, y)
        else:
            wanted = (x, y) in {(type_a, type_b), (type_b, type_a)}
        if cosine >= threshold and wanted:
            found[(i, j)] = cosine
    return found


@pytest.mark.parametrize("threshold", [-1.0, 0.0, 0.5, 0.9])
@pytest.mark.parametrize(
    ("type_a", "type_b"),
    [(None, None), ("concept", None), (None, "paper"), ("concept", "paper"), ("concept", "concept"),
     ("claim", "nobody"), ("nobody", None)],
)  # fmt: skip
def test_passing_pairs_equal_a_brute_force_cosine(
    threshold: float, type_a: str | None, type_b: str | None
) -> None:
    embedded = small_graph()
    found = {(p.i, p.j): p.score for p in passing_pairs(embedded, threshold, type_a, type_b)}
    expected = brute_force(embedded, threshold, type_a, type_b)
    assert set(found) == set(expected)
    for pair, score in found.items():
        assert score == pytest.approx(expected[pair], abs=1e-12)


def test_the_small_graph_has_pairs_on_both_sides_of_the_thresholds() -> None:
    """Guards the test above: it would pass vacuously if every pair scored alike."""
    scores = brute_force(small_graph(), -1.0, None, None).values()
    assert len(scores) == 28
    assert any(s >= 0.9 for s in scores) and any(s < 0 for s in scores)


@pytest.mark.parametrize(
    ("tile_rows", "cells"),
    [(2048, 9), (3, 6), (2, 10)],  # 8 rows by 1 column; 3 by 2; 2 by 5: tiles across the diagonal
)
def test_passing_pairs_are_the_same_when_the_matrix_is_cut_into_many_tiles(
    monkeypatch: pytest.MonkeyPatch, tile_rows: int, cells: int
) -> None:
    embedded = small_graph(seed=11)
    whole = [(p.i, p.j, p.score) for p in passing_pairs(embedded, 0.2, None, None)]
    monkeypatch.setattr(candidates, "TILE_ROWS", tile_rows)
    monkeypatch.setattr(candidates, "BLOCK_CELLS", cells)
    assert len(candidates.upper_tiles(len(embedded.summaries))) > 4
    shares: list[float] = []
    tiled = [(p.i, p.j, p.score) for p in passing_pairs(embedded, 0.2, None, None, shares.append)]
    assert sorted(tiled) == sorted(whole) and whole
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] < 1.0


def test_the_exact_float64_score_decides_at_the_threshold() -> None:
    vectors = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)  # cosine 0.6 exactly in float64
    cosine = float(np.float64(vectors[0]) @ np.float64(vectors[1]) / np.linalg.norm(np.float64(vectors[1])))
    embedded = Embedded(
        vectors, np.linalg.norm(vectors.astype(np.float64), axis=1), [summary("a"), summary("b")], []
    )
    assert [p.score for p in passing_pairs(embedded, cosine, None, None)] == [cosine]
    assert list(passing_pairs(embedded, np.nextafter(cosine, 1.0), None, None)) == []


def test_fewer_than_two_entities_give_no_pairs() -> None:
    one = Embedded(np.ones((1, 3), dtype=np.float32), np.ones(1), [summary("a")], [frozenset()])
    assert list(passing_pairs(one, -1.0, None, None)) == []


def test_name_keys_ignore_case_punctuation_and_spacing() -> None:
    assert name_keys("Mesa-Optimization", ["  The  Inner_Optimizer! "]) == {
        "mesa optimization",
        "the inner optimizer",
    }
    assert name_keys("Mesa-Optimization", []) == name_keys("mesa optimization", [])


def test_name_keys_drop_names_without_letters_or_digits() -> None:
    assert name_keys("---", ["", "?!"]) == frozenset()


def test_a_shared_name_or_alias_makes_a_duplicate_whatever_the_types_and_score() -> None:
    a, b = summary("concept:a", "concept"), summary("paper:b", "paper")
    kind, reason = classify(a, b, name_keys("Reward Hacking", []), name_keys("x", ["reward-hacking"]), 0.1)
    assert (kind, reason) == ("duplicate", "same name or alias")


def test_the_same_type_at_the_duplicate_score_makes_a_duplicate() -> None:
    a, b = summary("concept:a"), summary("concept:b")
    names = frozenset({"a"}), frozenset({"b"})
    assert classify(a, b, *names, DUPLICATE_SCORE)[0] == "duplicate"
    assert classify(a, b, *names, DUPLICATE_SCORE - 1e-9) == ("missing_edge", "similar, not linked")


def test_different_types_at_a_high_score_are_a_missing_edge() -> None:
    a, b = summary("concept:a", "concept"), summary("paper:b", "paper")
    assert classify(a, b, frozenset({"a"}), frozenset({"b"}), 0.99)[0] == "missing_edge"


def pair(score: float, a: str, b: str) -> CandidatePair:
    return CandidatePair(a=summary(a), b=summary(b), score=score, kind="missing_edge", reason="r")


@pytest.mark.parametrize("score", [0.8123456789012345, 1.0, -0.25, 0.0])
def test_a_pair_cursor_decodes_to_the_key_of_the_pair_it_was_made_from(score: float) -> None:
    candidate = pair(score, "concept:a", "concept:b-ü")
    assert _decode_pair_cursor(_encode_pair_cursor(candidate)) == _pair_key(candidate)


def test_pair_cursors_order_like_the_ranking() -> None:
    ranked = [pair(0.9, "c:a", "c:b"), pair(0.9, "c:a", "c:c"), pair(0.8, "c:a", "c:b")]
    keys = [_decode_pair_cursor(_encode_pair_cursor(p)) for p in ranked]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor("not json"),
        encode_cursor("[0.5, 1]"),  # two fields, not three
        encode_cursor('{"score": 1}'),
        encode_cursor("null"),
        encode_cursor('[[1], "a", "b"]'),
    ],
)
def test_an_altered_pair_cursor_is_refused_as_invalid(cursor: str) -> None:
    with pytest.raises(InvalidCursor, match="invalid cursor"):
        _decode_pair_cursor(cursor)
