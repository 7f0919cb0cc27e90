"""Name n-grams: the inverted index gives the cosine of the hashed n-gram count vectors."""

from __future__ import annotations

import zlib

import numpy as np

from suggest.text import NameGrams, _grams

NAMES = ["run", "runner", "running", "ability", "able", "", "Run_Away", "zebra"]


def dense_cosines(names: list[str], dimensions: int) -> np.ndarray:
    """The definition, computed the slow way: every name's full vector, then all dot products."""
    vectors = np.zeros((len(names), dimensions))
    for row, name in enumerate(names):
        for gram in _grams(name):
            vectors[row, zlib.crc32(gram.encode()) % dimensions] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms == 0, 1.0, norms)
    return vectors @ vectors.T


def test_the_inverted_index_gives_the_dense_cosines_for_any_rows() -> None:
    grams = NameGrams(NAMES, dimensions=64)  # few dimensions: hash collisions are counted alike
    rows = np.array([0, 3, 5, 0, 7])
    assert np.allclose(grams.similarity(rows), dense_cosines(NAMES, 64)[rows], atol=1e-6)


def test_derived_forms_are_closer_than_unrelated_names_and_an_empty_name_matches_nothing() -> None:
    scores = NameGrams(NAMES).similarity(np.array([0, 5]))
    assert scores[0, 1] > 0.3 > scores[0, 7]  # run ~ runner, not zebra
    assert abs(scores[0, 0] - 1.0) < 1e-6
    assert not scores[1].any()
