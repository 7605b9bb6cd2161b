"""Baselines scored by the same harness as our models: popularity (all time or over a recent window), ItemKNN,
EASE^R and BPR-MF (the platform's own MINIMAL scorer is in ``cheap_scores.py``).

Each returns a users x items score matrix (higher is better). Their settings are arguments: the evaluation chooses
them on a validation window that precedes the test window (``evaluation.py``), never on the test window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from .features import DAY
from .interactions import Interactions
from .progress import Progress


def popularity(train: Interactions, users: np.ndarray, as_of: int | None = None, days: int | None = None) -> np.ndarray:
    """Weighted interaction counts, over everything or over the ``days`` before ``as_of``."""
    recent = (
        train if days is None else train.since(int(as_of if as_of is not None else train.timestamps.max()) - days * DAY)
    )
    counts = np.bincount(recent.items, weights=recent.weights, minlength=train.item_count)
    return np.broadcast_to(counts, (len(users), train.item_count)).copy()


def user_item_matrix(train: Interactions) -> np.ndarray:
    """Binary users x items: did the user interact with the item."""
    matrix = np.zeros((train.user_count, train.item_count), dtype=np.float32)
    matrix[train.users, train.items] = 1.0
    return matrix


def item_knn(train: Interactions, users: np.ndarray, neighbours: int = 100, shrink: float = 0.0) -> np.ndarray:
    """Item-based CF: cosine similarity of items' user sets (``shrink`` added to the denominator damps pairs seen by
    few users), each item keeping its ``neighbours`` nearest; a user's score for j is the sum of j's similarity to the
    items the user interacted with."""
    matrix = user_item_matrix(train)
    co = matrix.T @ matrix
    norms = np.sqrt(np.diag(co)).clip(min=1e-9)
    similarity = co / (norms[:, None] * norms[None, :] + shrink)
    np.fill_diagonal(similarity, 0.0)
    if neighbours < similarity.shape[1]:
        cut = np.argpartition(-similarity, neighbours - 1, axis=1)[:, neighbours:]
        np.put_along_axis(similarity, cut, 0.0, axis=1)
    return matrix[users] @ similarity


def ease(train: Interactions, users: np.ndarray, regularisation: float) -> np.ndarray:
    """EASE^R (Steck 2019): the item-item weights B minimising ||X - XB||^2 + lambda ||B||^2 with diag(B) = 0, in
    closed form from the regularised Gram matrix's inverse P: B = -P / diag(P), diagonal zeroed."""
    matrix = user_item_matrix(train)
    gram = (matrix.T @ matrix).astype(np.float64)
    gram[np.diag_indices_from(gram)] += regularisation
    inverse = np.linalg.inv(gram)
    weights = inverse / -np.diag(inverse)[None, :]
    np.fill_diagonal(weights, 0.0)
    return matrix[users].astype(np.float64) @ weights


@dataclass(frozen=True)
class BprParams:
    dimension: int = 64
    epochs: int = 30
    batch_size: int = 4096
    learning_rate: float = 0.01
    weight_decay: float = 1e-5


class _Bpr(nn.Module):
    def __init__(self, users: int, items: int, dimension: int):
        super().__init__()
        self.users = nn.Embedding(users, dimension)
        self.items = nn.Embedding(items, dimension)
        nn.init.normal_(self.users.weight, std=0.1)
        nn.init.normal_(self.items.weight, std=0.1)


def bpr_mf(
    train: Interactions, users: np.ndarray, device: torch.device, params: BprParams = BprParams(), seed: int = 7
) -> np.ndarray:
    """Matrix factorisation trained with the BPR pairwise loss for ``params.epochs`` epochs."""
    *_, (_, scores) = bpr_mf_checkpoints(train, users, device, params, seed, check_every=params.epochs)
    return scores


def bpr_mf_checkpoints(
    train: Interactions, users: np.ndarray, device: torch.device, params: BprParams, seed: int, check_every: int
) -> Iterator[tuple[int, np.ndarray]]:
    """BPR-MF, negatives drawn uniformly from unseen items; yields (epochs so far, scores) every ``check_every`` epochs
    and after the last, so that early stopping can pick the epoch count on a validation window."""
    matrix = user_item_matrix(train)
    pair_users, pair_items = np.nonzero(matrix)
    model = _Bpr(train.user_count, train.item_count, params.dimension).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=params.learning_rate, weight_decay=params.weight_decay)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    for epoch in range(params.epochs):
        order = rng.permutation(len(pair_users))
        total = 0.0
        for batch in np.array_split(order, max(1, len(order) // params.batch_size)):
            u, i = pair_users[batch], pair_items[batch]
            j = rng.integers(0, train.item_count, len(batch))
            clash = matrix[u, j] > 0
            while clash.any():  # resample negatives the user did interact with
                j[clash] = rng.integers(0, train.item_count, int(clash.sum()))
                clash = matrix[u, j] > 0
            ut = model.users(torch.from_numpy(u).to(device))
            diff = (
                ut * (model.items(torch.from_numpy(i).to(device)) - model.items(torch.from_numpy(j).to(device)))
            ).sum(1)
            loss = -torch.nn.functional.logsigmoid(diff).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        if (epoch + 1) % 10 == 0 or epoch + 1 == params.epochs:
            Progress.note(f"BPR-MF epoch {epoch + 1}/{params.epochs}: loss {total / len(order):.4f}")
        if (epoch + 1) % check_every == 0 or epoch + 1 == params.epochs:
            with torch.no_grad():
                yield (
                    epoch + 1,
                    (model.users.weight[torch.from_numpy(users).to(device)] @ model.items.weight.T).cpu().numpy(),
                )


def bpr_params(settings: dict) -> BprParams:
    """BprParams with the fields ``settings`` names replaced."""
    return replace(BprParams(), **{k: v for k, v in settings.items() if k in BprParams.__dataclass_fields__})
