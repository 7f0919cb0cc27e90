"""Inside `one_revision` (one read-only request) the database's revision is read once."""

from __future__ import annotations

from core.db import Database, one_revision


def test_inside_one_revision_the_first_reading_is_answered_until_the_block_ends(db: Database) -> None:
    with one_revision():
        first = db.revision()
        db.write("CREATE (:Scratch)")  # a commit from anyone
        assert db.revision() == first
        assert db.read_revision() != first  # Neo4j has moved on
    assert db.revision() != first
    with one_revision(), one_revision():  # nested: the inner block reads afresh
        assert db.revision() == db.read_revision()
