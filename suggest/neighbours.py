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
