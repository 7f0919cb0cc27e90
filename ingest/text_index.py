"""The full-text index search reads: built with the analyzer search expects, rebuilt when not.

`CREATE ... IF NOT EXISTS` keeps an index of the same name whatever its settings, so an index made
by an older Atlas (the standard analyzer, no stemming) would stay as it was. Ingest checks the
analyzer first, drops an index built with another one and builds it again, and says so.
"""

from __future__ import annotations

import logging

from core.db import Database
from core.queries import Queries

TEXT_ANALYZER = "english"  # the analyzer of cypher/create_entity_text_index.cypher
TEXT_INDEX = "entity_text"
REBUILD_WAIT_SECONDS = 600
log = logging.getLogger("atlas.ingest")


def ensure_text_index(db: Database, queries: Queries) -> str | None:
    """Create the index if absent; rebuild it if its analyzer differs. Returns a notice saying
    what was rebuilt and why, or None when it was already right (or new)."""
    records = db.read(queries["search_text_index"])
    found = records[0]["analyzer"] if records else None
    notice = None
    if records and found != TEXT_ANALYZER:
        db.write(queries["search_drop_text_index"])
        notice = (
            f"full-text index {TEXT_INDEX!r} was built with the {found!r} analyzer; "
            f"rebuilt with {TEXT_ANALYZER!r} (stemming) for search"
        )
    db.write(queries["create_entity_text_index"])
    # A new index over existing entities fills in the background and answers nothing until done.
    db.read(queries["search_await_text_index"], seconds=REBUILD_WAIT_SECONDS)
    if notice is not None:
        log.warning(notice)
    return notice
