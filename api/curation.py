"""Curation decisions on similarity candidates: link, dismiss, merge, and an exact undo of each.

A decision is a `:Decision` node with no relationships (an entity's degree counts typed relations
only): the entity ids it was taken on, its kind, who took it, when and why, and in `undo` (JSON)
what its undo needs to restore the prior state exactly. Every operation is planned first (the
plan lists, in words, every change it would make: that is `--dry-run`) and then applied by one
Cypher query, one transaction, whose guards re-check what the plan read: if the graph moved in
between, nothing is written and the caller gets a conflict.

Undo is refused while a later decision still in force touches any of the same entities: undoing
out of order could not restore the prior state. Undo those first (the error names them).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.db import Database
from core.errors import AtlasError, EntityNotFound
from core.queries import Queries
from core.schema import Schema

DecisionKind = Literal["link", "dismiss", "merge"]
SETUP_QUERIES = ("curation_create_decision_id_constraint", "curation_create_decision_seq_constraint")


class CurationConflict(AtlasError):
    """The decision contradicts the graph's state (already linked, merged, undone, out of order)."""


class InvalidDecision(AtlasError):
    """The decision itself makes no sense (an entity with itself, an unknown relation type)."""


class DecisionNotFound(AtlasError):
    def __init__(self, decision_id: str) -> None:
        super().__init__(f"no decision with id {decision_id!r}")
        self.decision_id = decision_id


class Decision(BaseModel):
    id: str
    seq: int = Field(description="Order in which decisions were taken.")
    kind: DecisionKind
    entities: list[str] = Field(description="The two entities the decision was taken on.")
    source: str = Field(description="link: relation source; dismiss: first entity; merge: duplicate.")
    target: str = Field(description="link: relation target; dismiss: second entity; merge: canonical.")
    relation_type: str | None = None
    description: str | None = None
    who: str
    why: str = ""
    at: str = Field(description="When it was taken (ISO 8601).")
    status: Literal["active", "undone"]
    undone_by: str | None = None
    undone_at: str | None = None
    undo_why: str | None = None


class DecisionList(BaseModel):
    items: list[Decision]


class CurationResult(BaseModel):
    dry_run: bool
    changes: list[str] = Field(description="Every change made (or, on a dry run, that would be).")
    decision: Decision | None = Field(None, description="The decision recorded or undone.")


@dataclass
class Plan:
    """What an operation will do: the changes in words, and the query with its parameters."""

    query: str
    params: dict[str, Any]
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MergePlan:
    creates: list[dict[str, Any]]
    updates: list[dict[str, Any]]
    changes: list[str]


class Curator:
    """Takes and undoes decisions. Holds no state: one per request is fine."""

    def __init__(self, db: Database, queries: Queries, schema: Schema) -> None:
        self.db = db
        self.queries = queries
        self.schema = schema

    # --- reads -----------------------------------------------------------------------------------

    def decisions(self, entity_id: str | None = None, limit: int = 50) -> DecisionList:
        records = self.db.read(self.queries["curation_decisions"], entity=entity_id, limit=limit)
        return DecisionList(items=[Decision.model_validate(r["decision"]) for r in records])

    def decision(self, decision_id: str) -> Decision:
        return Decision.model_validate(self._decision_record(decision_id)["decision"])

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
        return self._run(self.plan_link(source, target, relation_type, description, who, why), dry_run)

    def dismiss(self, a: str, b: str, *, who: str, why: str = "", dry_run: bool = False) -> CurationResult:
        """Mark a pair as not related: it never comes back as a candidate (until undone)."""
        return self._run(self.plan_dismiss(a, b, who, why), dry_run)

    def merge(
        self, duplicate: str, canonical: str, *, who: str, why: str = "", dry_run: bool = False
    ) -> CurationResult:
        """Fold `duplicate` into `canonical`; the duplicate stays, merged, pointing at it."""
        return self._run(self.plan_merge(duplicate, canonical, who, why), dry_run)

    def undo(self, decision_id: str, *, who: str, why: str = "", dry_run: bool = False) -> CurationResult:
        """Return the graph to its state before the decision; the decision is kept, as undone."""
        return self._run(self.plan_undo(decision_id, who, why), dry_run)

    # --- planning --------------------------------------------------------------------------------

    def plan_link(
        self, source: str, target: str, relation_type: str, description: str, who: str, why: str
    ) -> Plan:
        if relation_type not in self.schema.relation_types:
            known = ", ".join(self.schema.relation_types)
            raise InvalidDecision(f"unknown relation type {relation_type!r}; known: {known}")
        self._distinct(source, target)
        self._active_entities([source, target])
        rel_type = self.schema.rel_type(relation_type)
        for existing in self._relations_between(source, target):
            if existing["rel_type"] == rel_type and existing["source"] == source:
                raise CurationConflict(f"{_edge(source, rel_type, target)} already exists")
        decision = self._new_decision(
            "link", [source, target], source, target, who, why, {"rel_type": rel_type}
        )
        decision.update(relation_type=relation_type, description=description)
        changes = [
            f"create relation {_edge(source, rel_type, target)} description {description!r}",
            _record_change(decision),
        ]
        params = {
            "source": source,
            "target": target,
            "rel_type": rel_type,
            "description": description,
            "decision": decision,
        }
        return Plan("curation_link", params, changes)

    def plan_dismiss(self, a: str, b: str, who: str, why: str) -> Plan:
        self._distinct(a, b)
        entities = self._active_entities([a, b])
        linked = self._relations_between(a, b)
        if linked:
            edge = linked[0]
            raise CurationConflict(
                f"{a} and {b} are related by {_edge(edge['source'], edge['rel_type'], edge['target'])}"
            )
        a_before, b_before = entities[a].get("dismissed"), entities[b].get("dismissed")
        if b in (a_before or []) or a in (b_before or []):
            raise CurationConflict(f"the pair {a}, {b} is already dismissed")
        undo = {"a_before": a_before, "b_before": b_before}
        decision = self._new_decision("dismiss", [a, b], a, b, who, why, undo)
        changes = [
            f"set {a}.dismissed: {a_before!r} -> {[*(a_before or []), b]!r}",
            f"set {b}.dismissed: {b_before!r} -> {[*(b_before or []), a]!r}",
            _record_change(decision),
        ]
        params = {"a": a, "b": b, "a_before": a_before, "b_before": b_before, "decision": decision}
        return Plan("curation_dismiss", params, changes)

    def plan_merge(self, duplicate: str, canonical: str, who: str, why: str) -> Plan:
        self._distinct(duplicate, canonical)
        self._active_entities([duplicate, canonical])
        record = self.db.read(self.queries["curation_merge_plan"], duplicate=duplicate, canonical=canonical)[
            0
        ]
        dup, can = dict(record["duplicate"]), dict(record["canonical"])
        relations = [_plain_relation(r) for r in record["relations"]]
        folded = plan_relations(duplicate, canonical, relations)
        aliases_before = can.get("aliases")
        aliases = merged_aliases(can["name"], aliases_before or [], dup["name"], dup.get("aliases") or [])
        repoint = list(record["merged_into_duplicate"])
        undo = {
            "creates": folded.creates,
            "updates": folded.updates,
            "relations": [{k: r[k] for k in ("source", "target", "rel_type", "props")} for r in relations],
            "repoint": repoint,
            "aliases_before": aliases_before,
            "status_before": dup.get("status"),
            "merged_into_before": dup.get("merged_into"),
        }
        touched = sorted({duplicate, canonical, *(r["other"] for r in relations), *repoint})
        decision = self._new_decision("merge", [duplicate, canonical], duplicate, canonical, who, why, undo)
        decision["touched"] = touched
        changes = [
            *folded.changes,
            *(f"set {x}.merged_into: {duplicate!r} -> {canonical!r}" for x in repoint),
            f"set {canonical}.aliases: {aliases_before!r} -> {aliases!r}",
            f"set {duplicate}.status: {dup.get('status')!r} -> 'merged', "
            f"{duplicate}.merged_into: {dup.get('merged_into')!r} -> {canonical!r}",
            _record_change(decision),
        ]
        params = {
            "duplicate": duplicate,
            "canonical": canonical,
            "degree": record["degree"],
            "status_before": dup.get("status"),
            "aliases_before": aliases_before,
            "aliases": aliases,
            "creates": folded.creates,
            "updates": folded.updates,
            "repoint": repoint,
            "decision": decision,
        }
        return Plan("curation_merge", params, changes)

    def plan_undo(self, decision_id: str, who: str, why: str) -> Plan:
        record = self._decision_record(decision_id)
        raw = dict(record["decision"])
        if raw["status"] != "active":
            raise CurationConflict(f"decision {decision_id} is already undone")
        if record["blocked_by"]:
            later = ", ".join(record["blocked_by"])
            raise CurationConflict(
                f"later decisions touch the same entities: undo them first (newest last): {later}"
            )
        undo = json.loads(raw["undo"])
        common = {"id": decision_id, "who": who, "why": why}
        closing = f"mark decision {decision_id} undone (by {who!r}: {why!r})"
        if raw["kind"] == "link":
            edge = _edge(raw["source"], undo["rel_type"], raw["target"])
            params = {**common, "rel_type": undo["rel_type"]}
            return Plan("curation_undo_link", params, [f"delete relation {edge}", closing])
        if raw["kind"] == "dismiss":
            changes = [
                f"set {raw['source']}.dismissed -> {undo['a_before']!r}",
                f"set {raw['target']}.dismissed -> {undo['b_before']!r}",
                closing,
            ]
            params = {**common, "a_before": undo["a_before"], "b_before": undo["b_before"]}
            return Plan("curation_undo_dismiss", params, changes)
        return self._plan_undo_merge(raw, undo, common, closing)

    def _plan_undo_merge(
        self, raw: dict[str, Any], undo: dict[str, Any], common: dict[str, Any], closing: str
    ) -> Plan:
        duplicate, canonical = raw["source"], raw["target"]
        changes = [
            *(f"delete relation {_edge(c['source'], c['rel_type'], c['target'])}" for c in undo["creates"]),
            *(
                f"restore {_edge(u['source'], u['rel_type'], u['target'])} properties "
                f"{u['props']!r} -> {u['props_before']!r}"
                for u in undo["updates"]
            ),
            *(
                f"recreate relation {_edge(r['source'], r['rel_type'], r['target'])} {r['props']!r}"
                for r in undo["relations"]
            ),
            *(f"set {x}.merged_into: {canonical!r} -> {duplicate!r}" for x in undo["repoint"]),
            f"set {canonical}.aliases -> {undo['aliases_before']!r}",
            f"set {duplicate}.status -> {undo['status_before']!r}, "
            f"{duplicate}.merged_into -> {undo['merged_into_before']!r}",
            closing,
        ]
        params = {
            **common,
            "duplicate": duplicate,
            "canonical": canonical,
            **{key: undo[key] for key in ("creates", "updates", "relations", "repoint")},
            **{key: undo[key] for key in ("aliases_before", "status_before", "merged_into_before")},
        }
        return Plan("curation_undo_merge", params, changes)

    # --- applying --------------------------------------------------------------------------------

    def _run(self, plan: Plan, dry_run: bool) -> CurationResult:
        if dry_run:
            return CurationResult(dry_run=True, changes=plan.changes)
        return CurationResult(dry_run=False, changes=plan.changes, decision=self.apply(plan))

    def apply(self, plan: Plan) -> Decision:
        """Run a plan's query; its guards write nothing when the graph moved since planning."""
        for name in SETUP_QUERIES:
            self.db.write(self.queries[name])
        records = self.db.write(self.queries[plan.query], **plan.params)
        if not records:
            raise CurationConflict("the graph changed while the decision was prepared; try again")
        return Decision.model_validate(records[0]["decision"])

    # --- checks ----------------------------------------------------------------------------------

    def _decision_record(self, decision_id: str) -> Any:
        records = self.db.read(self.queries["curation_decision"], id=decision_id)
        if not records:
            raise DecisionNotFound(decision_id)
        return records[0]

    def _active_entities(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The entities' states; each must exist and not be merged away."""
        records = self.db.read(self.queries["curation_entities"], ids=list(ids))
        found = {r["entity"]["id"]: dict(r["entity"]) for r in records}
        for entity_id in ids:
            if entity_id not in found:
                raise EntityNotFound(entity_id)
            if found[entity_id].get("status") == "merged":
                raise CurationConflict(
                    f"{entity_id} was merged into {found[entity_id].get('merged_into')}: "
                    "decide on that entity instead"
                )
        return found

    def _relations_between(self, a: str, b: str) -> list[dict[str, Any]]:
        return [r.data() for r in self.db.read(self.queries["curation_relations_between"], a=a, b=b)]

    @staticmethod
    def _distinct(a: str, b: str) -> None:
        if a == b:
            raise InvalidDecision(f"a decision needs two different entities, got {a!r} twice")

    @staticmethod
    def _new_decision(
        kind: DecisionKind,
        entities: list[str],
        source: str,
        target: str,
        who: str,
        why: str,
        undo: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "id": secrets.token_hex(6),
            "kind": kind,
            "entities": entities,
            "touched": sorted(set(entities)),
            "source": source,
            "target": target,
            "who": who,
            "why": why,
            "undo": json.dumps(undo, ensure_ascii=False, sort_keys=True),
        }


def plan_relations(duplicate: str, canonical: str, relations: list[dict[str, Any]]) -> MergePlan:
    """How the duplicate's relations land on the canonical, grouped by (type, neighbour):

    - a relation to the canonical itself would become a self-loop: dropped (undo restores it);
    - when the canonical already has a relation of that type with the neighbour (either direction),
      the group folds into it (see `fold_props`: no description is lost);
    - otherwise the group's first relation moves over, the others fold into it.
    Never two relations of the same type between the canonical and a neighbour.
    """
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[str] = []
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for relation in relations:
        groups.setdefault((relation["rel_type"], relation["other"]), []).append(relation)
    for (rel_type, other), group in groups.items():
        if other == canonical:
            changes += [
                f"delete relation {_edge(r['source'], rel_type, r['target'])}: it would join "
                f"{canonical} to itself (kept in the decision; undo restores it)"
                for r in group
            ]
            continue
        existing = group[0]["existing"]
        if existing:
            into = existing[0]
            props = fold_props(into["props"], [r["props"] for r in group])
            edge = _edge(into["source"], rel_type, into["target"])
            changes += [
                f"delete relation {_edge(r['source'], rel_type, r['target'])}, folded into existing {edge}"
                for r in group
            ]
            if props != into["props"]:
                updates.append(
                    {
                        "source": into["source"],
                        "target": into["target"],
                        "rel_type": rel_type,
                        "props": props,
                        "props_before": into["props"],
                    }
                )
                changes.append(f"set {edge} properties {into['props']!r} -> {props!r}")
            continue
        first = group[0]
        source = canonical if first["source"] == duplicate else first["source"]
        target = canonical if first["target"] == duplicate else first["target"]
        props = fold_props(first["props"], [r["props"] for r in group[1:]])
        creates.append({"source": source, "target": target, "rel_type": rel_type, "props": props})
        changes += [f"delete relation {_edge(r['source'], rel_type, r['target'])}" for r in group]
        changes.append(f"create relation {_edge(source, rel_type, target)} {props!r}")
    return MergePlan(creates, updates, changes)


def fold_props(into: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The properties of a relation others fold into. Its own description and source_ref stay as
    they are (re-ingesting its record must find them unchanged); the others' distinct ones are
    kept beside them, in `merged_descriptions` and `merged_source_refs`."""
    props = dict(into)
    for key, merged_key in (("description", "merged_descriptions"), ("source_ref", "merged_source_refs")):
        known = [into.get(key), *into.get(merged_key, [])]
        extra = [value for value in (p.get(key) for p in others) if value and value not in known]
        if extra:
            props[merged_key] = [*into.get(merged_key, []), *dict.fromkeys(extra)]
    return props


def merged_aliases(
    canonical_name: str, canonical_aliases: list[str], duplicate_name: str, duplicate_aliases: list[str]
) -> list[str]:
    """The canonical's aliases plus the duplicate's name and aliases, none repeated (any case)."""
    aliases = list(canonical_aliases)
    seen = {text.casefold() for text in [canonical_name, *canonical_aliases]}
    for text in [duplicate_name, *duplicate_aliases]:
        if text.casefold() not in seen:
            aliases.append(text)
            seen.add(text.casefold())
    return aliases


def _plain_relation(raw: Any) -> dict[str, Any]:
    relation = dict(raw)
    relation["props"] = dict(relation["props"])
    relation["existing"] = [{**dict(e), "props": dict(e["props"])} for e in relation["existing"]]
    return relation


def _edge(source: str, rel_type: str, target: str) -> str:
    return f"({source})-[:{rel_type}]->({target})"


def _record_change(decision: dict[str, Any]) -> str:
    return (
        f"record a {decision['kind']} decision on {decision['source']}, {decision['target']} "
        f"(by {decision['who']!r}: {decision['why']!r})"
    )
