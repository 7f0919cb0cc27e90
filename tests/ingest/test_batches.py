"""How the pipeline cuts its writes into transactions."""

from ingest.pipeline import growing_batches


def test_growing_batches_start_small_grow_tenfold_and_cover_every_item_once_in_order() -> None:
    items = list(range(12_345))
    batches = list(growing_batches(items, size=5_000))
    assert [len(batch) for batch in batches] == [10, 100, 1_000, 5_000, 5_000, 1_235]
    assert [item for batch in batches for item in batch] == items


def test_growing_batches_never_exceed_a_size_smaller_than_the_first_step() -> None:
    assert [len(b) for b in growing_batches(list(range(7)), size=3)] == [3, 3, 1]
    assert list(growing_batches([], size=100)) == []
