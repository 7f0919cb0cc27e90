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


class CosineRows:
    """The cosines of a few entities to every entity, made in one matrix product and looked up by
    entity: the text signals of one query (its own cosines, its nearest entities, its answers'
    likeness) share one pass over the vectors, the costly part of a suggestions request."""

    def __init__(self, embeddings: NDArray[np.float32], entities: IntArray) -> None:
        self.ids = np.unique(np.asarray(entities, dtype=np.int64))
        chosen = embeddings[self.ids]
        if 1 < len(self.ids) <= 32:
            # a few rows: OpenBLAS is ~2x faster with the long matrix on the left (measured here)
            self.values = np.ascontiguousarray((embeddings @ chosen.T).T)
        else:
            self.values = chosen @ embeddings.T

    def rows(self, entities: IntArray) -> NDArray[np.float32]:
        """(len(entities), num_entities); every entity must be among those it was made for."""
        return self.values[np.searchsorted(self.ids, entities)]


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

    def scores(
        self, entities: IntArray, relations: IntArray, cosines: CosineRows | None = None
    ) -> NDArray[np.float32]:
        """(batch, num_entities): the summed cosine of q's nearest entities that have each
        candidate as an answer of the same relation and direction (``relations`` in [0, 2R)).
        ``cosines``, when given, holds the rows of every query entity."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        out = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        if self.neighbours <= 0 or len(entities) == 0:
            return out
        distinct, row_of = np.unique(entities, return_inverse=True)
        similarity = (cosines or CosineRows(self.embeddings, distinct)).rows(distinct)  # a copy
        similarity[np.arange(len(distinct)), distinct] = -np.inf  # not its own neighbour
        last = self.num_entities - self.neighbours
        nearest = np.argpartition(similarity, last, axis=1)[:, last:]
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

    def compared(self, entities: IntArray, relations: IntArray) -> tuple[IntArray, IntArray]:
        """(row, answer) of the known answers each query is compared by, rows ascending."""
        rows, answers = self.index.mask_rows(
            np.asarray(entities, dtype=np.int64), np.asarray(relations, dtype=np.int64)
        )
        if len(rows) == 0:
            return rows, answers
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        position = np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))
        keep = position < self.answers
        return rows[keep], answers[keep]

    def scores(
        self, entities: IntArray, relations: IntArray, cosines: CosineRows | None = None
    ) -> NDArray[np.float32]:
        """(batch, num_entities): max cosine to a known answer (0 without answers or below 0).
        ``cosines``, when given, holds the rows of every answer `compared` names."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        out = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        rows, answers = self.compared(entities, relations)
        if len(rows) == 0:
            return out
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        # one product for the whole batch, once per distinct answer (a symmetric relation's two
        # directions, or one entity asked for every relation, share most of theirs)
        similarity = (cosines or CosineRows(self.embeddings, answers)).rows(answers)
        out[rows[first]] = np.clip(np.maximum.reduceat(similarity, first, axis=0), 0.0, None)
        out[rows, answers] = 0.0  # known answers are filtered anyway; not their own evidence
        out[np.arange(len(entities)), entities] = 0.0
        return out
