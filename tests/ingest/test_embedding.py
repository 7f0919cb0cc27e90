"""The embedding backends (PyTorch, ONNX Runtime) and a model of the user's choice, offline."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.db import Database
from core.queries import Queries
from ingest import embedding
from ingest.embedding import (
    DIMENSIONS,
    SentenceEmbedder,
    model_dimensions,
    model_name_for,
    packaged_model_folder,
)
from ingest.pipeline import Ingester, read_all
from ingest.vector_index import ensure_embedding_index
from tests.conftest import SEEDS

TEXTS = [
    "Alignment Faking: a model complies in training while keeping other preferences",
    "run",
    "stool: solid excretory product evacuated from the bowels",
    "Sören Mindermann: Zürich, naïve café — unicode and accents",
    "long " * 400,  # past the model's 256 tokens: truncated the same way by both backends
    "Q30: sovereign state, country, member state of the United Nations",
]
TINY_DIMENSIONS = 32


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def torch_embedder(onnx_cache: Path) -> SentenceEmbedder:
    return SentenceEmbedder(backend="torch", onnx_cache=onnx_cache)


@pytest.fixture(scope="module")
def onnx_embedder(onnx_cache: Path) -> SentenceEmbedder:
    return SentenceEmbedder(backend="onnx", onnx_cache=onnx_cache)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model of another dimension, built offline: the packaged transformer and pooling, then a
    seeded random projection to 32 dimensions."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Dense, Normalize

    torch.manual_seed(0)
    base = SentenceTransformer(str(packaged_model_folder()), device="cpu", local_files_only=True)
    model = SentenceTransformer(modules=[base[0], base[1], Dense(DIMENSIONS, TINY_DIMENSIONS), Normalize()])
    folder = tmp_path_factory.mktemp("models") / "tiny-minilm"
    model.save(str(folder))
    return folder


def test_onnx_vectors_equal_the_torch_vectors_to_a_cosine_of_at_least_0_9999(
    torch_embedder: SentenceEmbedder, onnx_embedder: SentenceEmbedder
) -> None:
    cosines = np.sum(torch_embedder.encode(TEXTS) * onnx_embedder.encode(TEXTS), axis=1)
    assert cosines.min() >= 0.9999, cosines


def test_an_onnx_vector_does_not_depend_on_the_texts_batched_with_it(onnx_embedder: SentenceEmbedder) -> None:
    batched = onnx_embedder.encode(TEXTS)  # padded to the longest text of the batch
    alone = np.vstack([onnx_embedder.encode([text]) for text in TEXTS])
    assert np.sum(batched * alone, axis=1).min() >= 0.9999


def test_embed_gives_normalised_lists_of_the_models_dimension(onnx_embedder: SentenceEmbedder) -> None:
    vectors = onnx_embedder.embed(TEXTS[:2])
    assert [len(vector) for vector in vectors] == [DIMENSIONS, DIMENSIONS]
    assert np.allclose(np.linalg.norm(np.array(vectors), axis=1), 1.0, atol=1e-5)


def test_the_onnx_graph_is_exported_once_and_then_reused(
    onnx_cache: Path, onnx_embedder: SentenceEmbedder
) -> None:
    (export,) = onnx_cache.glob("*.onnx")
    written = export.stat().st_mtime_ns
    again = SentenceEmbedder(backend="onnx", onnx_cache=onnx_cache)
    assert export.stat().st_mtime_ns == written
    assert np.allclose(again.encode(TEXTS[:2]), onnx_embedder.encode(TEXTS[:2]))


def test_both_backends_store_one_model_name_since_their_vectors_are_interchangeable(
    torch_embedder: SentenceEmbedder, onnx_embedder: SentenceEmbedder
) -> None:
    # The name stored before backends existed: those graphs are not stale after the switch to ONNX.
    assert torch_embedder.model_name == onnx_embedder.model_name == "all-MiniLM-L6-v2"
    assert model_name_for(None, "torch") == model_name_for(None, "onnx")


def test_an_onnx_export_that_differs_from_torch_is_refused_and_not_kept(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding, "INTERCHANGEABLE_COSINE", 1.5)  # no export can be that close
    with pytest.raises(ValueError, match=r"differ from PyTorch's .* use ATLAS_EMBEDDING_BACKEND=torch"):
        SentenceEmbedder(backend="onnx", model_folder=tiny_model, onnx_cache=tmp_path)
    assert list(tmp_path.rglob("*.onnx")) == []


def test_an_unwritable_state_folder_embeds_with_torch_and_says_so(
    tmp_path: Path, torch_embedder: SentenceEmbedder
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # as a read-only state folder in a container: no export fits
    with pytest.warns(UserWarning, match="embedding with PyTorch instead"):
        fallback = SentenceEmbedder(backend="onnx", onnx_cache=blocked / "models")
    assert np.array_equal(fallback.encode(TEXTS), torch_embedder.encode(TEXTS))
    assert fallback.model_name == torch_embedder.model_name


def test_an_unknown_backend_is_refused_naming_the_known_ones(onnx_cache: Path) -> None:
    with pytest.raises(ValueError, match="known backends are torch, onnx"):
        SentenceEmbedder(backend="tensorflow", onnx_cache=onnx_cache)  # type: ignore[arg-type]


def test_a_model_folder_is_named_by_its_files(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(packaged_model_folder(), tmp_path / "minilm"))
    name = model_name_for(copy, "torch")
    assert name.startswith("minilm@") and name == model_name_for(copy, "torch")
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text()) | {
        "pooling_mode_mean_tokens": False,
        "pooling_mode_cls_token": True,
    }
    pooling.write_text(json.dumps(config))
    assert model_name_for(copy, "torch") != name


def test_a_folder_that_is_not_a_model_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a sentence-transformers model folder"):
        model_name_for(tmp_path, "torch")


def test_the_dimension_of_a_model_folder_is_read_without_loading_it(tiny_model: Path) -> None:
    assert model_dimensions(None) == DIMENSIONS
    assert model_dimensions(packaged_model_folder()) == DIMENSIONS
    assert model_dimensions(tiny_model) == TINY_DIMENSIONS


def test_a_local_model_of_another_dimension_embeds_with_it_in_both_backends(
    tiny_model: Path, onnx_cache: Path
) -> None:
    vectors = {
        backend: SentenceEmbedder(backend=backend, model_folder=tiny_model, onnx_cache=onnx_cache).encode(
            TEXTS
        )
        for backend in ("torch", "onnx")
    }
    assert vectors["torch"].shape == (len(TEXTS), TINY_DIMENSIONS)
    assert np.sum(vectors["torch"] * vectors["onnx"], axis=1).min() >= 0.9999


def test_switching_models_re_embeds_every_entity_and_recreates_the_vector_index(
    db: Database, queries: Queries, embedder: SentenceEmbedder, tiny_model: Path, onnx_cache: Path
) -> None:
    tiny = SentenceEmbedder(backend="onnx", model_folder=tiny_model, onnx_cache=onnx_cache)
    records, problems, schema = read_all([SEEDS])
    try:
        Ingester(db, queries, embedder).ingest_records(records, problems, schema)
        entities = db.read("MATCH (n:Entity) RETURN count(n) AS count")[0]["count"]
        switched = Ingester(db, queries, tiny).ingest_records(records, problems, schema)
        assert switched.embeddings_computed == entities
        assert any("384 dimensions" in notice and "recreated" in notice for notice in switched.notices)
        assert any(f"re-embedding {entities} entities" in notice for notice in switched.notices)
        (index,) = db.read(queries["embedding_index_config"])
        assert index["config"]["vector.dimensions"] == TINY_DIMENSIONS
        sizes = db.read("MATCH (n:Entity) RETURN DISTINCT size(n.embedding) AS size")
        assert [record["size"] for record in sizes] == [TINY_DIMENSIONS]
        again = Ingester(db, queries, tiny).ingest_records(records, problems, schema)
        assert again.embeddings_computed == 0 and again.notices == []
    finally:
        ensure_embedding_index(db, queries, DIMENSIONS)  # the session's other tests use the default
