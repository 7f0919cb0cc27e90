"""The suggester: scores (head, relation, tail) triples from a graph's own edges and texts.

It combines these signals, each a score over all entities for a query (entity, relation, direction):

- ``kge``: ComplEx-N3 with reciprocal relations, trained 1-N on the triples (`suggest.kge`),
  as a log-probability (log-softmax over all entities);
- ``rules``: the best confidence of the symmetry / inverse / two-hop rules mined from the graph
  that predict the candidate (`suggest.rules`);
- ``cosine``: cosine of the stored sentence embeddings of the two entities;
- ``names``: cosine of character n-grams of the two names (`suggest.text`);
- ``gloss`` / ``gloss_rev``: the candidate's name occurs in the query entity's name or description,
  or the other way round, weighted by how early (`suggest.text.Mentions`): a WordNet gloss names
  its hypernym first ("chieftainship: the position of chieftain");
- ``neighbours``: the edges of the query entity's nearest entities by text vote for their own
  answers of the same relation (`suggest.neighbours`: co-hyponyms share their hypernym);
- ``siblings``: the candidate's best cosine to an answer the query already has (the trees known
  as kinds of "tree" say which other entities are);
- ``slot`` / ``slot_taken``: how many answers the candidate already holds on the answer's side
  (log 1 + n, and whether any; `suggest.slots`): a synset that has its hypernym is rarely missing
  another, a popular hypernym is a likely one. Their weights may be negative.

The combined score is a weighted sum, with one weight vector per relation and direction, chosen on
held-out triples (the caller's ``valid`` split, else a sample of the training triples). An entity
is never suggested for itself (Atlas allows no self-loops).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from suggest.evaluation import AnswerIndex, IntArray, ScoreFunction, as_triples, evaluate, reciprocal_queries
from suggest.kge import KGEConfig, TrainedKGE
from suggest.neighbours import AnswerLikeness, CosineRows, NeighbourVotes
from suggest.rules import Rule, RuleConfig, RuleScorer, mine_rules
from suggest.slots import SlotCounts
from suggest.text import Mentions, NameGrams, normalised

Direction = Literal["tail", "head"]
Progress = Callable[[str, float, str], None]
"""(stage, fraction done of that stage, message)."""

FEATURES = (
    "kge",
    "rules",
    "cosine",
    "names",
    "gloss",
    "gloss_rev",
    "neighbours",
    "siblings",
    "slot",
    "slot_taken",
)
TEXT_SIGNALS = ("cosine", "names", "gloss", "gloss_rev")  # the same for every relation of a query entity
SLOT_SIGNALS = ("slot", "slot_taken")  # the same for every query entity of a relation
SELF_SCORE = np.float32(-1e4)  # no self-loops in Atlas: an entity is never its own suggestion
SAMPLE_STRIDE = 64  # `_largest` finds its floor among every 64th value
FORMAT_VERSION = 4  # 2: the neighbours signal; 3: siblings; 4: slots


@dataclass(frozen=True)
class SuggesterConfig:
    kge: KGEConfig = field(default_factory=KGEConfig)
    rules: RuleConfig = field(default_factory=RuleConfig)
    name_dimensions: int = 1024  # 0: no name feature
    # weights of FEATURES used without held-out data
    default_weights: tuple[float, ...] = (1.0, 20.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    neighbours: int = 20  # nearest entities by text whose edges vote (suggest.neighbours)
    grids: tuple[tuple[float, ...], ...] = (
        (1.0,),
        (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
        (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0),
        (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0),
        (0.0, 1.0, 2.0, 5.0, 10.0, 20.0),
        (0.0, 1.0, 2.0, 5.0, 10.0, 20.0),
        (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0),
        (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0),
        (0.0, -10.0, -5.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 5.0),
        (0.0, -20.0, -10.0, -5.0, -2.0, -1.0, 1.0, 2.0, 5.0),
    )
    min_queries_per_relation: int = 30  # fewer held-out queries: the relation uses the global weights
    pool: int = 200  # candidates per feature kept when ranking held-out queries during selection
    holdout_fraction: float = 0.05  # without `valid`: this share of train (at most 2000) selects weights
    min_triples_for_holdout: int = 500
    max_validation_triples: int = 1000  # dev triples used for early stopping of the KGE
    seed: int = 0

    @classmethod
    def for_graph(cls, num_triples: int, num_entities: int, num_relations: int) -> SuggesterConfig:
        """Sizes and epochs by graph size: seconds on a seed graph, under 30 minutes on WN18RR/CoDEx-M."""
        if num_triples < 2_000:
            kge = KGEConfig(rank=32, epochs=60, batch_size=64, negatives=0, eval_every=1000, time_budget_s=20)
            return cls(kge=kge)
        if num_triples < 50_000:
            return cls(kge=KGEConfig(rank=128, epochs=60, batch_size=500, negatives=0, time_budget_s=600))
        # Large graphs: 1-N against a shared sample of entities (a full 1-N epoch on WN18RR costs
        # ~40 minutes on two busy cores), with a wall-clock budget that stops training in time.
        kge = KGEConfig(rank=128, epochs=30, batch_size=1000, negatives=2048, eval_every=2, time_budget_s=900)
        return cls(kge=kge)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SuggesterConfig:
        data = dict(data)
        data["kge"] = KGEConfig(**data["kge"])
        data["rules"] = RuleConfig(**data["rules"])
        data["default_weights"] = tuple(data["default_weights"])
        data["grids"] = tuple(tuple(g) for g in data["grids"])
        return cls(**data)


@dataclass(frozen=True)
class Suggestion:
    entity: int  # the other end of the suggested edge
    relation: int  # forward relation id in [0, R)
    direction: Direction  # "tail": (query, relation, entity); "head": (entity, relation, query)
    score: float


@dataclass
class Suggester:
    config: SuggesterConfig
    num_entities: int
    num_relations: int
    train: IntArray  # the triples it learnt from (rules follow them at query time)
    weights: NDArray[np.float32]  # (2R, len(FEATURES))
    kge: TrainedKGE | None
    rules: list[Rule]
    embeddings: NDArray[np.float32] | None
    names: list[str] | None
    descriptions: list[str] | None = None
    types: list[str] | None = None  # each entity's type: which kinds of edge it usually has
    revision: str = ""
    train_seconds: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)
    _rule_scorer: RuleScorer | None = field(default=None, repr=False)
    _name_grams: NameGrams | None = field(default=None, repr=False)
    _known: AnswerIndex | None = field(default=None, repr=False)
    _mentions: Mentions | None = field(default=None, repr=False)
    _neighbour_votes: NeighbourVotes | None = field(default=None, repr=False)
    _answer_likeness: AnswerLikeness | None = field(default=None, repr=False)
    _slots: SlotCounts | None = field(default=None, repr=False)
    _slot_bias: tuple[NDArray[np.float32], NDArray[np.float32]] | None = field(default=None, repr=False)
    _kind_prior: tuple[NDArray[np.int64], NDArray[np.float32]] | None = field(default=None, repr=False)

    # ---- training --------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        train: IntArray | list[tuple[int, int, int]],
        num_entities: int,
        num_relations: int,
        *,
        embeddings: NDArray[np.floating] | None = None,
        names: list[str] | None = None,
        descriptions: list[str] | None = None,
        types: list[str] | None = None,
        valid: IntArray | None = None,
        dismissed: IntArray | None = None,
        config: SuggesterConfig | None = None,
        progress: Progress | None = None,
        revision: str = "",
    ) -> Suggester:
        """Learn from ``train`` (n, 3) triples of integer ids (head, relation, tail).

        ``embeddings`` (num_entities, d), ``names`` and ``descriptions`` are optional text signals;
        ``types`` (each entity's type) tell which kinds of edge an entity usually has; ``valid`` are
        held-out true triples used only to select epochs and weights (without it a sample of
        ``train`` is held out); ``dismissed`` are triples a curator rejected: pushed down in
        training and never suggested.
        """
        from suggest.kge_training import train_complex  # torch: only where a model is trained

        started = time.perf_counter()
        triples = as_triples(train)
        config = config or SuggesterConfig.for_graph(len(triples), num_entities, num_relations)
        report_progress = progress or (lambda stage, fraction, message: None)
        rng = np.random.default_rng(config.seed)
        fit_triples, held_out, source = triples, as_triples(valid) if valid is not None else None, "valid"
        if held_out is None and len(triples) >= config.min_triples_for_holdout:
            size = min(2000, max(1, int(len(triples) * config.holdout_fraction)))
            chosen = rng.choice(len(triples), size, replace=False)
            mask = np.zeros(len(triples), dtype=bool)
            mask[chosen] = True
            fit_triples, held_out, source = triples[~mask], triples[mask], "train-holdout"
        if held_out is not None and len(held_out) == 0:
            held_out = None
        bad = as_triples(dismissed) if dismissed is not None else None

        report_progress("rules", 0.0, f"mining rules from {len(fit_triples)} triples")
        rules = mine_rules(fit_triples, num_entities, num_relations, config.rules, seed=config.seed)
        report_progress("rules", 1.0, f"{len(rules)} rules")

        text = normalised(embeddings) if embeddings is not None else None
        known = AnswerIndex.build(
            np.concatenate([fit_triples, held_out]) if held_out is not None else fit_triples,
            num_entities,
            num_relations,
        )
        validate: Callable[[TrainedKGE], float] | None = None
        if held_out is not None:
            sample = held_out
            if len(sample) > config.max_validation_triples:
                sample = held_out[rng.choice(len(held_out), config.max_validation_triples, replace=False)]

            def validate(model: TrainedKGE) -> float:
                def score(entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
                    values = _log_softmax(model.scores(entities, relations))
                    values[np.arange(len(entities)), entities] = SELF_SCORE  # as at serving time
                    return values

                return evaluate(score, sample, known).both["mrr"]

        kge = train_complex(
            fit_triples,
            num_entities,
            num_relations,
            config.kge,
            text=text,
            dismissed=bad,
            validate=validate,
            progress=report_progress,
            seed=config.seed,
        )
        suggester = cls(
            config=config,
            num_entities=num_entities,
            num_relations=num_relations,
            train=fit_triples,
            weights=np.tile(np.asarray(config.default_weights, dtype=np.float32), (2 * num_relations, 1)),
            kge=kge,
            rules=rules,
            embeddings=text,
            names=list(names) if names is not None else None,
            descriptions=list(descriptions) if descriptions is not None else None,
            types=list(types) if types is not None else None,
            revision=revision,
        )
        suggester.report = {
            "selection_split": source if held_out is not None else "none (defaults)",
            "rules": len(rules),
            "kge_history": kge.history,
            "kge_best_epoch": kge.best_epoch,
            "kge_epochs_run": kge.epochs_run,
        }
        if held_out is not None:
            report_progress("weights", 0.0, f"selecting weights on {len(held_out)} {source} triples")
            suggester.report["weights"] = suggester._select_weights(held_out, known)
            report_progress("weights", 1.0, "done")
        if source == "train-holdout":  # the held-out triples are graph edges too: follow them from now on
            suggester.train = triples
            suggester.rules = mine_rules(triples, num_entities, num_relations, config.rules, seed=config.seed)
            suggester._rule_scorer = None
            suggester._neighbour_votes = None
            suggester._answer_likeness = None
            suggester._slots = None
            suggester._slot_bias = None
            suggester._kind_prior = None
            suggester._known = None
        if bad is not None and len(bad):
            suggester.report["dismissed"] = len(bad)
        suggester.train_seconds = time.perf_counter() - started
        return suggester

    # ---- scoring ---------------------------------------------------------------------------------

    def features(
        self,
        entities: IntArray,
        relations: IntArray,
        only: frozenset[str] | None = None,
        cosines: CosineRows | None = None,
    ) -> dict[str, NDArray[np.float32]]:
        """Each signal's (batch, num_entities) scores; ``relations`` in [0, 2R).

        ``only`` names the signals wanted (all by default). The text signals do not depend on the
        relation: they are computed once per distinct entity, so the 2R rows of one entity's query
        cost one row of them (this keeps a suggestions request within milliseconds). ``cosines``
        (`cosine_rows`) shares one product of the vectors among the signals that need one.
        """
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        wanted = frozenset(FEATURES) if only is None else only
        distinct, row_of = np.unique(entities, return_inverse=True)
        shape = (len(entities), self.num_entities)
        out: dict[str, NDArray[np.float32]] = {}
        if "kge" in wanted:
            out["kge"] = (
                _log_softmax(self.kge.scores(entities, relations))
                if self.kge is not None
                else np.zeros(shape, np.float32)
            )
        if "rules" in wanted:
            out["rules"] = self.rule_scorer().scores(entities, relations)
        if "neighbours" in wanted and (votes := self.neighbour_votes()) is not None:
            out["neighbours"] = votes.scores(entities, relations, cosines)
        if "siblings" in wanted and (likeness := self.answer_likeness()) is not None:
            out["siblings"] = likeness.scores(entities, relations, cosines)
        if "slot" in wanted:
            out["slot"] = self.slots().counts(entities, relations)
        if "slot_taken" in wanted:
            out["slot_taken"] = self.slots().taken(entities, relations)
        for name, per_entity in self._text_signals(wanted, cosines).items():
            out[name] = per_entity(distinct)[row_of]
        for name in wanted - out.keys():
            out[name] = np.zeros(shape, np.float32)
        return out

    def _text_signals(
        self, wanted: frozenset[str], cosines: CosineRows | None = None
    ) -> dict[str, Callable[[IntArray], NDArray[np.float32]]]:
        """The relation-independent signals available, as functions of the query entities."""
        signals: dict[str, Callable[[IntArray], NDArray[np.float32]]] = {}
        embeddings = self.embeddings
        if "cosine" in wanted and embeddings is not None:
            if cosines is not None:
                signals["cosine"] = cosines.rows
            else:
                signals["cosine"] = lambda rows: CosineRows(embeddings, rows).rows(rows)
        grams = self.name_grams() if "names" in wanted else None
        if grams is not None:
            signals["names"] = grams.similarity
        mentions = self.mentions() if wanted & {"gloss", "gloss_rev"} else None
        if mentions is not None:
            if "gloss" in wanted:
                signals["gloss"] = mentions.mentioned_by
            if "gloss_rev" in wanted:
                signals["gloss_rev"] = mentions.mentioning
        return signals

    def scores_by_relation(self, entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
        """Combined scores (batch, num_entities) of queries (entity, relation in [0, 2R), ?)."""
        entities = np.asarray(entities, dtype=np.int64)
        relations = np.asarray(relations, dtype=np.int64)
        weights = self.weights[relations]
        used = frozenset(name for column, name in enumerate(FEATURES) if np.any(weights[:, column] != 0))
        cosines = self.cosine_rows(entities, relations, used)
        total = self._text_scores(entities, weights, used, cosines)
        total += self.slot_bias()[relations]
        per_query = used.difference(TEXT_SIGNALS, SLOT_SIGNALS)
        for name, values in self.features(entities, relations, per_query, cosines).items():
            values *= weights[:, FEATURES.index(name)][:, None]  # in place: each is a fresh array
            total += values
        total[np.arange(len(entities)), entities] = SELF_SCORE
        return total

    def cosine_rows(self, entities: IntArray, relations: IntArray, used: frozenset[str]) -> CosineRows | None:
        """The cosine rows the ``used`` signals read for these queries, in one product."""
        if self.embeddings is None:
            return None
        needed = [np.zeros(0, dtype=np.int64)]
        if used & {"cosine", "neighbours"}:
            needed.append(np.asarray(entities, dtype=np.int64))
        if "siblings" in used and (likeness := self.answer_likeness()) is not None:
            needed.append(likeness.compared(entities, relations)[1])
        return CosineRows(self.embeddings, np.concatenate(needed))

    def _text_scores(
        self,
        entities: IntArray,
        weights: NDArray[np.float32],
        used: frozenset[str],
        cosines: CosineRows | None,
    ) -> NDArray[np.float32]:
        """The weighted text signals of each query: one small matrix product per distinct entity
        (a suggestions request asks one entity for every relation: one pass, not one per signal)."""
        total = np.zeros((len(entities), self.num_entities), dtype=np.float32)
        signals = self._text_signals(used.intersection(TEXT_SIGNALS), cosines)
        if not signals:
            return total
        columns = [FEATURES.index(name) for name in signals]
        distinct, row_of = np.unique(entities, return_inverse=True)
        values = np.stack([signal(distinct) for signal in signals.values()], axis=1)  # (distinct, F, N)
        order = np.argsort(row_of, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(row_of[order])) + 1)
        for group in groups:
            total[group] = weights[group][:, columns] @ values[row_of[group[0]]]
        return total

    def slot_bias(self) -> NDArray[np.float32]:
        """(2R, num_entities): the weighted slot signals of each relation code, made once per weights."""
        if self._slot_bias is None or self._slot_bias[0] is not self.weights:
            counts = self.slots().by_code
            slot, taken = (self.weights[:, FEATURES.index(name)][:, None] for name in SLOT_SIGNALS)
            self._slot_bias = (self.weights, slot * counts + taken * (counts > 0))
        return self._slot_bias[1]

    def scores(
        self, head_ids: IntArray | list[int], relation_id: int, direction: Direction = "tail"
    ) -> NDArray[np.float32]:
        """Scores over all entities: of (h, relation, ?) for each h when ``direction`` is "tail",
        of (?, relation, h) when it is "head". Shape (len(head_ids), num_entities); higher is better."""
        entities = np.asarray(head_ids, dtype=np.int64).reshape(-1)
        relation = relation_id + (self.num_relations if direction == "head" else 0)
        return self.scores_by_relation(entities, np.full(len(entities), relation, dtype=np.int64))

    def top_k(
        self,
        entity: int,
        k: int = 10,
        *,
        relation: int | None = None,
        direction: Direction | None = None,
        exclude: IntArray | None = None,
        exclude_entities: IntArray | list[int] | None = None,
        admissible: NDArray[np.bool_] | None = None,
    ) -> list[Suggestion]:
        """The ``k`` best edges at ``entity``, never one in the training graph or in ``exclude``
        ((m, 3) triples: e.g. dismissed suggestions), never to an entity of ``exclude_entities``
        (e.g. merged ones). ``relation`` / ``direction`` restrict the kind of edge; ``admissible``
        ((2R, num_entities), relation codes as in `scores_by_relation`) says which other ends each
        kind of edge may have at all (the types the graph's relations join)."""
        relations = range(self.num_relations) if relation is None else [relation]
        directions: list[Direction] = ["tail", "head"] if direction is None else [direction]
        codes = np.array(
            [r + (self.num_relations if d == "head" else 0) for d in directions for r in relations],
            dtype=np.int64,
        )
        codes = self._joinable(codes, admissible)
        if not len(codes):
            return []
        scores = self.scores_by_relation(np.full(len(codes), entity, dtype=np.int64), codes)
        extra = self._index_of(exclude)
        return self._best(entity, codes, scores, k, extra, exclude_entities, admissible)

    def top_k_each(
        self,
        entities: IntArray,
        k: int,
        *,
        exclude: IntArray | None = None,
        admissible: Callable[[int], NDArray[np.bool_] | None] | None = None,
        rows_per_batch: int = 512,
    ) -> Iterator[list[Suggestion]]:
        """`top_k` over every kind of edge for each of ``entities`` in turn, the same answers,
        scored many entities at a time (the fit stores every entity's best edges: one pass per batch
        instead of one per entity). ``admissible(entity)`` gives each entity's mask."""
        all_codes = np.arange(2 * self.num_relations, dtype=np.int64)
        extra = self._index_of(exclude)
        pending: list[tuple[int, IntArray, NDArray[np.bool_] | None]] = []

        def flush() -> Iterator[list[Suggestion]]:
            rows = np.concatenate([codes for _, codes, _ in pending])
            owners = np.concatenate([np.full(len(codes), entity) for entity, codes, _ in pending])
            scores = self.scores_by_relation(owners.astype(np.int64), rows)
            start = 0
            for entity, codes, mask in pending:
                part = scores[start : start + len(codes)]
                start += len(codes)
                yield self._best(entity, codes, part, k, extra, None, mask) if len(codes) else []
            pending.clear()

        for entity in np.asarray(entities, dtype=np.int64).tolist():
            mask = admissible(entity) if admissible is not None else None
            pending.append((entity, self._joinable(all_codes, mask), mask))
            if sum(len(codes) for _, codes, _ in pending) >= rows_per_batch:
                yield from flush()
        if pending:
            yield from flush()

    @staticmethod
    def _joinable(codes: IntArray, admissible: NDArray[np.bool_] | None) -> IntArray:
        """The kinds of edge with an admissible other end: the others are not scored at all."""
        if admissible is None:
            return codes
        return codes[np.asarray(admissible[codes].any(axis=1), dtype=np.bool_)]

    def _index_of(self, exclude: IntArray | None) -> AnswerIndex | None:
        if exclude is None or not len(exclude):
            return None
        return AnswerIndex.build(as_triples(exclude), self.num_entities, self.num_relations)

    def _best(
        self,
        entity: int,
        codes: IntArray,
        scores: NDArray[np.float32],
        k: int,
        excluded: AnswerIndex | None,
        exclude_entities: IntArray | list[int] | None,
        admissible: NDArray[np.bool_] | None,
    ) -> list[Suggestion]:
        """The k best of ``scores`` (a row per relation code of ``codes``) that may be suggested."""
        scores[:, entity] = -np.inf
        for index in (self.known(), excluded):
            if index is not None:
                for row, code in enumerate(codes.tolist()):
                    scores[row, index.known(entity, code)] = -np.inf
        if exclude_entities is not None:
            scores[:, np.asarray(exclude_entities, dtype=np.int64)] = -np.inf
        if admissible is not None:
            np.copyto(scores, -np.inf, where=~admissible[codes])
        self._calibrate(entity, codes, scores)
        flat = scores.reshape(-1)
        best = _largest(flat, k)
        best = best[np.argsort(-flat[best], kind="stable")]
        suggestions = []
        for i in best.tolist():
            code, other = divmod(i, self.num_entities)
            relation, direction = (
                int(codes[code]) % self.num_relations,
                int(codes[code]) >= self.num_relations,
            )
            suggestions.append(Suggestion(other, relation, "head" if direction else "tail", float(flat[i])))
        return suggestions

    def _calibrate(self, entity: int, codes: IntArray, scores: NDArray[np.float32]) -> None:
        """In place, each row (one kind of edge) becomes log P(other end | entity, kind) + log
        P(kind | the entity's type): a softmax over what may still be suggested, plus how often
        edges of that kind and direction meet entities of that type in the graph. The weights are
        chosen to rank within one kind; without this, the best edges across kinds are those of the
        kind whose weights run largest (chosen on dev, top ten across every kind: CoDEx-M Hits@10
        0.04 -> 0.27, WN18RR 0.47 -> 0.52). The order within one kind is unchanged."""
        _log_softmax(scores)
        type_numbers, prior = self.kind_prior()
        scores += prior[codes, type_numbers[entity]][:, None]

    def kind_prior(self) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Each entity's type number, and log P(kind of edge | type) as (2R, types): how the graph's
        edges of each relation and direction meet each type (add-one smoothed)."""
        if self._kind_prior is None:
            names = self.types or [""] * self.num_entities
            number = {name: i for i, name in enumerate(sorted(set(names)))}
            type_numbers = np.array([number[name] for name in names], dtype=np.int64)
            counts = np.ones((2 * self.num_relations, len(number)))
            heads, relations, tails = self.train[:, 0], self.train[:, 1], self.train[:, 2]
            np.add.at(counts, (relations, type_numbers[heads]), 1)
            np.add.at(counts, (relations + self.num_relations, type_numbers[tails]), 1)
            prior = np.log(counts / counts.sum(axis=0, keepdims=True)).astype(np.float32)
            self._kind_prior = (type_numbers, prior)
        return self._kind_prior

    def without(self, names: frozenset[str], held_out: IntArray) -> Suggester:
        """A copy that leaves out the signals ``names``, its weights selected again on ``held_out``
        triples as `fit` selects them: what those signals add, measured (an ablation)."""
        grids = tuple(
            (0.0,) if name in names else grid for name, grid in zip(FEATURES, self.config.grids, strict=True)
        )
        defaults = tuple(
            0.0 if name in names else w for name, w in zip(FEATURES, self.config.default_weights, strict=True)
        )
        config = dataclasses.replace(self.config, grids=grids, default_weights=defaults)
        copy = dataclasses.replace(self, config=config, report={})
        known = AnswerIndex.build(
            np.concatenate([self.train, as_triples(held_out)]), self.num_entities, self.num_relations
        )
        copy.report["weights"] = copy._select_weights(as_triples(held_out), known)
        return copy

    def component_scorers(self) -> dict[str, ScoreFunction]:
        """Each signal alone, as a score function (for measuring what each contributes)."""

        def one(name: str) -> ScoreFunction:
            def score(entities: IntArray, relations: IntArray) -> NDArray[np.float32]:
                values = self.features(entities, relations, only=frozenset({name}))[name]
                values[np.arange(len(entities)), entities] = SELF_SCORE
                return values

            return score

        return {name: one(name) for name in FEATURES if self._has(name)}

    def warm(self) -> None:
        """Build now what scoring builds on first use (rules, neighbour votes, n-grams, the known
        edges, ...): a server calls this when it loads the model, so that no request pays for it
        (on CoDEx-M the first request of each kind paid 60–400 ms)."""
        self.rule_scorer()
        self.neighbour_votes()
        self.answer_likeness()
        self.slot_bias()
        self.name_grams()
        self.mentions()
        self.known()
        self.kind_prior()

    def rule_scorer(self) -> RuleScorer:
        if self._rule_scorer is None:
            self._rule_scorer = RuleScorer(self.rules, self.train, self.num_entities, self.num_relations)
        return self._rule_scorer

    def neighbour_votes(self) -> NeighbourVotes | None:
        if self._neighbour_votes is None and self.embeddings is not None and self.config.neighbours:
            self._neighbour_votes = NeighbourVotes(
                self.embeddings, self.train, self.num_entities, self.num_relations, self.config.neighbours
            )
        return self._neighbour_votes

    def answer_likeness(self) -> AnswerLikeness | None:
        if self._answer_likeness is None and self.embeddings is not None:
            self._answer_likeness = AnswerLikeness(
                self.embeddings, self.train, self.num_entities, self.num_relations
            )
        return self._answer_likeness

    def slots(self) -> SlotCounts:
        if self._slots is None:
            self._slots = SlotCounts(self.train, self.num_entities, self.num_relations)
        return self._slots

    def name_grams(self) -> NameGrams | None:
        if self._name_grams is None and self.names is not None and self.config.name_dimensions:
            self._name_grams = NameGrams(self.names, self.config.name_dimensions)
        return self._name_grams

    def mentions(self) -> Mentions | None:
        if self._mentions is None and self.names is not None and self.descriptions is not None:
            self._mentions = Mentions.build(self.names, self.descriptions)
        return self._mentions

    def known(self) -> AnswerIndex:
        if self._known is None:
            self._known = AnswerIndex.build(self.train, self.num_entities, self.num_relations)
        return self._known

    # ---- weight selection ------------------------------------------------------------------------

    def _select_weights(self, held_out: IntArray, known: AnswerIndex) -> dict[str, Any]:
        """Coordinate ascent on held-out MRR: global weights first, then per relation and direction."""
        entities, relations, targets = reciprocal_queries(held_out, self.num_relations)
        features, valid = self._pooled(entities, relations, targets, known)
        active = [i for i, name in enumerate(FEATURES) if self._has(name)]
        start = np.array([g[0] if i in active else 0.0 for i, g in enumerate(self.config.grids)], np.float32)
        start[0] = 1.0 if self.kge is not None else 0.0
        for i in active:
            start[i] = self.config.default_weights[i]
        everything = np.arange(len(targets))
        global_weights, global_mrr, tried = self._ascend(features, valid, everything, start, active)
        report: dict[str, Any] = {
            "default_mrr": _pooled_mrr(features, valid, everything, start),
            "global": {
                "weights": dict(zip(FEATURES, global_weights.tolist(), strict=True)),
                "mrr": global_mrr,
            },
            "tried_global": tried,
            "per_relation": {},
        }
        weights = np.tile(global_weights, (2 * self.num_relations, 1))
        for code in range(2 * self.num_relations):
            rows = np.flatnonzero(relations == code)
            if len(rows) < self.config.min_queries_per_relation:
                continue
            chosen, mrr, _ = self._ascend(features, valid, rows, global_weights, active)
            weights[code] = chosen
            report["per_relation"][str(code)] = {
                "queries": len(rows),
                "global_mrr": _pooled_mrr(features, valid, rows, global_weights),
                "mrr": mrr,
                "weights": dict(zip(FEATURES, chosen.tolist(), strict=True)),
            }
        self.weights = weights.astype(np.float32)
        combined = np.einsum("qcf,qf->qc", features, self.weights[relations])
        report["selected_mrr_pooled"] = _mrr_of(combined, valid)
        return report

    def _has(self, name: str) -> bool:
        return {
            "kge": self.kge is not None,
            "rules": bool(self.rules),
            "cosine": self.embeddings is not None,
            "names": self.names is not None and self.config.name_dimensions > 0,
            "gloss": self.names is not None and self.descriptions is not None,
            "gloss_rev": self.names is not None and self.descriptions is not None,
            "neighbours": self.embeddings is not None and self.config.neighbours > 0,
            "siblings": self.embeddings is not None,
            "slot": True,
            "slot_taken": True,
        }[name]

    def _ascend(
        self,
        features: NDArray[np.float32],
        valid: NDArray[np.bool_],
        rows: IntArray,
        start: NDArray[np.float32],
        active: list[int],
        rounds: int = 2,
    ) -> tuple[NDArray[np.float32], float, list[dict[str, Any]]]:
        best = start.astype(np.float32).copy()
        best_mrr = _pooled_mrr(features, valid, rows, best)
        tried: list[dict[str, Any]] = []
        for _ in range(rounds):
            improved = False
            for i in active:
                for value in self.config.grids[i]:
                    if value == best[i]:
                        continue
                    candidate = best.copy()
                    candidate[i] = value
                    mrr = _pooled_mrr(features, valid, rows, candidate)
                    tried.append({"weights": candidate.tolist(), "mrr": mrr})
                    if mrr > best_mrr + 1e-6:
                        best, best_mrr, improved = candidate, mrr, True
            if not improved:
                break
        return best, best_mrr, tried

    def _pooled(
        self, entities: IntArray, relations: IntArray, targets: IntArray, known: AnswerIndex, batch: int = 128
    ) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        """Features of each query's candidate pool: the top ``pool`` of every signal, target last."""
        pool = min(self.config.pool, self.num_entities)
        width = len(FEATURES) * pool + 1
        features = np.zeros((len(targets), width, len(FEATURES)), dtype=np.float32)
        valid = np.zeros((len(targets), width), dtype=bool)
        for start in range(0, len(targets), batch):
            rows = np.arange(start, min(start + batch, len(targets)))
            values = self.features(entities[rows], relations[rows])
            filtered = np.zeros((len(rows), self.num_entities), dtype=bool)
            mask_rows, mask_columns = known.mask_rows(entities[rows], relations[rows])
            filtered[mask_rows, mask_columns] = True
            local = np.arange(len(rows))
            filtered[local, targets[rows]] = False
            filtered[local, entities[rows]] = True  # never a self-loop
            columns = []
            for name in FEATURES:
                value = np.where(filtered, -np.inf, values[name])
                columns.append(np.argpartition(-value, pool - 1, axis=1)[:, :pool])
            candidates = np.concatenate([*columns, targets[rows][:, None]], axis=1)
            order = np.argsort(candidates[:, :-1], axis=1, kind="stable")
            ordered = np.take_along_axis(candidates[:, :-1], order, axis=1)
            duplicate = np.zeros_like(ordered, dtype=bool)
            duplicate[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
            ok = (
                ~duplicate
                & ~np.take_along_axis(filtered, ordered, axis=1)
                & (ordered != targets[rows][:, None])
            )
            candidates = np.concatenate([ordered, targets[rows][:, None]], axis=1)
            valid[rows] = np.concatenate([ok, np.ones((len(rows), 1), dtype=bool)], axis=1)
            for column, name in enumerate(FEATURES):
                features[rows, :, column] = np.take_along_axis(values[name], candidates, axis=1)
        return features, valid

    # ---- persistence -----------------------------------------------------------------------------

    def save(self, folder: Path | str) -> None:
        """Write the model as plain files: ``suggester.json`` (config, metadata, rules) and
        ``arrays.npz`` (numbers only; loaded with ``allow_pickle=False``)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, NDArray[Any]] = {"train": self.train.astype(np.int64), "weights": self.weights}
        if self.kge is not None:
            arrays["kge_entity"] = self.kge.entity
            arrays["kge_relation"] = self.kge.relation
        if self.embeddings is not None:
            arrays["embeddings"] = self.embeddings.astype(np.float16)
        np.savez(folder / "arrays.npz", **arrays)  # type: ignore[arg-type]
        meta = {
            "format": FORMAT_VERSION,
            "features": list(FEATURES),
            "config": self.config.to_json(),
            "num_entities": self.num_entities,
            "num_relations": self.num_relations,
            "revision": self.revision,
            "train_seconds": self.train_seconds,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rules": [dataclasses.asdict(rule) for rule in self.rules],
            "names": self.names,
            "descriptions": self.descriptions,
            "types": self.types,
            "kge": None
            if self.kge is None
            else {
                "history": self.kge.history,
                "epochs_run": self.kge.epochs_run,
                "best_epoch": self.kge.best_epoch,
            },
            "report": self.report,
        }
        (folder / "suggester.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path | str) -> Suggester:
        folder = Path(folder)
        meta = json.loads((folder / "suggester.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported suggester format {meta.get('format')!r}")
        with np.load(folder / "arrays.npz", allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        kge = None
        if "kge_entity" in arrays:
            info = meta["kge"]
            kge = TrainedKGE(
                arrays["kge_entity"].astype(np.float32),
                arrays["kge_relation"].astype(np.float32),
                info["history"],
                info["epochs_run"],
                info["best_epoch"],
            )
        embeddings = arrays["embeddings"].astype(np.float32) if "embeddings" in arrays else None
        return cls(
            config=SuggesterConfig.from_json(meta["config"]),
            num_entities=int(meta["num_entities"]),
            num_relations=int(meta["num_relations"]),
            train=arrays["train"].astype(np.int64),
            weights=arrays["weights"].astype(np.float32),
            kge=kge,
            rules=[
                Rule(r["head"], tuple(r["body"]), r["confidence"], r["support"], r["body_count"])
                for r in meta["rules"]
            ],
            embeddings=embeddings,
            names=meta["names"],
            descriptions=meta.get("descriptions"),
            types=meta.get("types"),
            revision=str(meta["revision"]),
            train_seconds=float(meta["train_seconds"]),
            report=meta["report"],
        )


def _largest(values: NDArray[np.float32], k: int) -> IntArray:
    """Positions of the (at most) k largest values above -inf, in no particular order.

    Only the values at or above a floor are partitioned: the k-th largest of every SAMPLE_STRIDE-th
    value, which is no higher than the k-th largest of all (the sample's k are among them). On a
    WN18RR row of every kind of edge (900k values) that is ~1 ms against 22 ms for numpy's
    partition of the whole row, which slows down further among many equal values (a type mask
    leaves most of a row at -inf)."""
    allowed = values > -np.inf
    count = int(np.count_nonzero(allowed))
    k = min(k, count)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    sample = values[::SAMPLE_STRIDE]
    sample = sample[sample > -np.inf]
    if len(sample) >= k:
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        positions = np.flatnonzero(values >= floor)
    else:
        positions = np.flatnonzero(allowed)
    return positions[np.argpartition(values[positions], len(positions) - k)[len(positions) - k :]]


def _log_softmax(scores: NDArray[np.floating]) -> NDArray[np.float32]:
    """Row-wise log-softmax, in place when ``scores`` is already a float32 array (fewer passes
    over a request's rows of every entity). A row with nothing left (all -inf) stays -inf."""
    values = np.asarray(scores, dtype=np.float32)
    peak = values.max(axis=1, keepdims=True)
    values -= np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        log_total = np.log(np.exp(values).sum(axis=1, keepdims=True))
    values -= np.where(np.isfinite(log_total), log_total, 0.0)
    return values


def _mrr_of(combined: NDArray[np.float32], valid: NDArray[np.bool_]) -> float:
    """MRR of pooled queries whose target is the last column (realistic rank among valid columns)."""
    if len(combined) == 0:
        return 0.0
    target = combined[:, -1:]
    greater = ((combined > target) & valid).sum(axis=1)
    equal = ((combined == target) & valid).sum(axis=1) - 1
    return float(np.mean(1.0 / (1.0 + greater + equal / 2.0)))


def _pooled_mrr(
    features: NDArray[np.float32], valid: NDArray[np.bool_], rows: IntArray, weights: NDArray[np.float32]
) -> float:
    return _mrr_of(features[rows] @ weights.astype(np.float32), valid[rows])
