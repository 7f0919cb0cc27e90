"""How many answers a candidate already has on the answer's side: a slot taken, or a popular answer.

A candidate c of the query (q, r, ?) is on the answer's side of r; what it already holds there is
the reverse query (c, r⁻¹, ?). In WordNet nearly every synset has one hypernym: of the test triples
(x, hypernym, y), 4% of the x have a hypernym in the training graph, against 83% of all synsets, so
for (?, hypernym, y) a candidate without one is about a hundred times likelier. The other way
round, a synset with many hyponyms is a likelier answer of (x, hypernym, ?). A knowledge-graph
embedding scores pairs and does not see "c already has one". The sign of the effect differs by
relation and direction; the per-relation weights (model.py) learn it, negative where a slot taken
counts against.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from suggest.evaluation import AnswerIndex, IntArray


class SlotCounts:
    def __init__(self, train: IntArray, num_entities: int, num_relations: int) -> None:
        index = AnswerIndex.build(train, num_entities, num_relations)
        # answers[k, c]: how many answers entity c has for relation code k (k in [0, 2R))
        answers = np.diff(index.offsets).reshape(num_entities, 2 * num_relations).T
        # a candidate of code k holds its answers under the reverse code (k + R mod 2R)
        reverse = (np.arange(2 * num_relations) + num_relations) % (2 * num_relations)
        self.by_code = np.log1p(answers[reverse]).astype(np.float32)  # (2R, num_entities)

    def counts(self, entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
        """(batch, num_entities): log(1 + answers each candidate holds on the answer's side)."""
        return self.by_code[np.asarray(relations, dtype=np.int64)]

    def taken(self, entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
        """(batch, num_entities): 1 where the candidate holds any answer on the answer's side."""
        return (self.counts(entities, relations) > 0).astype(np.float32)
