"""Curation decisions on similarity candidates: link, dismiss, merge, and an exact undo of each.

A decision is a `:Decision` node with no relationships (an entity's degree counts typed relations
only): the entity ids it was taken on, its kind, who took it, when and why, and in `undo` (JSON)
what its undo needs to restore the prior state exactly. Every operation is planned first
(planner.py: the plan lists every change in words; that is `--dry-run`) and then applied in one
write transaction that first locks every entity the plan touches and plans again under those
locks: decisions on different entities run side by side, decisions on the same entities one after
another, and each sees what the one before it wrote. A decision that no longer makes sense then
(the pair got linked meanwhile, the entity was merged) is a `CurationConflict`; nothing is written.

Undo is refused while a later decision still in force touches any of the same entities: undoing
out of order could not restore the prior state. Undo those first (the error names them).
"""

from __future__ import annotations

from collections.abc import Callable

from neo4j import ManagedTransaction
from neo4j.exceptions import ConstraintError

from core.db import Database, Runner, transaction_runner
from core.queries import Queries
from core.schema import SchemaView
from curation.errors import CurationConflict
from curation.models import CurationResult, Decision, DecisionList
from curation.planner import DecisionPlanner, Plan

SETUP_QUERIES = (
    "curation_create_decision_id_constraint",
    "curation_create_decision_seq_constraint",
    "curation_create_counter_constraint",
)
Planning = Callable[[DecisionPlanner], Plan]


class Curator:
    """Takes and undoes decisions. Holds no state: one per request is fine."""

    def __init__(self, db: Database, queries: Queries, schema: SchemaView) -> None:
        self.db = db
        self.queries = queries
        self.schema = schema

    # --- reads -----------------------------------------------------------------------------------

    def decisions(self, entity_id: str | None = None, limit: int = 50) -> DecisionList:
        """Decisions, newest first; only those taken on `entity_id` when given."""
        ids = [
            r["id"] for r in self.db.read(self.queries["curation_decisions"], entity=entity_id, limit=limit)
        ]
        return DecisionList(items=read_decisions(self.db.read, self.queries, ids))

    def decision(self, decision_id: str) -> Decision:
        return Decision.model_validate(self._planner(self.db.read).decision_record(decision_id)["decision"])

    # --- decisions -------------------------------------------------------------------------------

    def link(
        self,
        source: str,
        target: str,
        relation_type: str,
        description: str = "",
        *,
        who: str,
        why: str = "",
        dry_run: bool = False,
    ) -> CurationResult:
        """Create the typed relation (source)-[relation_type]->(target) from a candidate pair."""
        return self._decide(lambda p: p.link(source, target, relation_type, description, who, why), dry_run)

    def dismiss(
        self,
        a: str,
        b: str,
        *,
        relation_type: str | None = None,
        who: str,
        why: str = "",
        dry_run: bool = False,
    ) -> CurationResult:
        """Mark a pair as not related: it never comes back as a candidate (until undone). With
        `relation_type`, only the edge (a)-[relation_type]->(b) is declined: it is never suggested."""
        return self._decide(lambda p: p.dismiss(a, b, who, why, relation_type), dry_run)

    def merge(
        self, duplicate: str, canonical: str, *, who: str, why: str = "", dry_run: bool = False
    ) -> CurationResult:
        """Fold `duplicate` into `canonical`; the duplicate stays, merged, pointing at it."""
        return self._decide(lambda p: p.merge(duplicate, canonical, who, why), dry_run)

    def undo(self, decision_id: str, *, who: str, why: str = "", dry_run: bool = False) -> CurationResult:
        """Return the graph to its state before the decision; the decision is kept, as undone."""
        return self._decide(lambda p: p.undo(decision_id, who, why), dry_run)

    # --- applying --------------------------------------------------------------------------------

    def _decide(self, planning: Planning, dry_run: bool) -> CurationResult:
        if dry_run:
            return CurationResult(dry_run=True, changes=planning(self._planner(self.db.read)).changes)
        self.db.prepare_once("curation", [self.queries[name] for name in SETUP_QUERIES])
        try:
            plan, decision = self.db.write_transaction(lambda tx: self._apply(tx, planning))
        except ConstraintError as error:  # a decision written outside Atlas with a taken number
            raise CurationConflict(f"the decision could not be recorded: {error.message}") from error
        return CurationResult(dry_run=False, changes=plan.changes, decision=decision)

    def _apply(self, tx: ManagedTransaction, planning: Planning) -> tuple[Plan, Decision]:
        """Plan, lock what the plan touches, plan again under the locks (a merge may find more
        entities to lock), then write. The driver retries the whole function on a deadlock."""
        run = transaction_runner(tx)
        planner = self._planner(run)
        plan, locked = planning(planner), set[str]()
        while not set(plan.touched) <= locked:
            locked |= set(plan.touched)
            run(self.queries["curation_lock_entities"], ids=sorted(locked))
            plan = planning(planner)
        params = dict(plan.params)
        if plan.records_decision:
            params["seq"] = run(self.queries["curation_next_seq"])[0]["seq"]
        written = run(self.queries[plan.query], **params)
        if not written:  # the query's own guards found the graph moved (a write from outside curation)
            raise CurationConflict("the graph changed while the decision was prepared; try again")
        return plan, read_decisions(run, self.queries, [written[0]["id"]])[0]

    def _planner(self, run: Runner) -> DecisionPlanner:
        return DecisionPlanner(run, self.queries, self.schema)


def read_decisions(run: Runner, queries: Queries, ids: list[str]) -> list[Decision]:
    """The decisions with these ids, in that order, as curation_decision.cypher projects them."""
    return [Decision.model_validate(r["decision"]) for r in run(queries["curation_decision"], ids=ids)]
