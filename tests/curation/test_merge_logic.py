"""The pure logic of a merge (curation/merge.py), without a database: how each of the duplicate's
relations lands on the canonical, how properties fold, which names become aliases, and which
dismissals carry over. The round trips through Neo4j are in test_decisions.py."""

from __future__ import annotations

from typing import Any

import pytest

from curation.merge import carried_dismissals, fold_props, merged_aliases, plan_relations

DUP, CAN = "concept:dup", "concept:can"


def relation(
    source: str,
    rel_type: str,
    target: str,
    props: dict[str, Any] | None = None,
    existing: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One of the duplicate's relations as the planner reads it (cypher/curation_merge_plan.cypher)."""
    other = target if source == DUP else source
    return {
        "source": source,
        "target": target,
        "rel_type": rel_type,
        "other": other,
        "props": props or {},
        "existing": existing or [],
    }


def existing(source: str, target: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    """A relation of the same type already joining the canonical to the neighbour."""
    return {"source": source, "target": target, "props": props or {}}


def test_a_relation_to_the_canonical_is_dropped_not_turned_into_a_self_loop() -> None:
    plan = plan_relations(DUP, CAN, [relation(DUP, "EXTENDS", CAN), relation(CAN, "PART_OF", DUP)])
    assert (plan.creates, plan.updates) == ([], [])
    assert len(plan.changes) == 2
    assert all("would join concept:can to itself" in change for change in plan.changes)


def test_a_relation_the_canonical_lacks_moves_to_it_in_the_same_direction() -> None:
    plan = plan_relations(
        DUP,
        CAN,
        [
            relation("paper:p", "STUDIES", DUP, {"description": "in", "source_ref": "paper:p"}),
            relation(DUP, "USES", "method:m", {"description": "out"}),
        ],
    )
    assert plan.updates == []
    assert plan.creates == [
        {"source": "paper:p", "target": CAN, "rel_type": "STUDIES",
         "props": {"description": "in", "source_ref": "paper:p"}},
        {"source": CAN, "target": "method:m", "rel_type": "USES", "props": {"description": "out"}},
    ]  # fmt: skip
    assert "create relation (paper:p)-[:STUDIES]->(concept:can)" in plan.changes[1]
    assert plan.changes[0] == "delete relation (paper:p)-[:STUDIES]->(concept:dup)"


@pytest.mark.parametrize(
    ("dup_source", "dup_target"), [(DUP, "concept:x"), ("concept:x", DUP)], ids=["out", "in"]
)
@pytest.mark.parametrize(
    ("can_source", "can_target"), [(CAN, "concept:x"), ("concept:x", CAN)], ids=["same", "reverse"]
)
def test_a_relation_folds_into_the_canonicals_existing_one_in_either_direction(
    dup_source: str, dup_target: str, can_source: str, can_target: str
) -> None:
    into = existing(can_source, can_target, {"description": "canonical's"})
    plan = plan_relations(
        DUP, CAN, [relation(dup_source, "ASSOCIATED_WITH", dup_target, {"description": "dup's"}, [into])]
    )
    assert plan.creates == []  # never two relations of one type between the same two entities
    assert plan.updates == [
        {
            "source": can_source,
            "target": can_target,
            "rel_type": "ASSOCIATED_WITH",
            "props": {"description": "canonical's", "merged_descriptions": ["dup's"]},
            "props_before": {"description": "canonical's"},
        }
    ]
    assert f"folded into existing ({can_source})-[:ASSOCIATED_WITH]->({can_target})" in plan.changes[0]


def test_folding_a_relation_that_adds_nothing_updates_nothing() -> None:
    into = existing(CAN, "concept:x", {"description": "same"})
    plan = plan_relations(DUP, CAN, [relation(DUP, "EXTENDS", "concept:x", {"description": "same"}, [into])])
    assert (plan.creates, plan.updates) == ([], [])
    assert plan.changes == [
        "delete relation (concept:dup)-[:EXTENDS]->(concept:x), "
        "folded into existing (concept:can)-[:EXTENDS]->(concept:x)"
    ]


def test_two_relations_of_one_type_with_one_neighbour_become_one_that_keeps_both_descriptions() -> None:
    plan = plan_relations(
        DUP,
        CAN,
        [
            relation("concept:x", "PART_OF", DUP, {"description": "first"}),
            relation(DUP, "PART_OF", "concept:x", {"description": "second", "source_ref": "paper:s"}),
        ],
    )
    assert plan.creates == [
        {"source": "concept:x", "target": CAN, "rel_type": "PART_OF",
         "props": {"description": "first", "merged_descriptions": ["second"],
                   "merged_source_refs": ["paper:s"]}},
    ]  # fmt: skip


def test_relations_of_different_types_with_one_neighbour_are_planned_separately() -> None:
    plan = plan_relations(
        DUP, CAN, [relation(DUP, "EXTENDS", "concept:x"), relation(DUP, "USES", "concept:x")]
    )
    assert sorted(c["rel_type"] for c in plan.creates) == ["EXTENDS", "USES"]


def test_fold_keeps_its_own_description_and_source_ref_and_adds_the_others_once_in_order() -> None:
    into = {"description": "own", "source_ref": "paper:own", "weight": 1}
    others = [
        {"description": "b", "source_ref": "paper:b"},
        {"description": "own"},  # already there: not repeated
        {"description": "a", "source_ref": "paper:own"},
        {"description": "b"},  # a second time: kept once
        {"description": "", "source_ref": None},  # nothing to keep
    ]
    assert fold_props(into, others) == {
        "description": "own",
        "source_ref": "paper:own",
        "weight": 1,
        "merged_descriptions": ["b", "a"],
        "merged_source_refs": ["paper:b"],
    }
    assert into == {"description": "own", "source_ref": "paper:own", "weight": 1}  # not changed in place


def test_fold_appends_to_descriptions_merged_earlier_without_repeating_them() -> None:
    into = {"description": "own", "merged_descriptions": ["earlier"]}
    folded = fold_props(into, [{"description": "earlier"}, {"description": "new"}])
    assert folded["merged_descriptions"] == ["earlier", "new"]


def test_fold_with_nothing_to_add_returns_the_same_properties() -> None:
    into = {"description": "own"}
    assert fold_props(into, []) == into
    assert fold_props(into, [{"weight": 3}]) == into  # only descriptions and source_refs are kept


def test_fold_keeps_the_descriptions_the_others_had_merged_earlier() -> None:
    folded = fold_props({"description": "A"}, [{"description": "B", "merged_descriptions": ["C"]}])
    assert folded["merged_descriptions"] == ["B", "C"]


def test_merged_aliases_add_the_duplicates_name_and_aliases_once_ignoring_case() -> None:
    aliases = merged_aliases(
        "Reward Hacking",
        ["specification gaming"],
        "reward hacking",  # the canonical's own name in another case: not an alias
        ["Reward Tampering", "Specification Gaming", "reward tampering", "Wireheading"],
    )
    assert aliases == ["specification gaming", "Reward Tampering", "Wireheading"]


def test_merged_aliases_keep_a_differently_named_duplicate_as_an_alias() -> None:
    assert merged_aliases("Mesa-Optimization", [], "Inner Optimizer", []) == ["Inner Optimizer"]


def test_the_duplicates_dismissals_carry_over_to_the_canonical_both_ways() -> None:
    rows = carried_dismissals(
        DUP,
        CAN,
        {DUP: ["concept:a", "concept:b"], CAN: ["concept:z"], "concept:a": [DUP], "concept:b": None},
    )
    assert rows == [
        {"id": "concept:a", "before": [DUP], "after": [DUP, CAN]},
        {"id": "concept:b", "before": None, "after": [CAN]},
        {"id": CAN, "before": ["concept:z"], "after": ["concept:z", "concept:a", "concept:b"]},
    ]


def test_dismissals_already_shared_with_the_canonical_change_nothing() -> None:
    dismissed = {DUP: ["concept:a", CAN], CAN: ["concept:a", DUP], "concept:a": [CAN, DUP]}
    assert carried_dismissals(DUP, CAN, dismissed) == []


def test_a_dismissal_of_an_entity_deleted_since_is_not_carried() -> None:
    assert carried_dismissals(DUP, CAN, {DUP: ["concept:gone"], CAN: None}) == []


def test_a_duplicate_without_dismissals_carries_none() -> None:
    assert carried_dismissals(DUP, CAN, {DUP: None, CAN: ["concept:a"], "concept:a": [CAN]}) == []
