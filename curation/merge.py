"""The pure logic of a merge: how a duplicate's relations, names and dismissals land on the canonical.

No database here: planner.py reads the graph and hands these functions plain dicts, so every case
of a merge is checked by fast unit tests (tests/curation/test_merge_logic.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MergePlan:
    creates: list[dict[str, Any]]
    updates: list[dict[str, Any]]
    changes: list[str]


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
                f"delete relation {edge_text(r['source'], rel_type, r['target'])}: it would join "
                f"{canonical} to itself (kept in the decision; undo restores it)"
                for r in group
            ]
            continue
        existing = group[0]["existing"]
        if existing:
            into = existing[0]
            props = fold_props(into["props"], [r["props"] for r in group])
            edge = edge_text(into["source"], rel_type, into["target"])
            changes += [
                f"delete relation {edge_text(r['source'], rel_type, r['target'])}, "
                f"folded into existing {edge}"
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
        changes += [f"delete relation {edge_text(r['source'], rel_type, r['target'])}" for r in group]
        changes.append(f"create relation {edge_text(source, rel_type, target)} {props!r}")
    return MergePlan(creates, updates, changes)


def fold_props(into: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The properties of a relation others fold into. Its own description and source_ref stay as
    they are (re-ingesting its record must find them unchanged); the others' distinct ones, and
    those they had absorbed in earlier merges, are kept beside them, in `merged_descriptions` and
    `merged_source_refs`."""
    props = dict(into)
    for key, merged_key in (("description", "merged_descriptions"), ("source_ref", "merged_source_refs")):
        known = [into.get(key), *into.get(merged_key, [])]
        theirs = [value for p in others for value in (p.get(key), *p.get(merged_key, []))]
        extra = [value for value in theirs if value and value not in known]
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


def edge_text(source: str, rel_type: str, target: str) -> str:
    return f"({source})-[:{rel_type}]->({target})"


def carried_dismissals(
    duplicate: str, canonical: str, dismissed: dict[str, list[str] | None]
) -> list[dict[str, Any]]:
    """The `dismissed` lists a merge changes, so that a pair dismissed with the duplicate stays
    dismissed with the canonical: each entity the duplicate was dismissed with gets the canonical
    in its list, and the canonical gets it in its own. `dismissed` maps the canonical and those
    entities to their current lists (None: no list). Returns `{id, before, after}` rows."""
    others = [x for x in dismissed.get(duplicate) or [] if x not in (canonical, duplicate)]
    after: dict[str, list[str]] = {}
    for other in others:
        if other not in dismissed:
            continue  # an entity deleted since: nothing to carry
        own = after.setdefault(canonical, list(dismissed.get(canonical) or []))
        if other not in own:
            own.append(other)
        theirs = after.setdefault(other, list(dismissed.get(other) or []))
        if canonical not in theirs:
            theirs.append(canonical)
    return [
        {"id": entity_id, "before": dismissed.get(entity_id), "after": lists}
        for entity_id, lists in sorted(after.items())
        if lists != (dismissed.get(entity_id) or [])
    ]
