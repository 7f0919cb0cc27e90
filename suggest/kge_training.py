"""Training ComplEx-N3 (see `suggest.kge`) with torch: imported only when a model is fitted.

An entity's vector is a free embedding plus, when text vectors are given, a learnt linear
projection of its (frozen) text embedding: entities seen in few triples still get a sensible
place from what their text says.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch
from numpy.typing import NDArray

from suggest.kge import KGEConfig, TrainedKGE

Progress = Callable[[str, float, str], None]


class ComplExModel(torch.nn.Module):
    def __init__(
        self,
        num_entities: int,
        num_relations: int,
        rank: int,
        init_scale: float,
        text: NDArray[np.float32] | None,
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        self.rank = rank
        self.entity = torch.nn.Parameter(
            torch.randn(num_entities, 2 * rank, generator=generator) * init_scale
        )
        self.relation = torch.nn.Parameter(
            torch.randn(2 * num_relations, 2 * rank, generator=generator) * init_scale
        )
        self.text: torch.Tensor | None = None
        self.projection: torch.nn.Parameter | None = None
        if text is not None:
            self.text = torch.from_numpy(np.ascontiguousarray(text, dtype=np.float32))
            scale = init_scale * math.sqrt(2 * rank) / math.sqrt(text.shape[1])
            self.projection = torch.nn.Parameter(
                torch.randn(text.shape[1], 2 * rank, generator=generator) * scale
            )

    def entities(self, index: torch.Tensor | None = None) -> torch.Tensor:
        free = self.entity if index is None else self.entity[index]
        if self.text is None or self.projection is None:
            return free
        text = self.text if index is None else self.text[index]
        return free + text @ self.projection

    def queries(self, heads: torch.Tensor, relations: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The complex product e_h * w_r, as [re | im], and the factors for N3."""
        h = self.entities(heads)
        w = self.relation[relations]
        h_re, h_im = h[:, : self.rank], h[:, self.rank :]
        w_re, w_im = w[:, : self.rank], w[:, self.rank :]
        q = torch.cat([h_re * w_re - h_im * w_im, h_re * w_im + h_im * w_re], dim=1)
        return q, h, w

    @staticmethod
    def n3(vectors: torch.Tensor, rank: int) -> torch.Tensor:
        modulus = torch.sqrt(vectors[:, :rank] ** 2 + vectors[:, rank:] ** 2 + 1e-12)
        return (modulus**3).sum()


def train_complex(
    train: NDArray[np.int64],
    num_entities: int,
    num_relations: int,
    config: KGEConfig,
    *,
    text: NDArray[np.float32] | None = None,
    dismissed: NDArray[np.int64] | None = None,
    validate: Callable[[TrainedKGE], float] | None = None,
    progress: Progress | None = None,
    seed: int = 0,
) -> TrainedKGE:
    """Train ComplEx-N3 on ``train`` (n, 3); keep the epoch with the best ``validate`` score.

    Small problems run on one thread: there, thread hand-offs cost more than they save.
    """
    threads = torch.get_num_threads()
    if num_entities * config.rank < 200_000:
        torch.set_num_threads(1)
    try:
        return _train(train, num_entities, num_relations, config, text, dismissed, validate, progress, seed)
    finally:
        torch.set_num_threads(threads)


def _train(
    train: NDArray[np.int64],
    num_entities: int,
    num_relations: int,
    config: KGEConfig,
    text: NDArray[np.float32] | None,
    dismissed: NDArray[np.int64] | None,
    validate: Callable[[TrainedKGE], float] | None,
    progress: Progress | None,
    seed: int,
) -> TrainedKGE:
    generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ComplExModel(
        num_entities,
        num_relations,
        config.rank,
        config.init_scale,
        text if config.use_text else None,
        generator,
    )
    optimiser = torch.optim.Adagrad(model.parameters(), lr=config.learning_rate)
    heads = np.concatenate([train[:, 0], train[:, 2]])
    relations = np.concatenate([train[:, 1], train[:, 1] + num_relations])
    tails = np.concatenate([train[:, 2], train[:, 0]])
    bad = _reciprocal(dismissed, num_relations) if dismissed is not None and len(dismissed) else None
    started = time.perf_counter()
    history: list[dict[str, float]] = []
    best_score, best_epoch, stale = -1.0, 0, 0
    best: TrainedKGE | None = None
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(len(heads))
        total = 0.0
        model.train()
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            total += _step(
                model, optimiser, heads[batch], relations[batch], tails[batch], config, rng, num_entities
            )
            if bad is not None:
                _dismissed_step(model, optimiser, bad, config, rng)
        epochs_run = epoch
        elapsed = time.perf_counter() - started
        record = {"epoch": float(epoch), "loss": total / max(1, len(order)), "seconds": elapsed}
        out_of_time = elapsed * (epoch + 1) / epoch > config.time_budget_s  # the next epoch would not fit
        last = epoch == config.epochs or out_of_time
        if validate is not None and (epoch % config.eval_every == 0 or last):
            snapshot = _snapshot(model, history, epoch, epoch)
            score = validate(snapshot)
            record["dev_mrr"] = score
            if score > best_score:
                best_score, best_epoch, best, stale = score, epoch, snapshot, 0
            else:
                stale += 1
        history.append(record)
        if progress is not None:
            dev = f", dev MRR {record['dev_mrr']:.3f}" if "dev_mrr" in record else ""
            progress("kge", epoch / config.epochs, f"epoch {epoch}: loss {record['loss']:.4f}{dev}")
        if out_of_time or (validate is not None and stale >= config.patience):
            break
    if best is None:
        best, best_epoch = _snapshot(model, history, epochs_run, epochs_run), epochs_run
    best.history, best.epochs_run, best.best_epoch = history, epochs_run, best_epoch
    return best


def _reciprocal(triples: NDArray[np.int64], num_relations: int) -> NDArray[np.int64]:
    forward = triples[:, [0, 1, 2]]
    backward = np.stack([triples[:, 2], triples[:, 1] + num_relations, triples[:, 0]], axis=1)
    return np.concatenate([forward, backward]).astype(np.int64)


def _step(
    model: ComplExModel,
    optimiser: torch.optim.Optimizer,
    heads: NDArray[np.int64],
    relations: NDArray[np.int64],
    tails: NDArray[np.int64],
    config: KGEConfig,
    rng: np.random.Generator,
    num_entities: int,
) -> float:
    h = torch.from_numpy(heads)
    r = torch.from_numpy(relations)
    q, h_vec, w_vec = model.queries(h, r)
    if config.negatives and config.negatives < num_entities:
        sample = rng.integers(0, num_entities, config.negatives)
        candidates, inverse = np.unique(np.concatenate([tails, sample]), return_inverse=True)
        candidate_vectors = model.entities(torch.from_numpy(candidates))
        labels = torch.from_numpy(inverse[: len(tails)].astype(np.int64))
        tail_vectors = candidate_vectors[labels]
    else:
        candidate_vectors = model.entities()
        labels = torch.from_numpy(tails)
        tail_vectors = candidate_vectors[labels]
    logits = q @ candidate_vectors.T
    loss = torch.nn.functional.cross_entropy(logits, labels, reduction="sum")
    reg = config.regularisation * (
        model.n3(h_vec, model.rank) + model.n3(w_vec, model.rank) + model.n3(tail_vectors, model.rank)
    )
    optimiser.zero_grad(set_to_none=True)
    ((loss + reg) / len(heads)).backward()  # type: ignore[no-untyped-call]
    optimiser.step()
    return float(loss.detach())


def _dismissed_step(
    model: ComplExModel,
    optimiser: torch.optim.Optimizer,
    bad: NDArray[np.int64],
    config: KGEConfig,
    rng: np.random.Generator,
) -> None:
    """Push the scores of dismissed suggestions down (a logistic loss on known-false triples)."""
    rows = bad[rng.integers(0, len(bad), min(len(bad), config.batch_size))]
    q, _, _ = model.queries(torch.from_numpy(rows[:, 0]), torch.from_numpy(rows[:, 1]))
    t = model.entities(torch.from_numpy(rows[:, 2]))
    loss = config.dismissed_weight * torch.nn.functional.softplus((q * t).sum(dim=1)).mean()
    optimiser.zero_grad(set_to_none=True)
    loss.backward()  # type: ignore[no-untyped-call]
    optimiser.step()


def _snapshot(model: ComplExModel, history: list[dict[str, float]], epochs: int, best: int) -> TrainedKGE:
    with torch.no_grad():
        entity = model.entities().detach().numpy().astype(np.float32, copy=True)
        relation = model.relation.detach().numpy().astype(np.float32, copy=True)
    return TrainedKGE(entity, relation, list(history), epochs, best)
