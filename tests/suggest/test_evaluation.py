"""The filtered ranking metrics on hand-made rankings whose MRR is known."""

from __future__ import annotations

import numpy as np
import pytest

from suggest.evaluation import AnswerIndex, evaluate, filtered_ranks, rank_of_targets, ranking_metrics


def test_hand_made_ranking_reproduces_known_mrr() -> None:
    scores = np.array(
        [
            [0.9, 0.1, 0.2, 0.3],  # target 0 ranks 1
            [0.5, 0.9, 0.1, 0.2],  # target 0 ranks 2
            [0.1, 0.4, 0.3, 0.2],  # target 0 ranks 4
        ]
    )
    ranks = rank_of_targets(scores, np.array([0, 0, 0]))
    assert ranks.tolist() == [1.0, 2.0, 4.0]
    metrics = ranking_metrics(ranks)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 4) / 3)
    assert metrics["hits@1"] == pytest.approx(1 / 3)
    assert metrics["hits@3"] == pytest.approx(2 / 3)
    assert metrics["hits@10"] == pytest.approx(1.0)


def test_ties_count_as_the_mean_rank_not_the_best() -> None:
    flat = np.zeros((1, 5))
    assert rank_of_targets(flat, np.array([2])).tolist() == [3.0]  # (1 + 5) / 2
    assert rank_of_targets(flat, np.array([2]), ties="pessimistic").tolist() == [5.0]
    assert rank_of_targets(flat, np.array([2]), ties="optimistic").tolist() == [1.0]


def test_other_true_answers_are_filtered_but_not_the_target() -> None:
    # Entities 0..4, one relation; (0, 0, 1) and (0, 0, 2) are both true.
    known = AnswerIndex.build(np.array([[0, 0, 1], [0, 0, 2]]), num_entities=5, num_relations=1)
    scores = np.array([[0.0, 0.5, 0.9, 0.1, 0.2]])
    raw = rank_of_targets(scores, np.array([1]))
    filtered = filtered_ranks(scores, np.array([0]), np.array([0]), np.array([1]), known)
    assert raw.tolist() == [2.0]
    assert filtered.tolist() == [1.0]  # entity 2 is another true answer: removed


def test_evaluate_covers_both_directions() -> None:
    triples = np.array([[0, 0, 1]])
    known = AnswerIndex.build(triples, num_entities=3, num_relations=1)

    def score(entities: np.ndarray, relations: np.ndarray) -> np.ndarray:
        out = np.zeros((len(entities), 3))
        out[relations == 0, 1] = 1.0  # tail query (0, r, ?) -> 1: rank 1
        out[relations == 1, 2] = 1.0  # head query (?, r, 1) -> 0 wrongly puts 2 first: rank 2
        out[relations == 1, 0] = 0.5
        return out

    result = evaluate(score, triples, known)
    assert result.tail["mrr"] == pytest.approx(1.0)  # type: ignore[index]
    assert result.head["mrr"] == pytest.approx(0.5)  # type: ignore[index]
    assert result.both["mrr"] == pytest.approx(0.75)  # type: ignore[index]


def test_answer_index_knows_both_directions() -> None:
    known = AnswerIndex.build(np.array([[3, 1, 4], [3, 1, 2]]), num_entities=5, num_relations=2)
    assert known.known(3, 1).tolist() == [2, 4]
    assert known.known(4, 1 + 2).tolist() == [3]  # reciprocal relation: head prediction
    assert known.contains(2, 3, 3)
    assert not known.contains(2, 1, 3)
