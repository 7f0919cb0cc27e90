"""Filtered ranking metrics for link prediction, the standard way (Bordes et al., 2013).

A query is (entity, relation, direction): tail prediction asks (h, r, ?), head prediction (?, r, t).
Internally head prediction is tail prediction on the reciprocal relation ``r + num_relations``, so
one index of known answers serves both directions.

The rank of the true answer is taken among *all* entities, after removing ("filtering") every other
entity that is a true answer to the same query in any split. Ties are broken honestly: the rank is
the mean of the optimistic and the pessimistic rank ("realistic" rank, as in PyKEEN), so a model
that gives every entity the same score gets a rank of about ``num_entities / 2``, never 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Direction = Literal["tail", "head"]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float32]
HITS_AT = (1, 3, 10)


def as_triples(triples: Iterable[tuple[int, int, int]] | NDArray[np.integer]) -> IntArray:
    """An (n, 3) int64 array of (head, relation, tail), whatever sequence of triples is given."""
    array = np.asarray(list(triples) if not isinstance(triples, np.ndarray) else triples, dtype=np.int64)
    return array.reshape(-1, 3)


def reciprocal_queries(triples: IntArray, num_relations: int) -> tuple[IntArray, IntArray, IntArray]:
    """Both directions of each triple as (query entity, relation id in [0, 2R), answer).

    The first n rows are tail prediction (h, r, ?) -> t, the next n head prediction (t, r+R, ?) -> h.
    """
    heads = np.concatenate([triples[:, 0], triples[:, 2]])
    relations = np.concatenate([triples[:, 1], triples[:, 1] + num_relations])
    answers = np.concatenate([triples[:, 2], triples[:, 0]])
    return heads, relations, answers


@dataclass(frozen=True)
class AnswerIndex:
    """All known answers of every (entity, relation-with-direction) query, in CSR form."""

    num_entities: int
    num_relations: int  # forward relations; keys use 2 * num_relations
    offsets: IntArray  # len num_entities * 2R + 1
    answers: IntArray

    @classmethod
    def build(cls, triples: IntArray, num_entities: int, num_relations: int) -> AnswerIndex:
        entities, relations, answers = reciprocal_queries(as_triples(triples), num_relations)
        keys = entities * (2 * num_relations) + relations
        order = np.lexsort((answers, keys))
        keys, answers = keys[order], answers[order]
        keep = np.ones(len(keys), dtype=bool)  # duplicates would be harmless but waste space
        keep[1:] = (keys[1:] != keys[:-1]) | (answers[1:] != answers[:-1])
        keys, answers = keys[keep], answers[keep]
        counts = np.bincount(keys, minlength=num_entities * 2 * num_relations)
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(num_entities, num_relations, offsets, answers.astype(np.int64))

    def known(self, entity: int, relation: int) -> IntArray:
        """Known answers of (entity, relation, ?); ``relation`` in [0, 2R) (>= R: head prediction)."""
        key = entity * 2 * self.num_relations + relation
        return self.answers[self.offsets[key] : self.offsets[key + 1]]

    def contains(self, entity: int, relation: int, answer: int) -> bool:
        known = self.known(entity, relation)
        position = int(np.searchsorted(known, answer))
        return position < len(known) and int(known[position]) == answer

    def mask_rows(self, entities: IntArray, relations: IntArray) -> tuple[IntArray, IntArray]:
        """(row, column) coordinates of every known answer of a batch of queries."""
        keys = entities * 2 * self.num_relations + relations
        starts, ends = self.offsets[keys], self.offsets[keys + 1]
        lengths = ends - starts
        rows = np.repeat(np.arange(len(keys)), lengths)
        base = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        columns = self.answers[base + np.arange(int(lengths.sum()))]
        return rows, columns


def rank_of_targets(scores: NDArray[np.floating], targets: IntArray, ties: str = "realistic") -> FloatArray:
    """Rank (1 = best) of ``scores[i, targets[i]]`` in each row; filtered entries must be ``-inf``.

    ``ties``: "realistic" (mean of optimistic and pessimistic, the default), "pessimistic" or
    "optimistic".
    """
    target_scores = scores[np.arange(len(targets)), targets][:, None]
    greater = (scores > target_scores).sum(axis=1)
    equal = (scores == target_scores).sum(axis=1) - 1  # the target itself
    if ties == "realistic":
        ranks = 1.0 + greater + equal / 2.0
    elif ties == "pessimistic":
        ranks = 1.0 + greater + equal
    elif ties == "optimistic":
        ranks = 1.0 + greater
    else:
        raise ValueError(f"unknown tie policy {ties!r}")
    result: FloatArray = ranks.astype(np.float32)
    return result


def filtered_ranks(
    scores: NDArray[np.floating],
    entities: IntArray,
    relations: IntArray,
    targets: IntArray,
    known: AnswerIndex,
    ties: str = "realistic",
) -> FloatArray:
    """Filtered ranks of a batch of queries: every known answer except the target is removed."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    rows, columns = known.mask_rows(entities, relations)
    not_target = columns != targets[rows]
    scores[rows[not_target], columns[not_target]] = -np.inf
    return rank_of_targets(scores, targets, ties)


def ranking_metrics(ranks: NDArray[np.floating]) -> dict[str, float]:
    """MRR and Hits@1/3/10 of a set of ranks, plus how many there were."""
    ranks = np.asarray(ranks, dtype=np.float64)
    if len(ranks) == 0:
        return {"mrr": 0.0, "hits@1": 0.0, "hits@3": 0.0, "hits@10": 0.0, "count": 0.0}
    metrics = {"mrr": float(np.mean(1.0 / ranks))}
    for k in HITS_AT:
        metrics[f"hits@{k}"] = float(np.mean(ranks <= k))
    metrics["count"] = float(len(ranks))
    return metrics


ScoreFunction = Callable[[IntArray, IntArray], NDArray[np.floating]]
"""(query entities, relations in [0, 2R)) -> scores over all entities, shape (batch, num_entities)."""


@dataclass(frozen=True)
class Evaluation:
    """Metrics of both directions together and of each; ``ranks`` in :func:`reciprocal_queries` order."""

    both: dict[str, float]
    tail: dict[str, float]
    head: dict[str, float]
    ranks: FloatArray

    def to_json(self) -> dict[str, dict[str, float]]:
        return {"both": self.both, "tail": self.tail, "head": self.head}


def evaluate(
    score: ScoreFunction,
    triples: IntArray,
    known: AnswerIndex,
    *,
    batch_size: int = 256,
    ties: str = "realistic",
) -> Evaluation:
    """Filtered MRR and Hits@k of ``triples`` in both directions, overall and per direction."""
    entities, relations, targets = reciprocal_queries(as_triples(triples), known.num_relations)
    ranks = np.empty(len(targets), dtype=np.float32)
    order = np.argsort(relations, kind="stable")  # batches of one relation are cheaper to score
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        ranks[batch] = filtered_ranks(
            score(entities[batch], relations[batch]),
            entities[batch],
            relations[batch],
            targets[batch],
            known,
            ties,
        )
    n = len(as_triples(triples))
    return Evaluation(ranking_metrics(ranks), ranking_metrics(ranks[:n]), ranking_metrics(ranks[n:]), ranks)
