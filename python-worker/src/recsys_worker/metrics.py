"""Top-K metrics over full rankings.

For a user with held-out items T and a ranked list L:
  Recall@K   = |L[:K] ∩ T| / |T|
  NDCG@K     = DCG@K / IDCG@K, DCG@K = sum over hits at rank r (1-based) of 1 / log2(r + 1),
               IDCG@K = the same for min(|T|, K) hits at the top
  HitRate@K  = 1 if L[:K] ∩ T is not empty, else 0
Each is averaged over users. Coverage@K = distinct items in all users' top K / catalogue size.
"""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k highest scores per row, best first (ties broken by the lower index)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1)


def per_user_ndcg(ranked: np.ndarray, truth: list[set[int]]) -> np.ndarray:
    """NDCG@10 of each user's list, in the users' order (for paired comparisons between models)."""
    discounts = 1.0 / np.log2(np.arange(2, 12))
    values = np.empty(len(truth))
    for row, (items, relevant) in enumerate(zip(ranked, truth, strict=True)):
        hits = np.array([item in relevant for item in items[:10].tolist()], dtype=np.float64)
        values[row] = (hits * discounts[: len(hits)]).sum() / discounts[: min(len(relevant), 10)].sum()
    return values


def evaluate(ranked: np.ndarray, truth: list[set[int]], catalogue_size: int) -> dict[str, float]:
    """Metrics for ranked lists (users x at least 20) against each user's held-out items."""
    if len(truth) == 0:
        raise ValueError("no users to evaluate")
    recall10, recall20, hit10 = [], [], []
    for row, relevant in zip(ranked, truth, strict=False):
        hits = np.array([item in relevant for item in row[:20].tolist()], dtype=np.float64)
        recall10.append(hits[:10].sum() / len(relevant))
        recall20.append(hits[:20].sum() / len(relevant))
        hit10.append(float(hits[:10].any()))
    return {
        "recall@10": float(np.mean(recall10)),
        "recall@20": float(np.mean(recall20)),
        "ndcg@10": float(np.mean(per_user_ndcg(ranked, truth))),
        "hit_rate@10": float(np.mean(hit10)),
        "coverage@10": len(np.unique(ranked[:, :10])) / catalogue_size,
        "users": len(truth),
    }
