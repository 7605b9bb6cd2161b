"""Ranking: an MLP over [user vector | item embedding | dense features] that re-orders retrieval's candidates.

The model takes the dense features raw (as the platform reads them) and applies their transform and
standardisation itself, so the serving side only assembles one float row per candidate.

Training examples come from a label window at the end of the training data: features as of its start
(history before it), candidates = retrieval's top ``candidates`` of that moment, label = the user
interacted with the candidate inside the window. The negatives are therefore the items retrieval
proposed that the user did not take: the mistakes the ranker exists to fix. Loss: softmax over each
user's candidate list (listwise), averaged over the user's positives.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from . import retrieval
from .features import DAY, RANKER_DENSE_FEATURES, FeatureSnapshot
from .interactions import Interactions
from .progress import Progress


@dataclass(frozen=True)
class RankerParams:
    hidden: tuple[int, ...] = (128, 64)
    candidates: int = 100
    label_days: int = 30
    epochs: int = 30
    batch_users: int = 64
    learning_rate: float = 0.001
    weight_decay: float = 1e-5
    validation_share: float = 0.1


class Ranker(nn.Module):
    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, dimension: int, mean: np.ndarray, std: np.ndarray, hidden: tuple[int, ...]):
        super().__init__()
        self.dimension = dimension
        dense = len(RANKER_DENSE_FEATURES)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32).reshape(1, dense))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32).reshape(1, dense))
        layers, width = [], 2 * dimension + dense
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    @property
    def input_width(self) -> int:
        return 2 * self.dimension + len(RANKER_DENSE_FEATURES)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        d = 2 * self.dimension
        embeddings = features[:, :d]
        retrieval_score = features[:, d : d + 1]
        counts = torch.log1p(features[:, d + 1 :])
        dense = (torch.cat([retrieval_score, counts], dim=1) - self.mean) / self.std
        return self.mlp(torch.cat([embeddings, dense], dim=1)).squeeze(1)


def transformed(dense: np.ndarray) -> np.ndarray:
    """The dense features after the model's own transform (for the standardisation statistics)."""
    out = dense.astype(np.float64).copy()
    out[..., 1:] = np.log1p(out[..., 1:])
    return out


@dataclass
class CandidateSet:
    """Per user: candidate items in retrieval order and the ranker's input rows."""

    users: np.ndarray
    candidates: np.ndarray  # [users, n]
    rows: np.ndarray  # [users, n, width] float32


def candidate_rows(
    model: retrieval.HistoryRetrieval,
    snapshot: FeatureSnapshot,
    users: np.ndarray,
    seen: list[set[int]],
    count: int,
    device: torch.device,
) -> CandidateSet:
    """Retrieval's top ``count`` unseen items per user and one ranker input row per candidate."""
    recent = [snapshot.recent_items[u] for u in users]
    vectors = retrieval.user_vectors(model, recent, device)
    item_matrix = model.item_matrix()
    all_scores = vectors @ item_matrix.T
    # items nobody had touched by then are not candidates (their embeddings were never trained on)
    all_scores[:, snapshot.item_popularity <= 0] = -np.inf
    for row, user in enumerate(users):
        if seen[user]:
            all_scores[row, list(seen[user])] = -np.inf
    available = np.isfinite(all_scores).sum(1).min() if len(users) else 0
    count = int(min(count, available))
    if count == 0:
        raise ValueError("no candidate left to rank: every known item is already seen")
    top = np.argpartition(-all_scores, count - 1, axis=1)[:, :count]
    order = np.take_along_axis(all_scores, top, axis=1).argsort(axis=1)[:, ::-1]
    candidates = np.take_along_axis(top, order, axis=1)
    d = item_matrix.shape[1]
    rows = np.zeros((len(users), count, 2 * d + len(RANKER_DENSE_FEATURES)), dtype=np.float32)
    for row, user in enumerate(users):
        items = candidates[row]
        rows[row, :, :d] = vectors[row]
        rows[row, :, d : 2 * d] = item_matrix[items]
        rows[row, :, 2 * d :] = snapshot.dense(int(user), items, all_scores[row, items])
    return CandidateSet(users, candidates, rows)


def seen_items(history: Interactions) -> list[set[int]]:
    seen: list[set[int]] = [set() for _ in range(history.user_count)]
    for user, item in zip(history.users.tolist(), history.items.tolist(), strict=False):
        seen[user].add(item)
    return seen


def train(
    data: Interactions, model: retrieval.HistoryRetrieval, params: RankerParams, device: torch.device, seed: int = 7
) -> tuple[Ranker, dict]:
    """The trained ranker and a report (losses per epoch, validation NDCG@10 before/after ranking)."""
    label_start = int(data.timestamps.max()) + 1 - params.label_days * DAY
    history, window = data.before(label_start), data.since(label_start)
    snapshot = FeatureSnapshot.of(history, label_start)
    seen = seen_items(history)
    wanted: list[set[int]] = [set() for _ in range(data.user_count)]
    for user, item in zip(window.users.tolist(), window.items.tolist(), strict=False):
        if item not in seen[user]:
            wanted[user].add(item)
    users = np.array([u for u in range(data.user_count) if wanted[u] and seen[u]], dtype=np.int64)
    if len(users) < 10:
        raise ValueError(
            f"only {len(users)} users have history and new items in the last {params.label_days} days: "
            "too few to train the ranker"
        )
    Progress.note(
        f"ranker: {len(users):,} users with history before and new items in the last {params.label_days} days"
    )
    candidates = candidate_rows(model, snapshot, users, seen, params.candidates, device)
    labels = np.array(
        [[item in wanted[u] for item in row] for u, row in zip(users, candidates.candidates, strict=False)],
        dtype=np.float32,
    )
    useful = labels.sum(1) > 0
    Progress.note(f"ranker: {useful.sum():,} of them have a new item among retrieval's {params.candidates} candidates")

    rng = np.random.default_rng(seed)
    indexes = rng.permutation(np.flatnonzero(useful))
    n_validation = max(1, int(len(indexes) * params.validation_share))
    validation, training = indexes[:n_validation], indexes[n_validation:]

    dense = transformed(candidates.rows[training][:, :, 2 * model.params.dimension :]).reshape(
        -1, len(RANKER_DENSE_FEATURES)
    )
    mean, std = dense.mean(0), dense.std(0)
    std[std < 1e-6] = 1.0
    ranker = Ranker(model.params.dimension, mean, std, params.hidden).to(device)
    optimiser = torch.optim.Adam(ranker.parameters(), lr=params.learning_rate, weight_decay=params.weight_decay)
    rows_t = torch.from_numpy(candidates.rows).to(device)
    labels_t = torch.from_numpy(labels).to(device)
    width = rows_t.shape[2]
    losses: list[float] = []
    report: dict[str, Any] = {
        "label_window_start": label_start,
        "users": len(users),
        "training_users": len(training),
        "validation_users": len(validation),
        "losses": losses,
        "validation_ndcg10_retrieval_order": _ndcg_of_order(labels[validation], np.arange(labels.shape[1])),
    }
    torch.manual_seed(seed)
    best = (-1.0, 0, copy.deepcopy(ranker.state_dict()))
    for epoch in range(params.epochs):
        ranker.train()
        total, batches = 0.0, 0
        for batch in np.array_split(rng.permutation(training), max(1, len(training) // params.batch_users)):
            x, y = rows_t[batch], labels_t[batch]
            logits = ranker(x.reshape(-1, width)).reshape(len(batch), -1)
            log_p = torch.log_softmax(logits, dim=1)
            loss = -((y * log_p).sum(1) / y.sum(1)).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total, batches = total + loss.item(), batches + 1
        losses.append(total / batches)
        quality = _validation_ndcg(ranker, rows_t[validation], labels[validation])
        if quality > best[0]:
            best = (quality, epoch + 1, copy.deepcopy(ranker.state_dict()))
        if (epoch + 1) % 5 == 0 or epoch + 1 == params.epochs:
            Progress.note(
                f"ranker epoch {epoch + 1}/{params.epochs}: loss {losses[-1]:.4f}, validation NDCG@10 {quality:.4f}"
            )
    # early stopping: keep the epoch that did best on the validation users (never the test split)
    ranker.load_state_dict(best[2])
    ranker.eval()
    report["best_epoch"] = best[1]
    report["validation_ndcg10_ranked"] = best[0]
    Progress.note(
        f"ranker: kept epoch {best[1]} (validation NDCG@10 {best[0]:.4f}; retrieval order "
        f"{report['validation_ndcg10_retrieval_order']:.4f})"
    )
    return ranker, report


def score(ranker: Ranker, rows: np.ndarray, device: torch.device) -> np.ndarray:
    """Scores for [users, n, width] rows, [users, n]."""
    with torch.no_grad():
        flat = torch.from_numpy(rows.reshape(-1, rows.shape[-1])).to(device)
        return ranker(flat).cpu().numpy().reshape(rows.shape[:2])


def _validation_ndcg(ranker: Ranker, rows: torch.Tensor, labels: np.ndarray) -> float:
    with torch.no_grad():
        ranker.eval()
        scores = ranker(rows.reshape(-1, rows.shape[-1])).reshape(rows.shape[:2]).cpu().numpy()
    return _ndcg_of_order(labels, np.argsort(-scores, axis=1))


def _ndcg_of_order(labels: np.ndarray, order: np.ndarray) -> float:
    """Mean NDCG@10 of the candidate lists in ``order`` (one order for all, or one per row)."""
    order = np.broadcast_to(order, labels.shape)
    gains = np.take_along_axis(labels, order, axis=1)[:, :10]
    discounts = 1.0 / np.log2(np.arange(2, 12))
    dcg = (gains * discounts[: gains.shape[1]]).sum(1)
    ideal = np.array([discounts[: int(min(n, 10))].sum() for n in labels.sum(1)])
    return float(np.mean(np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1), 0.0)))
