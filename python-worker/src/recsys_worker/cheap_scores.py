"""The MINIMAL level's scorer, learned: a weighted sum of three signals the recommendation-service holds anyway.

    score(item) = w_cooccurrence * log1p(co-occurrence with the shopper's 5 most recent distinct items)
                + w_item_popularity_7d * log1p(7-day decayed popularity)
                + w_item_popularity * log1p(all-time popularity)

The platform ranks MINIMAL's candidates (co-occurrence, popular and trending, platform.properties) this way when the
model cannot be asked (``CheapScores`` in the recommendation-service). The
weights were set by hand; now each bundle carries weights chosen on its own training data (``cheap_scores`` in the
bundle metadata, passed on by the inference-service's ModelInfo), so MINIMAL is never worse on that data than the
hand-set weights nor than 7-day popularity (weights 0, 1, 0), both of which are in the grid.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from . import metrics
from .features import DAY, CandidateMix, FeatureSnapshot
from .interactions import Interactions
from .platform import CHEAP_SCORES_HAND_SET
from .ranker import seen_items

SIGNALS = ("cooccurrence", "item_popularity_7d", "item_popularity")
HAND_SET = {signal: CHEAP_SCORES_HAND_SET[signal] for signal in SIGNALS}  # as the recommendation-service
# hand-set first (ties keep it); only ratios matter, so one weight's scale is enough to vary the balance
GRID: tuple[dict[str, float], ...] = (
    HAND_SET,
    *(
        dict(zip(SIGNALS, weights, strict=True))
        for weights in itertools.product((0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0), (0.0, 0.5, 1.0), (0.0, 0.1, 0.2, 0.5))
        if weights[1] > 0 or weights[2] > 0  # co-occurrence alone leaves most items tied at zero
    ),
)


@dataclass(frozen=True)
class Components:
    """log1p of each signal, users x items, as of one moment, and the candidates MINIMAL gathers for each user."""

    cooccurrence: np.ndarray
    item_popularity_7d: np.ndarray
    item_popularity: np.ndarray
    candidates: np.ndarray  # [users, items] bool

    @classmethod
    def of(cls, history: Interactions, users: np.ndarray, as_of: int) -> Components:
        snapshot = FeatureSnapshot.of(history, as_of)
        cooccurrence = np.array([snapshot.cooccurrence_row(user) for user in users.tolist()]).reshape(
            len(users), history.item_count
        )
        seen, mix = seen_items(history), CandidateMix.level("minimal")
        candidates = np.zeros((len(users), history.item_count), dtype=bool)
        for row, user in enumerate(users.tolist()):
            candidates[row, snapshot.candidates(user, seen[user], mix)] = True
        return cls(
            np.log1p(cooccurrence),
            np.log1p(snapshot.item_popularity_7d)[None, :],
            np.log1p(snapshot.item_popularity)[None, :],
            candidates,
        )

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        """The scores of MINIMAL's candidates; -inf for every other item (MINIMAL never serves it)."""
        scores = (
            weights["cooccurrence"] * self.cooccurrence
            + weights["item_popularity_7d"] * self.item_popularity_7d
            + weights["item_popularity"] * self.item_popularity
        )
        return np.where(self.candidates, scores, -np.inf)


def fit(data: Interactions, label_days: int) -> dict:
    """Weights chosen by NDCG@10 on the last ``label_days`` of ``data`` (new items of shoppers with a history, as
    the evaluation counts them), the signals computed as of the window's start."""
    start = int(data.timestamps.max()) + 1 - label_days * DAY
    history, window = data.before(start), data.since(start)
    seen = seen_items(history)
    known = np.bincount(history.items, minlength=data.item_count) > 0
    truth: dict[int, set[int]] = {}
    for user, item in zip(window.users.tolist(), window.items.tolist(), strict=False):
        if seen[user] and item not in seen[user] and known[item]:
            truth.setdefault(user, set()).add(item)
    if not truth:
        return {"weights": dict(HAND_SET), "fitted_on": "nothing: no shopper with history took a new item"}
    users = np.array(sorted(truth), dtype=np.int64)
    components = Components.of(history, users, start)
    exclude = np.zeros((len(users), data.item_count), dtype=bool)
    exclude[:, ~known] = True
    for row, user in enumerate(users.tolist()):
        exclude[row, list(seen[user])] = True
    targets = [truth[u] for u in users.tolist()]
    figures = []
    for weights in GRID:
        scores = np.where(exclude, -np.inf, components.scores(weights))
        figures.append(metrics.evaluate(metrics.top_k(scores, 20), targets, int(known.sum()))["ndcg@10"])
    best = int(np.argmax(figures))  # the first of equals: the hand-set weights win ties
    return {
        "weights": dict(GRID[best]),
        "fitted_on": f"the last {label_days} days of the training data, {len(users):,} shoppers",
        "ndcg@10": round(figures[best], 5),
        "hand_set_ndcg@10": round(figures[0], 5),
    }
