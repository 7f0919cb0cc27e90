"""Shared pieces of the reliability tests: settings for a server of their own, synthetic graphs, a
cheap embedder."""

from __future__ import annotations

import hashlib
import json
import math
import random
from pathlib import Path

from core.settings import Settings
from neo4j_local.server import LocalNeo4j

DIMENSIONS = 384


def settings_for(server: LocalNeo4j, state_dir: Path) -> Settings:
    return Settings(
        neo4j_uri=server.bolt_uri,
        neo4j_user="neo4j",
        neo4j_password=server.password(),
        state_dir=state_dir,
        _env_file=None,
    )


class HashEmbedder:
    """A deterministic unit vector per text. The fault tests are about what reaches the disk, not
    about meaning; the real model would only make them slower."""

    model_name = "test-sha256"

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    @staticmethod
    def _vector(text: str) -> list[float]:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
        rng = random.Random(seed)
        values = [rng.gauss(0, 1) for _ in range(DIMENSIONS)]
        norm = math.sqrt(sum(v * v for v in values))
        return [v / norm for v in values]


RELATION_TYPES = ("extends", "associated_with", "supports", "cites", "uses")


def write_synthetic_graph(path: Path, entities: int, relations: int, seed: int = 7) -> Path:
    """A JSON Lines file with `entities` concepts and `relations` distinct typed relations."""
    rng = random.Random(seed)
    lines = [
        {
            "kind": "entity",
            "type": "concept",
            "id": f"concept:c{i}",
            "name": f"Concept {i}",
            "description": f"Synthetic concept number {i}, about topic {i % 97}.",
            "aliases": [f"C{i}"],
            "properties": {"rank": i, "group": f"g{i % 13}"},
        }
        for i in range(entities)
    ]
    keys: set[tuple[int, str, int]] = set()
    while len(keys) < relations:
        source, target = rng.randrange(entities), rng.randrange(entities)
        if source != target:
            keys.add((source, rng.choice(RELATION_TYPES), target))
    lines += [
        {
            "kind": "relation",
            "source": f"concept:c{s}",
            "type": t,
            "target": f"concept:c{o}",
            "description": f"edge {s}-{o}",
        }
        for s, t, o in sorted(keys)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path
