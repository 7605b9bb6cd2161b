"""Ranking: an MLP over [user vector | item embedding | dense features] that re-orders retrieval's candidates.

The model takes the dense features raw (as the platform reads them) and applies their transform and
standardisation itself, so the serving side only assembles one float row per candidate.

Training examples come from a label window at the end of the training data: features as of its start
(history before it), candidates = what the platform's sources gather at that moment (embedding retrieval,
co-occurrence, popular and trending, merged as the recommendation-service merges them, more of each than
any prediction depth asks), label = the user interacted with the candidate inside the window. The
negatives are therefore the items the sources proposed that the user did not take: the mistakes the
ranker exists to fix. Loss: softmax over each user's candidate list (listwise), averaged over the
user's positives.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from . import retrieval
from .features import DAY, RANKER_DENSE_FEATURES, CandidateMix, FeatureSnapshot
from .interactions import Interactions
from .progress import Progress


@dataclass(frozen=True)
class RankerParams:
    hidden: tuple[int, ...] = (128, 64)
    # candidates the ranker learns to order (embedding, co-occurrence, popular; trending by the platform's rule): wider
    # than any prediction depth's mix (platform.properties), so that it has seen every level's candidates and more
    training_mix: tuple[int, int, int] = (150, 100, 60)
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
    """Per user: candidate items in the platform's merge order (padded with -1) and the ranker's input rows."""

    users: np.ndarray
    candidates: np.ndarray  # [users, n], -1 past a user's own candidates
    rows: np.ndarray  # [users, n, width] float32

    @property
    def valid(self) -> np.ndarray:
        return self.candidates >= 0


def candidate_rows(
    model: retrieval.HistoryRetrieval,
    snapshot: FeatureSnapshot,
    users: np.ndarray,
    seen: list[set[int]],
    mix: CandidateMix,
    device: torch.device,
) -> CandidateSet:
    """Each user's candidates as the recommendation-service gathers them at one depth (FeatureSnapshot.candidates) and
    one ranker input row per candidate."""
    recent = [np.array(snapshot.recent_distinct(int(u)), dtype=np.int64) for u in users]
    vectors = retrieval.user_vectors(model, recent, device)
    item_matrix = model.item_matrix()
    all_scores = vectors @ item_matrix.T
    cooccurring = [snapshot.cooccurrence_row(user) for user in users.tolist()]  # read twice below, computed once
    lists = [
        snapshot.candidates(user, seen[user], mix, all_scores[row], cooccurring[row])
        for row, user in enumerate(users.tolist())
    ]
    width = max((len(items) for items in lists), default=0)
    if width == 0:
        raise ValueError("no candidate left to rank: every source came back empty")
    candidates = np.full((len(users), width), -1, dtype=np.int64)
    d = item_matrix.shape[1]
    rows = np.zeros((len(users), width, 2 * d + len(RANKER_DENSE_FEATURES)), dtype=np.float32)
    for row, user in enumerate(users.tolist()):
        items = np.array(lists[row], dtype=np.int64)
        candidates[row, : len(items)] = items
        rows[row, : len(items), :d] = vectors[row]
        rows[row, : len(items), d : 2 * d] = item_matrix[items]
        rows[row, : len(items), 2 * d :] = snapshot.dense(user, items, all_scores[row, items], cooccurring[row])
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
    mix = CandidateMix.of(params.training_mix)
    candidates = candidate_rows(model, snapshot, users, seen, mix, device)
    labels = np.array(
        [[item in wanted[u] for item in row] for u, row in zip(users, candidates.candidates, strict=False)],
        dtype=np.float32,
    )
    useful = labels.sum(1) > 0
    Progress.note(
        f"ranker: {useful.sum():,} of them have a new item among the {candidates.candidates.shape[1]} or fewer "
        f"candidates of the training mix {params.training_mix}"
    )

    rng = np.random.default_rng(seed)
    indexes = rng.permutation(np.flatnonzero(useful))
    n_validation = max(1, int(len(indexes) * params.validation_share))
    validation, training = indexes[:n_validation], indexes[n_validation:]

    dense = transformed(candidates.rows[training][candidates.valid[training]][:, 2 * model.params.dimension :])
    mean, std = dense.mean(0), dense.std(0)
    std[std < 1e-6] = 1.0
    ranker = Ranker(model.params.dimension, mean, std, params.hidden).to(device)
    optimiser = torch.optim.Adam(ranker.parameters(), lr=params.learning_rate, weight_decay=params.weight_decay)
    rows_t = torch.from_numpy(candidates.rows).to(device)
    labels_t = torch.from_numpy(labels).to(device)
    padding = torch.from_numpy(~candidates.valid).to(device)
    width = rows_t.shape[2]
    losses: list[float] = []
    report: dict[str, Any] = {
        "label_window_start": label_start,
        "users": len(users),
        "training_users": len(training),
        "validation_users": len(validation),
        "losses": losses,
        "validation_ndcg10_retrieval_order": _ndcg_of_order(labels[validation], np.arange(labels.shape[1])),
        "candidates_per_user": float(candidates.valid.sum(1).mean()),
    }
    torch.manual_seed(seed)
    best = (-1.0, 0, copy.deepcopy(ranker.state_dict()))
    for epoch in range(params.epochs):
        ranker.train()
        total, batches = 0.0, 0
        for batch in np.array_split(rng.permutation(training), max(1, len(training) // params.batch_users)):
            x, y = rows_t[batch], labels_t[batch]
            logits = ranker(x.reshape(-1, width)).reshape(len(batch), -1).masked_fill(padding[batch], -1e9)
            log_p = torch.log_softmax(logits, dim=1)
            loss = -((y * log_p).sum(1) / y.sum(1)).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total, batches = total + loss.item(), batches + 1
        losses.append(total / batches)
        quality = _validation_ndcg(ranker, rows_t[validation], labels[validation], candidates.valid[validation])
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


def score(ranker: Ranker, candidates: CandidateSet, device: torch.device) -> np.ndarray:
    """Scores of every candidate, [users, n]; -inf for padding."""
    rows = candidates.rows
    with torch.no_grad():
        flat = torch.from_numpy(rows.reshape(-1, rows.shape[-1])).to(device)
        scores = ranker(flat).cpu().numpy().reshape(rows.shape[:2])
    return np.where(candidates.valid, scores, -np.inf)


def _validation_ndcg(ranker: Ranker, rows: torch.Tensor, labels: np.ndarray, valid: np.ndarray) -> float:
    with torch.no_grad():
        ranker.eval()
        scores = ranker(rows.reshape(-1, rows.shape[-1])).reshape(rows.shape[:2]).cpu().numpy()
    return _ndcg_of_order(labels, np.argsort(-np.where(valid, scores, -np.inf), axis=1, kind="stable"))


def _ndcg_of_order(labels: np.ndarray, order: np.ndarray) -> float:
    """Mean NDCG@10 of the candidate lists in ``order`` (one order for all, or one per row)."""
    order = np.broadcast_to(order, labels.shape)
    gains = np.take_along_axis(labels, order, axis=1)[:, :10]
    discounts = 1.0 / np.log2(np.arange(2, 12))
    dcg = (gains * discounts[: gains.shape[1]]).sum(1)
    ideal = np.array([discounts[: int(min(n, 10))].sum() for n in labels.sum(1)])
    return float(np.mean(np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1), 0.0)))
