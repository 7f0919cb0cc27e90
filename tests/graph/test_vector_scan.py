"""The similar scan's quantised cosines and the bound `similar` relies on to ask for every entity
that can pass (graph/vector_scan.py); through the API and against a brute force in tests/api."""

import numpy as np
import pytest

import graph.vector_scan
from graph.vector_scan import ScanParts, VectorScan

DIMENSIONS = 32


def unit_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def build(vectors: np.ndarray, page: int, part_rows: int) -> VectorScan:
    parts = ScanParts(part_rows)
    for begin in range(0, len(vectors), page):
        parts.add(vectors[begin : begin + page])
    return parts.scan("revision", [f"concept:v{row}" for row in range(len(vectors))])


@pytest.fixture(autouse=True)
def small_scans(monkeypatch) -> None:
    monkeypatch.setattr(graph.vector_scan, "TRAIN_ROWS", 100)
    monkeypatch.setattr(graph.vector_scan, "SHARDS", 2)


def test_every_scan_cosine_lies_within_its_stated_error_of_the_exact_one() -> None:
    """Including vectors that came after the range was set and lie far outside it: two copies of
    one axis, clamped to a fraction of their length. Their scan cosine is far from the exact 1,
    further than the largest residual alone: the query's own residual must count too."""
    vectors = np.concatenate([unit_vectors(300, seed=1), np.eye(DIMENSIONS, dtype=np.float32)[[0, 0]]])
    scan = build(vectors, page=64, part_rows=120)
    assert len(scan.parts) > 1
    worst_beyond_largest_residual = 0.0
    for row in range(len(vectors)):
        nearest = scan.nearest(f"concept:v{row}", len(vectors))
        assert nearest is not None and len(nearest.pairs) == len(vectors) - 1
        assert all(error <= nearest.beyond for error in nearest.errors)
        for (other_id, score), error in zip(nearest.pairs, nearest.errors, strict=True):
            exact = float(vectors[row] @ vectors[int(other_id.removeprefix("concept:v"))])
            assert abs(score - exact) <= error, (row, other_id)
            worst_beyond_largest_residual = max(
                worst_beyond_largest_residual, abs(score - exact) - scan.largest_residual
            )
    assert worst_beyond_largest_residual > 0.1


def test_ordinary_vectors_get_a_small_error() -> None:
    """The bound is what makes `similar` ask for more candidates: for vectors within the range it
    stays a few hundredths of a cosine."""
    scan = build(unit_vectors(500, seed=2), page=100, part_rows=500)
    nearest = scan.nearest("concept:v0", 10)
    assert nearest is not None and nearest.beyond < 0.05


def test_the_scan_is_the_same_whatever_the_size_of_the_pages_read() -> None:
    vectors = unit_vectors(400, seed=3)
    paged, whole = build(vectors, page=7, part_rows=150), build(vectors, page=400, part_rows=150)
    assert [part.ntotal for part in paged.parts] == [part.ntotal for part in whole.parts] == [150, 250]
    np.testing.assert_array_equal(paged.residuals, whole.residuals)
    assert paged.nearest("concept:v5", 50) == whole.nearest("concept:v5", 50)
