"""Rules mined from the graph: r(x, y) <= b(x, y) and r(x, z) <= b1(x, y), b2(y, z).

Relations live in the reciprocal space [0, 2R): ``r + R`` is ``r`` read backwards, so a symmetric
relation is the rule r(x, y) <= (r + R)(x, y), an inverse pair r(x, y) <= (s + R)(x, y), and a
two-hop path any composition of two (possibly reversed) relations. A rule's confidence is
``support / (body + smoothing)`` on the training triples (AnyBURL's estimate, Meilicke et al.,
2019); a candidate's rule score is the highest confidence of the rules that predict it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from suggest.evaluation import AnswerIndex, reciprocal_queries


@dataclass(frozen=True)
class Rule:
    head: int  # the predicted relation, in [0, 2R)
    body: tuple[int, ...]  # one or two relations in [0, 2R), followed from the query entity
    confidence: float
    support: int
    body_count: int


@dataclass(frozen=True)
class RuleConfig:
    min_support: int = 2
    min_confidence: float = 0.02
    smoothing: float = 5.0
    max_body_pairs: int = 2_000_000  # a two-hop body with more (x, z) pairs is estimated on a sample
    max_rules_per_relation: int = 30
    paths: bool = True


class _Edges:
    """Train edges in the reciprocal space, indexed by (x, z) pair for fast support counts."""

    def __init__(self, train: NDArray[np.int64], num_entities: int, num_relations: int) -> None:
        self.n = num_entities
        self.num_relations = num_relations
        self.index = AnswerIndex.build(train, num_entities, num_relations)
        x, r, z = reciprocal_queries(train, num_relations)
        pair = x * num_entities + z
        order = np.argsort(pair, kind="stable")
        self.pair, self.pair_relation = pair[order], r[order]
        self.by_relation = [(x[r == k], z[r == k]) for k in range(2 * num_relations)]
        self.out_degree = np.zeros((2 * num_relations, num_entities), dtype=np.int64)
        np.add.at(self.out_degree, (r, x), 1)

    def support(self, body_pairs: NDArray[np.int64]) -> NDArray[np.int64]:
        """For each relation in [0, 2R), how many of the (unique) body pairs it connects."""
        left = np.searchsorted(self.pair, body_pairs, "left")
        right = np.searchsorted(self.pair, body_pairs, "right")
        lengths = right - left
        hits = np.repeat(left, lengths) + _ranges(lengths)
        return np.bincount(self.pair_relation[hits], minlength=2 * self.num_relations)


def _ranges(lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """0..l-1 for each l, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def mine_rules(
    train: NDArray[np.int64],
    num_entities: int,
    num_relations: int,
    config: RuleConfig | None = None,
    seed: int = 0,
) -> list[Rule]:
    """All length-1 and length-2 rules with enough support and confidence, best first per relation."""
    config = config or RuleConfig()
    edges = _Edges(train, num_entities, num_relations)
    rng = np.random.default_rng(seed)
    relation_count = 2 * num_relations
    rules: list[Rule] = []
    for body in range(relation_count):
        x, y = edges.by_relation[body]
        if len(x) == 0:
            continue
        pairs = np.unique(x * num_entities + y)
        rules += _rules_for_body((body,), pairs, len(pairs), edges, config, exclude=body)
    if config.paths:
        for first in range(relation_count):
            x1, y1 = edges.by_relation[first]
            if len(x1) == 0:
                continue
            in_degree = np.bincount(y1, minlength=num_entities)
            for second in range(relation_count):
                estimate = int(in_degree @ edges.out_degree[second])
                if estimate == 0:
                    continue
                keep = 1.0
                sources = np.unique(x1)
                if estimate > config.max_body_pairs:
                    keep = config.max_body_pairs / estimate
                    sources = sources[rng.random(len(sources)) < keep]
                mask = np.isin(x1, sources)
                xs, ys = x1[mask], y1[mask]
                rows, zs = edges.index.mask_rows(ys, np.full(len(ys), second, dtype=np.int64))
                starts = xs[rows]
                valid = starts != zs
                pairs = np.unique(starts[valid] * num_entities + zs[valid])
                if len(pairs) == 0:
                    continue
                rules += _rules_for_body((first, second), pairs, len(pairs), edges, config, exclude=None)
    by_head: dict[int, list[Rule]] = {}
    for rule in rules:
        by_head.setdefault(rule.head, []).append(rule)
    kept: list[Rule] = []
    for head in sorted(by_head):
        ordered = sorted(by_head[head], key=lambda rule: (-rule.confidence, -rule.support, rule.body))
        kept += ordered[: config.max_rules_per_relation]
    return kept


def _rules_for_body(
    body: tuple[int, ...],
    pairs: NDArray[np.int64],
    body_count: int,
    edges: _Edges,
    config: RuleConfig,
    exclude: int | None,
) -> list[Rule]:
    support = edges.support(pairs)
    found = []
    for head in np.flatnonzero(support >= config.min_support):
        if exclude is not None and head == exclude:
            continue
        confidence = float(support[head]) / (body_count + config.smoothing)
        if confidence >= config.min_confidence:
            found.append(Rule(int(head), body, confidence, int(support[head]), body_count))
    return found


class RuleScorer:
    """Applies mined rules to queries, using the training graph's edges: every (query, rule) pair
    of a batch is followed at once, one body step at a time (a suggestions request asks one entity
    for every relation, a few hundred rules; one by one they cost a numpy call each)."""

    def __init__(
        self, rules: list[Rule], train: NDArray[np.int64], num_entities: int, num_relations: int
    ) -> None:
        self.rules = rules
        self.num_entities = num_entities
        self.index = AnswerIndex.build(train, num_entities, num_relations)
        # rules in order of their head relation: the rules of relation code k are
        # [offsets[k], offsets[k + 1]) of `heads`, `confidences` and `steps`
        ordered = sorted(rules, key=lambda rule: rule.head)
        heads = np.array([rule.head for rule in ordered], dtype=np.int64)
        self.offsets = np.searchsorted(heads, np.arange(2 * num_relations + 1)).astype(np.int64)
        self.confidences = np.array([rule.confidence for rule in ordered], dtype=np.float32)
        longest = max((len(rule.body) for rule in ordered), default=0)
        # steps[i, j]: the j-th relation rule i follows, or -1 once its body has ended
        self.steps = np.full((len(ordered), longest), -1, dtype=np.int64)
        for i, rule in enumerate(ordered):
            self.steps[i, : len(rule.body)] = rule.body

    def scores(self, entities: NDArray[np.int64], relations: NDArray[np.int64]) -> NDArray[np.float32]:
        """(batch, num_entities): the best confidence of a rule predicting each candidate, else 0."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        out = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        starts, ends = self.offsets[relations], self.offsets[relations + 1]
        rows = np.repeat(np.arange(len(entities)), ends - starts)  # one (row, rule) pair each
        rules = np.repeat(starts, ends - starts) + _ranges(ends - starts)
        at = entities[rows]
        for step in range(self.steps.shape[1]):
            relation = self.steps[rules, step]
            going = relation >= 0
            finished = (rows[~going], rules[~going], at[~going])
            moved, at = self.index.mask_rows(at[going], relation[going])
            rows = np.concatenate([finished[0], rows[going][moved]])
            rules = np.concatenate([finished[1], rules[going][moved]])
            at = np.concatenate([finished[2], at])
        keep = at != entities[rows]  # a rule never predicts the query entity itself
        np.maximum.at(out, (rows[keep], at[keep]), self.confidences[rules[keep]])
        return out
