"""Entities alike in text have alike edges: a query scored by the edges of its nearest entities.

For the query (q, r, ?), the ``k`` entities nearest to q by the cosine of their stored sentence
embeddings vote for their own answers of (n, r, ?), each vote weighing that cosine. In WordNet,
co-hyponyms ("oak", "beech", "maple") have alike glosses and share their hypernym; a paper's
nearest papers cite the same work. Neither the embedding model nor the graph alone says this: the
cosine says *who is alike*, the graph says *what they are joined to*.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from suggest.evaluation import AnswerIndex, IntArray


class NeighbourVotes:
    def __init__(
        self,
        embeddings: NDArray[np.float32],  # unit vectors, (num_entities, d)
        train: IntArray,
        num_entities: int,
        num_relations: int,
        neighbours: int = 20,
    ) -> None:
        self.embeddings = embeddings
        self.index = AnswerIndex.build(train, num_entities, num_relations)
        self.num_entities = num_entities
        self.neighbours = min(neighbours, num_entities - 1)

    def scores(self, entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
        """(batch, num_entities): the summed cosine of q's nearest entities that have each
        candidate as an answer of the same relation and direction (``relations`` in [0, 2R))."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        out = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        if self.neighbours <= 0 or len(entities) == 0:
            return out
        distinct, row_of = np.unique(entities, return_inverse=True)
        similarity = self.embeddings[distinct] @ self.embeddings.T
        similarity[np.arange(len(distinct)), distinct] = -np.inf  # not its own neighbour
        nearest = np.argpartition(-similarity, self.neighbours - 1, axis=1)[:, : self.neighbours]
        weight = np.take_along_axis(similarity, nearest, axis=1)[row_of]  # (batch, k)
        nearest = nearest[row_of]
        query_of = np.repeat(np.arange(len(entities)), self.neighbours)
        rows, answers = self.index.mask_rows(nearest.reshape(-1), np.repeat(relations, self.neighbours))
        votes = np.clip(weight.reshape(-1)[rows], 0.0, None).astype(np.float32)
        np.add.at(out, (query_of[rows], answers), votes)
        out[np.arange(len(entities)), entities] = 0.0  # the query is never its own answer
        return out


class AnswerLikeness:
    """A candidate alike in text to the answers the query already has: for (q, r, ?), the best
    cosine of each candidate to a known answer of (q, r, ?). The other end of `NeighbourVotes`:
    "which entities are kinds of tree?" is answered by the ones alike to the trees already known.
    At most ``answers`` known answers are compared (the first in id order), so a hub costs no more
    than an ordinary entity."""

    def __init__(
        self,
        embeddings: NDArray[np.float32],
        train: IntArray,
        num_entities: int,
        num_relations: int,
        answers: int = 8,
    ) -> None:
        self.embeddings = embeddings
        self.index = AnswerIndex.build(train, num_entities, num_relations)
        self.num_entities = num_entities
        self.answers = answers

    def scores(self, entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
        """(batch, num_entities): max cosine to a known answer (0 without answers or below 0)."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        out = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        rows, answers = self.index.mask_rows(entities, relations)  # rows ascending
        if len(rows) == 0:
            return out
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        position = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
        keep = position < self.answers
        rows, answers = rows[keep], answers[keep]
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        # one product for the whole batch, once per distinct answer (a symmetric relation's two
        # directions, or one entity asked for every relation, share most of theirs)
        distinct, row_of = np.unique(answers, return_inverse=True)
        similarity = self.embeddings[distinct] @ self.embeddings.T
        out[rows[first]] = np.clip(np.maximum.reduceat(similarity[row_of], first, axis=0), 0.0, None)
        out[rows, answers] = 0.0  # known answers are filtered anyway; not their own evidence
        out[np.arange(len(entities)), entities] = 0.0
        return out
