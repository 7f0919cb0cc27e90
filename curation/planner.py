"""Planning a decision: read what it depends on, check it makes sense, list every change in words.

A `Plan` names the `cypher/` query that applies it, with its parameters, and the entities it
touches (those the applier locks). The planner reads through a `Runner`: the database for a dry
run, the decision's own locked transaction when it is applied (curator.py), so the same checks run
on what the graph holds at the moment it is written.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.db import Runner
from core.errors import EntityNotFound
from core.queries import Queries
from core.schema import SchemaView
from curation.errors import CurationConflict, DecisionNotFound, InvalidDecision
from curation.merge import carried_dismissals, edge_text, merged_aliases, plan_relations
from curation.models import DecisionKind


@dataclass
class Plan:
    """What an operation will do: the changes in words, and the query with its parameters."""

    query: str
    params: dict[str, Any]
    touched: list[str]  # every entity it changes or depends on: locked before it is applied
    changes: list[str] = field(default_factory=list)
    records_decision: bool = True  # False for an undo: it marks an existing decision undone


class DecisionPlanner:
    def __init__(self, run: Runner, queries: Queries, schema: SchemaView) -> None:
        self.run = run
        self.queries = queries
        self.schema = schema

    def link(
        self, source: str, target: str, relation_type: str, description: str, who: str, why: str
    ) -> Plan:
        rel_type = self._rel_type(relation_type)
        _distinct(source, target)
        self._active_entities([source, target])
        for existing in self._relations_between(source, target):
            if existing["rel_type"] == rel_type and existing["source"] == source:
                raise CurationConflict(f"{edge_text(source, rel_type, target)} already exists")
        decision = new_decision("link", [source, target], source, target, who, why, {"rel_type": rel_type})
        decision.update(relation_type=relation_type, description=description)
        changes = [
            f"create relation {edge_text(source, rel_type, target)} description {description!r}",
            _record_change(decision),
        ]
        params = {
            "source": source,
            "target": target,
            "rel_type": rel_type,
            "description": description,
            "decision": decision,
        }
        return Plan("curation_link", params, decision["touched"], changes)

    def dismiss(self, a: str, b: str, who: str, why: str, relation_type: str | None = None) -> Plan:
        """The pair is not related; with `relation_type`, only the edge a -[relation_type]-> b is
        wrong (a suggestion declined): it is never suggested again."""
        if relation_type is not None:
            return self._dismiss_edge(a, b, relation_type, who, why)
        _distinct(a, b)
        entities = self._active_entities([a, b])
        linked = self._relations_between(a, b)
        if linked:
            edge = linked[0]
            raise CurationConflict(
                f"{a} and {b} are related by {edge_text(edge['source'], edge['rel_type'], edge['target'])}"
            )
        a_before, b_before = entities[a].get("dismissed"), entities[b].get("dismissed")
        if b in (a_before or []) or a in (b_before or []):
            raise CurationConflict(f"the pair {a}, {b} is already dismissed")
        undo = {"a_before": a_before, "b_before": b_before}
        decision = new_decision("dismiss", [a, b], a, b, who, why, undo)
        changes = [
            f"set {a}.dismissed: {a_before!r} -> {[*(a_before or []), b]!r}",
            f"set {b}.dismissed: {b_before!r} -> {[*(b_before or []), a]!r}",
            _record_change(decision),
        ]
        params = {"a": a, "b": b, "a_before": a_before, "b_before": b_before, "decision": decision}
        return Plan("curation_dismiss", params, decision["touched"], changes)

    def _dismiss_edge(self, source: str, target: str, relation_type: str, who: str, why: str) -> Plan:
        rel_type = self._rel_type(relation_type)
        _distinct(source, target)
        entities = self._active_entities([source, target])
        for existing in self._relations_between(source, target):
            if existing["rel_type"] == rel_type and existing["source"] == source:
                raise CurationConflict(
                    f"{edge_text(source, rel_type, target)} exists: it cannot be dismissed"
                )
        out_key, in_key = dismissed_edge_keys(source, relation_type, target)
        a_before, b_before = entities[source].get("dismissed_edges"), entities[target].get("dismissed_edges")
        if out_key in (a_before or []):
            raise CurationConflict(f"{edge_text(source, rel_type, target)} is already dismissed")
        undo = {"a_before": a_before, "b_before": b_before, "edge": True}
        decision = new_decision("dismiss", [source, target], source, target, who, why, undo)
        decision["relation_type"] = relation_type
        changes = [
            f"set {source}.dismissed_edges: {a_before!r} -> {[*(a_before or []), out_key]!r}",
            f"set {target}.dismissed_edges: {b_before!r} -> {[*(b_before or []), in_key]!r}",
            _record_change(decision),
        ]
        params = {
            "a": source,
            "b": target,
            "a_key": out_key,
            "b_key": in_key,
            "a_before": a_before,
            "b_before": b_before,
            "decision": decision,
        }
        return Plan("curation_dismiss_edge", params, decision["touched"], changes)

    def merge(self, duplicate: str, canonical: str, who: str, why: str) -> Plan:
        _distinct(duplicate, canonical)
        self._active_entities([duplicate, canonical])
        record = self.run(self.queries["curation_merge_plan"], duplicate=duplicate, canonical=canonical)[0]
        dup, can = dict(record["duplicate"]), dict(record["canonical"])
        relations = [_plain_relation(r) for r in record["relations"]]
        folded = plan_relations(duplicate, canonical, relations)
        aliases_before = can.get("aliases")
        aliases = merged_aliases(can["name"], aliases_before or [], dup["name"], dup.get("aliases") or [])
        dismissals = self._carried_dismissals(
            duplicate, canonical, dup.get("dismissed"), can.get("dismissed")
        )
        repoint = list(record["merged_into_duplicate"])
        undo = {
            "creates": folded.creates,
            "updates": folded.updates,
            "relations": [{k: r[k] for k in ("source", "target", "rel_type", "props")} for r in relations],
            "repoint": repoint,
            "dismissals": dismissals,
            "aliases_before": aliases_before,
            "status_before": dup.get("status"),
            "merged_into_before": dup.get("merged_into"),
        }
        touched = sorted(
            {duplicate, canonical, *(r["other"] for r in relations), *repoint, *(d["id"] for d in dismissals)}
        )
        decision = new_decision("merge", [duplicate, canonical], duplicate, canonical, who, why, undo)
        decision["touched"] = touched
        changes = [
            *folded.changes,
            *(f"set {x}.merged_into: {duplicate!r} -> {canonical!r}" for x in repoint),
            *(f"set {d['id']}.dismissed: {d['before']!r} -> {d['after']!r}" for d in dismissals),
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
            "dismissals": dismissals,
            "decision": decision,
        }
        return Plan("curation_merge", params, touched, changes)

    def undo(self, decision_id: str, who: str, why: str) -> Plan:
        record = self.decision_record(decision_id)
        raw = dict(record["decision"])
        if raw["status"] != "active":
            raise CurationConflict(f"decision {decision_id} is already undone")
        if record["blocked_by"]:
            later = ", ".join(record["blocked_by"])
            raise CurationConflict(
                f"later decisions touch the same entities: undo them first (newest last): {later}"
            )
        undo = json.loads(record["undo"])
        touched = list(record["touched"])
        common = {"id": decision_id, "who": who, "why": why}
        closing = f"mark decision {decision_id} undone (by {who!r}: {why!r})"
        if raw["kind"] == "link":
            edge = edge_text(raw["source"], undo["rel_type"], raw["target"])
            params = {**common, "rel_type": undo["rel_type"]}
            return Plan("curation_undo_link", params, touched, [f"delete relation {edge}", closing], False)
        if raw["kind"] == "dismiss":  # a pair, or one declined edge: the lists it changed go back
            lists, query = (
                ("dismissed_edges", "curation_undo_dismiss_edge")
                if undo.get("edge")
                else ("dismissed", "curation_undo_dismiss")
            )
            changes = [
                f"set {raw['source']}.{lists} -> {undo['a_before']!r}",
                f"set {raw['target']}.{lists} -> {undo['b_before']!r}",
                closing,
            ]
            params = {**common, "a_before": undo["a_before"], "b_before": undo["b_before"]}
            return Plan(query, params, touched, changes, False)
        return self._undo_merge(raw, undo, touched, common, closing)

    def decision_record(self, decision_id: str) -> Any:
        """The decision as curation_decision.cypher projects it, with its undo record."""
        records = self.run(self.queries["curation_decision"], ids=[decision_id])
        if not records:
            raise DecisionNotFound(decision_id)
        return records[0]

    def _undo_merge(
        self,
        raw: dict[str, Any],
        undo: dict[str, Any],
        touched: list[str],
        common: dict[str, Any],
        closing: str,
    ) -> Plan:
        duplicate, canonical = raw["source"], raw["target"]
        dismissals = undo.get("dismissals", [])  # absent from merges recorded before it was kept
        changes = [
            *(
                f"delete relation {edge_text(c['source'], c['rel_type'], c['target'])}"
                for c in undo["creates"]
            ),
            *(
                f"restore {edge_text(u['source'], u['rel_type'], u['target'])} properties "
                f"{u['props']!r} -> {u['props_before']!r}"
                for u in undo["updates"]
            ),
            *(
                f"recreate relation {edge_text(r['source'], r['rel_type'], r['target'])} {r['props']!r}"
                for r in undo["relations"]
            ),
            *(f"set {x}.merged_into: {canonical!r} -> {duplicate!r}" for x in undo["repoint"]),
            *(f"set {d['id']}.dismissed -> {d['before']!r}" for d in dismissals),
            f"set {canonical}.aliases -> {undo['aliases_before']!r}",
            f"set {duplicate}.status -> {undo['status_before']!r}, "
            f"{duplicate}.merged_into -> {undo['merged_into_before']!r}",
            closing,
        ]
        params = {
            **common,
            "duplicate": duplicate,
            "canonical": canonical,
            "dismissals": dismissals,
            **{key: undo[key] for key in ("creates", "updates", "relations", "repoint")},
            **{key: undo[key] for key in ("aliases_before", "status_before", "merged_into_before")},
        }
        return Plan("curation_undo_merge", params, touched, changes, False)

    def _rel_type(self, relation_type: str) -> str:
        """The Neo4j type of a relation type of the schema; InvalidDecision for any other."""
        if problem := self.schema.unknown_relation_type(relation_type):  # lists this graph's types
            raise InvalidDecision(problem)
        return self.schema.rel_type(relation_type)

    def _active_entities(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The entities' states; each must exist and not be merged away."""
        found = self._entities(ids)
        for entity_id in ids:
            if entity_id not in found:
                raise EntityNotFound(entity_id)
            if found[entity_id].get("status") == "merged":
                raise CurationConflict(
                    f"{entity_id} was merged into {found[entity_id].get('merged_into')}: "
                    "decide on that entity instead"
                )
        return found

    def _entities(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        records = self.run(self.queries["curation_entities"], ids=list(ids))
        return {r["entity"]["id"]: dict(r["entity"]) for r in records}

    def _relations_between(self, a: str, b: str) -> list[dict[str, Any]]:
        return [r.data() for r in self.run(self.queries["curation_relations_between"], a=a, b=b)]

    def _carried_dismissals(
        self, duplicate: str, canonical: str, dup_dismissed: list[str] | None, can_dismissed: list[str] | None
    ) -> list[dict[str, Any]]:
        others = self._entities(dup_dismissed or [])
        lists = {entity_id: entity.get("dismissed") for entity_id, entity in others.items()}
        lists.update({duplicate: dup_dismissed, canonical: can_dismissed})
        return carried_dismissals(duplicate, canonical, lists)


def new_decision(
    kind: DecisionKind,
    entities: list[str],
    source: str,
    target: str,
    who: str,
    why: str,
    undo: dict[str, Any],
) -> dict[str, Any]:
    """The properties of a new :Decision node; its number (`seq`) is given when it is written."""
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


def dismissed_edge_keys(source: str, relation_type: str, target: str) -> tuple[str, str]:
    """How a dismissed edge is recorded on its two entities: `type>target` on the source,
    `type<source` on the target (suggest/service.py reads them)."""
    return f"{relation_type}>{target}", f"{relation_type}<{source}"


def _distinct(a: str, b: str) -> None:
    if a == b:
        raise InvalidDecision(f"a decision needs two different entities, got {a!r} twice")


def _plain_relation(raw: Any) -> dict[str, Any]:
    relation = dict(raw)
    relation["props"] = dict(relation["props"])
    relation["existing"] = [{**dict(e), "props": dict(e["props"])} for e in relation["existing"]]
    return relation


def _record_change(decision: dict[str, Any]) -> str:
    return (
        f"record a {decision['kind']} decision on {decision['source']}, {decision['target']} "
        f"(by {decision['who']!r}: {decision['why']!r})"
    )
