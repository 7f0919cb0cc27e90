"""ComplEx with reciprocal relations and N3 regularisation (Lacroix, Usunier & Obozinski, ICML 2018).

Every triple (h, r, t) is learnt in both directions, as tail prediction (h, r, ?) and as tail
prediction on the reciprocal relation (t, r + R, ?), so head prediction needs no second model.
Training (`suggest.kge_training`, torch) is 1-N: a query is scored against all entities (or, on
large graphs, against a shared random sample of them plus the batch's answers), with a softmax
cross-entropy loss.

This module is what scoring needs, numpy only: serving suggestions never imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class KGEConfig:
    rank: int = 200  # complex dimensions (2 * rank real numbers per vector)
    epochs: int = 50
    batch_size: int = 1000
    negatives: int = 0  # 0: score against every entity; else a shared sample of this many per batch
    learning_rate: float = 0.1
    regularisation: float = 0.05  # N3 weight
    init_scale: float = 1e-3
    use_text: bool = True
    eval_every: int = 2  # epochs between dev evaluations (early stopping)
    patience: int = 3  # dev evaluations without improvement before stopping
    time_budget_s: float = 1200.0
    dismissed_weight: float = 1.0


@dataclass
class TrainedKGE:
    entity: NDArray[np.float32]  # final entity vectors (free + projected text), [re | im]
    relation: NDArray[np.float32]  # 2R x 2 rank
    history: list[dict[str, float]]
    epochs_run: int
    best_epoch: int

    def scores(self, entities: NDArray[np.int64], relations: NDArray[np.int64]) -> NDArray[np.float32]:
        """Raw ComplEx scores of (entity, relation in [0, 2R), ?) against every entity."""
        rank = self.entity.shape[1] // 2
        h, w = self.entity[entities], self.relation[relations]
        q = np.concatenate(
            [
                h[:, :rank] * w[:, :rank] - h[:, rank:] * w[:, rank:],
                h[:, :rank] * w[:, rank:] + h[:, rank:] * w[:, :rank],
            ],
            axis=1,
        )
        return q @ self.entity.T
