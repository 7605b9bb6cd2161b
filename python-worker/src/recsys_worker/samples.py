"""Self-test samples shipped inside every bundle: inputs and the outputs the trained model gives them.

The inference-service runs them when it loads a bundle (warm-up and check in one): a server whose
engine, assembly of rows or retrieval rule disagrees with training refuses the bundle instead of
serving wrong scores. The same file is the parity fixture of the inference-service's tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .features import feature_names
from .training import TrainedModels

UNKNOWN_ITEM = "not-in-this-bundle"


def user_vector(
    context: np.ndarray, index: dict[str, int], recent: list[str], max_items: int, decay: float
) -> np.ndarray | None:
    """The documented rule: recency-weighted mean of the known recent items' context rows (newest first)."""
    known = [index[i] for i in recent[:max_items] if i in index]
    if not known:
        return None
    weights = np.array([decay**k for k in range(len(recent[:max_items])) if recent[k] in index], dtype=np.float64)
    return (weights[:, None] * context[known].astype(np.float64)).sum(0) / weights.sum()


def build(models: TrainedModels, seed: int = 11, rows: int = 16, requests: int = 3, candidates: int = 12) -> dict:
    rng = np.random.default_rng(seed)
    ranker = models.ranker.cpu().eval()
    d = ranker.dimension
    items, context = models.retrieval.item_matrix(), models.retrieval.context_matrix()
    index = {item: i for i, item in enumerate(models.item_ids)}
    params = models.params.retrieval
    user_names, item_names = feature_names("user"), feature_names("item")

    def score(matrix: np.ndarray) -> list[float]:
        with torch.no_grad():
            return ranker(torch.from_numpy(matrix.astype(np.float32))).numpy().astype(float).tolist()

    raw = rng.normal(size=(rows, ranker.input_width)).astype(np.float32)
    raw[:, 2 * d + 1 :] = rng.exponential(20.0, size=(rows, ranker.input_width - 2 * d - 1))
    requests_out: list[dict[str, Any]] = []
    retrieval_out: list[dict[str, Any]] = []
    samples = {
        "rows": {"features": raw.astype(float).tolist(), "scores": score(raw)},
        "requests": requests_out,
        "retrieval": retrieval_out,
    }

    for _ in range(requests):
        recent = [
            models.item_ids[i]
            for i in rng.choice(len(models.item_ids), size=min(6, len(models.item_ids)), replace=False)
        ]
        recent.insert(2, UNKNOWN_ITEM)  # unknown recent items are skipped
        vector = user_vector(context, index, recent, params.max_items, params.decay)
        assert vector is not None  # the recent list holds known items
        chosen = [
            models.item_ids[i]
            for i in rng.choice(len(models.item_ids), size=min(candidates, len(models.item_ids)), replace=False)
        ]
        chosen.append(UNKNOWN_ITEM)  # an unknown candidate gets a zero embedding
        user_features = rng.exponential(10.0, size=len(user_names)).astype(np.float32)
        item_features = rng.exponential(10.0, size=(len(chosen), len(item_names))).astype(np.float32)
        matrix = np.zeros((len(chosen), ranker.input_width), dtype=np.float32)
        for row, item in enumerate(chosen):
            embedding = items[index[item]] if item in index else np.zeros(d, dtype=np.float32)
            matrix[row, :d] = vector
            matrix[row, d : 2 * d] = embedding
            dense = {"retrieval_score": float(np.dot(vector, embedding.astype(np.float64)))}
            dense.update(zip(user_names, user_features.tolist(), strict=False))
            dense.update(zip(item_names, item_features[row].tolist(), strict=False))
            matrix[row, 2 * d :] = [dense[name] for name in feature_names()]
        requests_out.append(
            {
                "recent_items": recent,
                "user_features": user_features.astype(float).tolist(),
                "candidates": [
                    {"item_id": item, "features": f.astype(float).tolist()}
                    for item, f in zip(chosen, item_features, strict=False)
                ],
                "user_vector": vector.astype(np.float32).astype(float).tolist(),
                "scores": score(matrix),
            }
        )

        retrieval_scores = items.astype(np.float64) @ vector
        exclude = recent[:2]
        for item in exclude:
            retrieval_scores[index[item]] = -np.inf
        top = np.argsort(-retrieval_scores, kind="stable")[:10]
        retrieval_out.append(
            {
                "recent_items": recent,
                "top_k": 10,
                "exclude_item_ids": exclude,
                "item_ids": [models.item_ids[i] for i in top],
                "scores": retrieval_scores[top].astype(float).tolist(),
            }
        )
    samples["user_feature_names"], samples["item_feature_names"] = user_names, item_names
    return samples
