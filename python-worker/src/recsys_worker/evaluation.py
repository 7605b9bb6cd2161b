"""The offline evaluation protocol (docs/model-bundle.md, "Offline evaluation").

Temporal split: everything in the last ``test_days`` of the data is held out, every model trains on
what came before. A test user is one with history before the split and at least one held-out item
that is new to them and known to the catalogue by then (items first sold after the split cannot be
recommended by any model and are left out of the truth; their number is reported). Items the user
interacted with before the split are excluded from every model's list: the task is "what will this
shopper take next that they have not taken before", matching the platform, which does not recommend a
shopper's recent items. Every model ranks the full catalogue (no sampled negatives).
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

import numpy as np
import torch

from . import baselines, metrics, training
from .features import DAY
from .interactions import Interactions
from .progress import Progress
from .ranker import seen_items


@dataclass(frozen=True)
class Split:
    train: Interactions
    test_start: int
    users: np.ndarray
    truth: list[set[int]]
    seen: list[set[int]]
    known: np.ndarray
    dropped_unknown: int


def temporal_split(data: Interactions, test_days: int) -> Split:
    test_start = int(data.timestamps.max()) + 1 - test_days * DAY
    train, test = data.before(test_start), data.since(test_start)
    seen = seen_items(train)
    known = np.bincount(train.items, minlength=data.item_count) > 0
    truth: dict[int, set[int]] = {}
    dropped = 0
    for user, item in zip(test.users.tolist(), test.items.tolist(), strict=False):
        if not seen[user] or item in seen[user]:
            continue
        if not known[item]:
            dropped += 1
            continue
        truth.setdefault(user, set()).add(item)
    users = np.array(sorted(truth), dtype=np.int64)
    return Split(train, test_start, users, [truth[u] for u in users], seen, known, dropped)


def _ranked(scores: np.ndarray, split: Split) -> np.ndarray:
    scores = scores.astype(np.float64, copy=True)
    scores[:, ~split.known] = -np.inf
    for row, user in enumerate(split.users):
        scores[row, list(split.seen[user])] = -np.inf
    return metrics.top_k(scores, 20)


def run(
    data: Interactions,
    params: training.TrainingParams,
    device: torch.device,
    test_days: int = 30,
    models: tuple[str, ...] = ("popularity", "itemknn", "bpr-mf", "ours"),
) -> dict:
    split = temporal_split(data, test_days)
    catalogue = int(split.known.sum())
    Progress.note(
        f"split at {time.strftime('%Y-%m-%d %H:%M', time.gmtime(split.test_start))} UTC: "
        f"{len(split.train):,} training interactions, {len(split.users):,} test users, "
        f"{sum(map(len, split.truth)):,} held-out (user, new item) pairs, catalogue {catalogue:,} items"
    )
    results, timings = {}, {}

    def record(name: str, started: float, ranked: np.ndarray) -> None:
        timings[name] = round(time.monotonic() - started, 1)
        results[name] = metrics.evaluate(ranked, split.truth, catalogue)
        Progress.note(f"{name}: NDCG@10 {results[name]['ndcg@10']:.4f}, Recall@20 {results[name]['recall@20']:.4f}")

    if "popularity" in models:
        started = time.monotonic()
        record("popularity", started, _ranked(baselines.popularity(split.train, split.users), split))
    if "itemknn" in models:
        started = time.monotonic()
        record("itemknn", started, _ranked(baselines.item_knn(split.train, split.users), split))
    if "bpr-mf" in models:
        started = time.monotonic()
        record("bpr-mf", started, _ranked(baselines.bpr_mf(split.train, split.users, device, seed=params.seed), split))
    trained = None
    if "ours" in models:
        started = time.monotonic()
        trained = training.train(split.train, params, device)
        fit = time.monotonic() - started
        record(
            "retrieval (ours)",
            started,
            training.recommend(trained, split.train, split.test_start, split.users, 20, device, rank=False),
        )
        started = time.monotonic() - fit
        record(
            "retrieval + ranker (ours)",
            started,
            training.recommend(trained, split.train, split.test_start, split.users, 20, device, rank=True),
        )
    return {
        "protocol": {
            "split": "temporal",
            "test_days": test_days,
            "test_start": split.test_start,
            "seen_items": "excluded from every list and from the truth",
            "truth_items_unknown_at_split_left_out": split.dropped_unknown,
            "ranking": "full catalogue",
            "catalogue_items": catalogue,
        },
        "data": data.describe(),
        "results": results,
        "seconds": timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "training_report": trained.report if trained else None,
    }


def table(report: dict) -> str:
    columns = ("recall@10", "recall@20", "ndcg@10", "hit_rate@10", "coverage@10")
    lines = [f"{'model':<28}" + "".join(f"{c:>13}" for c in columns) + f"{'seconds':>10}"]
    for name, values in report["results"].items():
        lines.append(
            f"{name:<28}" + "".join(f"{values[c]:>13.4f}" for c in columns) + f"{report['seconds'].get(name, 0):>10.1f}"
        )
    return "\n".join(lines)
