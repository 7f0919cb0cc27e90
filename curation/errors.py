"""What curation refuses, and why; the API maps each to one HTTP status (api/errors.py)."""

from __future__ import annotations

from core.errors import AtlasError


class CurationConflict(AtlasError):
    """The decision contradicts the graph's state (already linked, merged, undone, out of order)."""


class InvalidDecision(AtlasError):
    """The decision itself makes no sense (an entity with itself, an unknown relation type)."""


class DecisionNotFound(AtlasError):
    def __init__(self, decision_id: str) -> None:
        super().__init__(f"no decision with id {decision_id!r}")
        self.decision_id = decision_id
