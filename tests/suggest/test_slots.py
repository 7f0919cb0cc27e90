"""The slot signal: how many answers a candidate already holds on the answer's side."""

from __future__ import annotations

import numpy as np

from suggest import Suggester
from suggest.model import FEATURES
from suggest.slots import SlotCounts

KIND, KNOWS = 0, 1


def test_a_candidate_is_counted_by_the_answers_it_holds_on_the_answers_side() -> None:
    # 2 and 3 are kinds of 0; 4 is a kind of 1; 2 is also a kind of 1
    triples = np.array([(2, KIND, 0), (3, KIND, 0), (4, KIND, 1), (2, KIND, 1)])
    slots = SlotCounts(triples, 5, 2)
    # (x, kind, ?): a candidate's hyponyms count: 0 has two, 1 has two, the others none
    tail = slots.counts(np.array([3]), np.array([KIND]))[0]
    assert np.allclose(tail, np.log1p([2, 2, 0, 0, 0]))
    # (?, kind, y): a candidate's own kinds count: 2 has two, 3 and 4 one
    head = slots.counts(np.array([0]), np.array([KIND + 2]))[0]
    assert np.allclose(head, np.log1p([0, 0, 2, 1, 1]))
    assert slots.taken(np.array([0]), np.array([KIND + 2]))[0].tolist() == [0, 0, 1, 1, 1]


def functional_graph() -> tuple[np.ndarray, np.ndarray, int, dict[int, int]]:
    """60 members (6-65), each a kind of one of 6 kinds (0-5), and random `knows` edges. Held out:
    the kind of 10 members (the selection split); missing from both: the kind of member 6."""
    rng = np.random.default_rng(7)
    kinds = {member: int(rng.integers(0, 6)) for member in range(6, 66)}
    held_out = set(range(7, 17))
    train = [(m, KIND, k) for m, k in kinds.items() if m != 6 and m not in held_out]
    valid = [(m, KIND, kinds[m]) for m in sorted(held_out)]
    for _ in range(200):
        a, b = rng.choice(np.arange(6, 66), 2, replace=False)
        train.append((int(a), KNOWS, int(b)))
    return np.unique(np.array(train), axis=0), np.array(valid), 66, kinds


def test_members_whose_kind_is_missing_are_suggested_before_members_that_have_one() -> None:
    train, valid, n, kinds = functional_graph()
    suggester = Suggester.fit(train, n, 2, valid=valid)
    taken = FEATURES.index("slot_taken")
    # on the held-out edges, a member that has a kind already is rarely missing one: negative weight
    assert suggester.weights[KIND + 2, taken] < 0
    kind = kinds[6]
    kindless = {m for m in kinds if m == 6 or m in valid[:, 0]}  # as the model sees train
    best = [s.entity for s in suggester.top_k(kind, len(kindless), relation=KIND, direction="head")]
    assert set(best) == kindless
    assert 6 in best
