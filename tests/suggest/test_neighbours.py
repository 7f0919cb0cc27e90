"""The neighbours signal: the edges of the entities nearest by text vote for their answers."""

from __future__ import annotations

import numpy as np

from suggest.neighbours import AnswerLikeness, CosineRows, NeighbourVotes
from suggest.text import normalised

HYPERNYM = 0


def trees_graph() -> tuple[np.ndarray, np.ndarray]:
    """Two kinds (0: tree, 1: bird), each with four members whose text vectors are alike within a
    kind; every member has its kind as hypernym except member 2 (a tree), whose edge is missing."""
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((2, 16))
    vectors = [centres[0] + 0.01 * rng.standard_normal(16), centres[1] + 0.01 * rng.standard_normal(16)]
    triples = []
    for member in range(8):
        kind = 0 if member < 4 else 1
        vectors.append(centres[kind] + 0.3 * rng.standard_normal(16))
        if member + 2 != 4:  # entity 4 (a tree) lacks its edge
            triples.append((member + 2, HYPERNYM, kind))
    return np.array(triples), normalised(np.array(vectors))


def test_members_alike_in_text_vote_for_their_shared_hypernym() -> None:
    triples, vectors = trees_graph()
    votes = NeighbourVotes(vectors, triples, len(vectors), 1, neighbours=3)
    scores = votes.scores(np.array([4]), np.array([HYPERNYM]))[0]
    assert int(np.argmax(scores)) == 0  # "tree", voted by the three other trees
    assert scores[1] == 0.0  # no bird is among its three nearest


def test_a_query_is_never_its_own_answer() -> None:
    triples, vectors = trees_graph()
    votes = NeighbourVotes(vectors, triples, len(vectors), 1, neighbours=3)
    # "tree" is nearest to trees, whose only hypernym is "tree" itself: no vote stands
    scores = votes.scores(np.array([0]), np.array([HYPERNYM]))[0]
    assert not scores.any()


def test_a_candidate_alike_to_the_known_answers_is_found_from_the_other_end() -> None:
    triples, vectors = trees_graph()
    likeness = AnswerLikeness(vectors, triples, len(vectors), 1)
    # (tree, hypernym^-1, ?): which entities are kinds of tree? The unlinked tree, alike to the known ones
    scores = likeness.scores(np.array([0, 1]), np.array([HYPERNYM + 1, HYPERNYM + 1]))
    assert int(np.argmax(scores[0])) == 4
    assert scores[0, 2] == 0.0  # a known answer is not its own evidence
    assert scores[1, 4] < 0.5 * scores[0, 4]  # for "bird", the tree is a far sibling


def test_answers_compared_are_capped_and_batched_rows_match_single_rows() -> None:
    triples, vectors = trees_graph()
    capped = AnswerLikeness(vectors, triples, len(vectors), 1, answers=1)
    batch = capped.scores(np.array([0, 1, 5]), np.array([HYPERNYM + 1, HYPERNYM + 1, HYPERNYM]))
    for row, (entity, relation) in enumerate([(0, 1), (1, 1), (5, 0)]):
        single = capped.scores(np.array([entity]), np.array([relation]))[0]
        assert np.allclose(batch[row], single, atol=1e-6)


def test_cosine_rows_are_the_dot_products_whichever_way_the_product_is_taken() -> None:
    vectors = normalised(np.random.default_rng(4).standard_normal((300, 16)))
    for asked in (np.array([7]), np.array([9, 3, 9, 120]), np.arange(0, 300, 5)):  # 1, a few, many
        cosines = CosineRows(vectors, asked)
        np.testing.assert_allclose(cosines.rows(asked), vectors[asked] @ vectors.T, atol=1e-5)
