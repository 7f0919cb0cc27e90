"""A deterministic synthetic research graph for scale runs: `atlas import synthetic`.

The same spec and seed always give the same records. The shape is what large real graphs show:
- degrees follow a power law (endpoints are drawn with probability proportional to rank^-exponent),
  and the first `hubs` entities each take part in `hub_degree` relations on top of that;
- names of 2-5 words and descriptions of 5-150 words (log-normal, median about 25), drawn from a
  pseudo-word vocabulary grouped into topics, so that entities of one topic share words and
  similarity search finds neighbours; half the relations carry a one-sentence description;
- research entity types and relation types (SCHEMA); no relation is a self-loop or a
  duplicate of another (same source, type and target).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.schema import Schema
from ingest.problems import Location
from ingest.readers import RawRecord

ENTITY_TYPES = (
    "concept",
    "paper",
    "thinker",
    "method",
    "claim",
    "question",
    "artifact",
    "framework",
    "quote",
)
ENTITY_TYPE_SHARES = (0.30, 0.30, 0.15, 0.10, 0.05, 0.03, 0.03, 0.02, 0.02)
RELATION_TYPES = (
    "associated_with",
    "cites",
    "extends",
    "uses",
    "supports",
    "studies",
    "introduces",
    "analogous_to",
)
# The types a synthetic graph brings (`atlas import synthetic` adds them to the graph's schema).
SCHEMA = Schema(entity_types=ENTITY_TYPES, relation_types=RELATION_TYPES)
VOCABULARY_SIZE = 6_000
ENTITIES_PER_TOPIC = 20  # on average; topic sizes follow a power law too
WORDS_PER_TOPIC = 12
SYLLABLES = tuple(c + v for c in "bdfgklmnprstvz" for v in "aeiou")


@dataclass(frozen=True)
class SyntheticSpec:
    entities: int = 10_000
    relations: int = 50_000
    hubs: int = 0
    hub_degree: int = 100_000
    exponent: float = 0.9
    seed: int = 7

    def __post_init__(self) -> None:
        if self.entities < 2 or self.relations < 0:
            raise ValueError("a synthetic graph needs at least 2 entities and no negative counts")
        if self.hubs * self.hub_degree > self.relations:
            raise ValueError(
                f"{self.hubs} hubs of {self.hub_degree} relations need at least "
                f"{self.hubs * self.hub_degree} relations, not {self.relations}"
            )
        if self.hubs and self.hub_degree >= self.entities * len(RELATION_TYPES):
            raise ValueError("hub_degree exceeds what distinct relations from a hub can reach")

    @property
    def origin(self) -> Path:
        """Where records say they come from, in error messages."""
        return Path(f"synthetic(entities={self.entities},relations={self.relations},seed={self.seed})")


def generate(spec: SyntheticSpec) -> Iterator[RawRecord]:
    """The entities, then the relations, one at a time: at 1M entities and 5M relations the
    records would not fit in memory beside the validated ones."""
    rng = np.random.default_rng(spec.seed)
    words = _vocabulary(rng)
    topics = max(2, spec.entities // ENTITIES_PER_TOPIC)
    topic_words = rng.integers(0, len(words), size=(topics, WORDS_PER_TOPIC))
    ids: list[str] = []
    yield from _entities(spec, rng, words, topic_words, ids)
    yield from _relations(spec, rng, words, ids)


def _vocabulary(rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        count = int(rng.integers(2, 5))
        words.add("".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=count)))
    return sorted(words)


def _entities(
    spec: SyntheticSpec, rng: np.random.Generator, words: list[str], topic_words: np.ndarray, ids: list[str]
) -> Iterator[RawRecord]:
    """Appends each entity's id to `ids`, for the relations."""
    n, origin = spec.entities, spec.origin  # one path for every record, as a file's reader has
    types = rng.choice(len(ENTITY_TYPES), size=n, p=ENTITY_TYPE_SHARES)
    if spec.hubs:
        types[: spec.hubs] = 0  # hubs are concepts: the kind of entity a field's papers gather around
    topic_weights = np.arange(1, len(topic_words) + 1, dtype=np.float64) ** -0.5
    topics = rng.choice(len(topic_words), size=n, p=topic_weights / topic_weights.sum())
    name_lengths = rng.integers(2, 6, size=n)
    description_lengths = np.clip(rng.lognormal(np.log(25), 0.6, size=n), 5, 150).astype(int)
    for i in range(n):
        own = topic_words[topics[i]]
        name_words = [words[w] for w in rng.choice(own, size=name_lengths[i])]
        # Descriptions mix the topic's words (what makes neighbours similar) with general ones.
        mixed = np.where(
            rng.random(description_lengths[i]) < 0.6,
            rng.choice(own, size=description_lengths[i]),
            rng.integers(0, len(words), size=description_lengths[i]),
        )
        entity_type = ENTITY_TYPES[types[i]]
        entity_id = f"{entity_type}:{'-'.join(name_words)}-{i}"
        ids.append(entity_id)
        data: dict[str, Any] = {
            "kind": "entity",
            "type": entity_type,
            "id": entity_id,
            "name": " ".join(name_words).capitalize(),
            "description": " ".join(words[w] for w in mixed).capitalize() + ".",
            "properties": {"dataset": "synthetic", "topic": int(topics[i])},
        }
        yield RawRecord(Location(origin, i + 1), data)


def _relations(
    spec: SyntheticSpec, rng: np.random.Generator, words: list[str], ids: list[str]
) -> Iterator[RawRecord]:
    n, kinds, origin = spec.entities, len(RELATION_TYPES), spec.origin
    weights = (np.arange(1, n + 1, dtype=np.float64)) ** -spec.exponent
    weights /= weights.sum()
    keys = np.empty(0, dtype=np.int64)  # source * n * kinds + target * kinds + kind, unique
    for hub in range(spec.hubs):
        keys = _add_unique(keys, _hub_keys(hub, spec, rng), spec.hub_degree * (hub + 1))
    while len(keys) < spec.relations:
        missing = spec.relations - len(keys)
        size = int(missing * 1.1) + 16
        sources = rng.choice(n, size=size, p=weights)
        targets = rng.choice(n, size=size, p=weights)
        candidate = (sources * n + targets) * kinds + rng.integers(0, kinds, size=size)
        keys = _add_unique(keys, candidate[sources != targets], spec.relations)
    with_description = rng.random(len(keys)) < 0.5
    for number, key in enumerate(keys.tolist()):
        pair, kind = divmod(key, kinds)
        source, target = divmod(pair, n)
        data = {
            "kind": "relation",
            "source": ids[source],
            "type": RELATION_TYPES[kind],
            "target": ids[target],
            "description": _sentence(rng, words) if with_description[number] else "",
        }
        yield RawRecord(Location(origin, spec.entities + number + 1), data)


def _hub_keys(hub: int, spec: SyntheticSpec, rng: np.random.Generator) -> np.ndarray:
    """Relations of one hub, half outgoing and half incoming, to uniformly drawn others."""
    n, kinds = spec.entities, len(RELATION_TYPES)
    size = int(spec.hub_degree * 1.2) + 16
    others = rng.integers(0, n, size=size)
    others = others[others != hub]
    outgoing = rng.random(len(others)) < 0.5
    sources = np.where(outgoing, hub, others)
    targets = np.where(outgoing, others, hub)
    return np.asarray((sources * n + targets) * kinds + rng.integers(0, kinds, size=len(others)))


def _add_unique(keys: np.ndarray, candidates: np.ndarray, limit: int) -> np.ndarray:
    """`keys` followed by the candidates not already present (first occurrence), up to `limit`."""
    merged = np.concatenate([keys, candidates.astype(np.int64)])
    _, first = np.unique(merged, return_index=True)
    return merged[np.sort(first)][:limit]


def _sentence(rng: np.random.Generator, words: list[str]) -> str:
    length = int(rng.integers(6, 16))
    return " ".join(words[w] for w in rng.integers(0, len(words), size=length)).capitalize() + "."
