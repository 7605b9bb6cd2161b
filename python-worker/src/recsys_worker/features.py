"""Features "as of" a moment, computed the way the feature-service computes them online.

Training must see the same quantities the platform can serve, or the ranker learns from signals it
will never get. Each definition below names its online source (docs/feature-store.md); the ranker's
input layout is ``RANKER_DENSE_FEATURES`` after the user vector and the item embedding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .interactions import Interactions
from .platform import COOCCURRENCE_RECENT_ITEMS, NEIGHBOURS_KEPT  # as the feature-service

HOUR = 3600
DAY = 24 * HOUR

# (name, transform the model applies, who supplies it at serving time, where the platform reads it).
# Order is the model's input order. Scope: "derived" by the inference-service from the bundle, "item" per
# candidate and "user" once per request by the caller (from the feature-service).
RANKER_DENSE_FEATURES = (
    (
        "retrieval_score",
        "none",
        "derived",
        "dot product of the user vector and the item embedding (this bundle's embeddings)",
    ),
    (
        "cooccurrence",
        "log1p",
        "item",
        "sum over the user's 5 most recent distinct items h of h's co-occurrence neighbour "
        "score of the candidate (recsys:i:{h}:co; 0 when absent)",
    ),
    ("item_popularity", "log1p", "item", "all-time weighted popularity of the item (item hash field 'pop')"),
    (
        "item_popularity_7d",
        "log1p",
        "item",
        "popularity decayed with a 7 d time constant, as of now (field 'd:7d' read through its landmark)",
    ),
    ("item_popularity_24h", "log1p", "item", "popularity decayed with a 24 h time constant, as of now (field 'd:24h')"),
    ("price", "log1p", "item", "catalog unit price in major units (0 when unknown)"),
    ("user_events", "log1p", "user", "the user's number of events, all types (sum of the profile's n:<type> counters)"),
    (
        "hours_since_user_active",
        "log1p",
        "user",
        "hours since the user's last event (profile 'last_active'); 0 for a user's first request",
    ),
)


def feature_names(scope: str | None = None) -> list[str]:
    """The dense features' names in input order, or only those of one scope."""
    return [name for name, _, owner, _ in RANKER_DENSE_FEATURES if scope is None or owner == scope]


@dataclass
class FeatureSnapshot:
    """Everything the dense features need, from the interactions before ``as_of``."""

    as_of: int
    item_popularity: np.ndarray
    item_popularity_7d: np.ndarray
    item_popularity_24h: np.ndarray
    price: np.ndarray
    user_events: np.ndarray
    user_last_active: np.ndarray
    neighbours: list[dict[int, float]]
    recent_items: list[np.ndarray]  # per user, newest first, duplicates kept (the platform's recent list)

    @classmethod
    def of(cls, history: Interactions, as_of: int, recent_kept: int = 100) -> FeatureSnapshot:
        n_items, n_users = history.item_count, history.user_count
        age = (as_of - history.timestamps).astype(np.float64)
        w = history.weights
        popularity = np.bincount(history.items, weights=w, minlength=n_items)
        pop_7d = np.bincount(history.items, weights=w * np.exp(-age / (7 * DAY)), minlength=n_items)
        pop_24h = np.bincount(history.items, weights=w * np.exp(-age / DAY), minlength=n_items)
        events = np.bincount(history.users, minlength=n_users).astype(np.float64)
        last_active = np.full(n_users, -1, dtype=np.int64)
        np.maximum.at(last_active, history.users, history.timestamps)
        return cls(
            as_of,
            popularity,
            pop_7d,
            pop_24h,
            np.nan_to_num(history.item_prices, nan=0.0),
            events,
            last_active,
            _cooccurrence(history),
            _recent_items(history, recent_kept),
        )

    def dense(self, user: int, candidates: np.ndarray, retrieval_scores: np.ndarray) -> np.ndarray:
        """Raw dense features (before the model's own transform) for one user's candidates, [len, 8]."""
        out = np.zeros((len(candidates), len(RANKER_DENSE_FEATURES)), dtype=np.float32)
        out[:, 0] = retrieval_scores
        out[:, 1] = self.cooccurrence_scores(user, candidates)
        out[:, 2] = self.item_popularity[candidates]
        out[:, 3] = self.item_popularity_7d[candidates]
        out[:, 4] = self.item_popularity_24h[candidates]
        out[:, 5] = self.price[candidates]
        out[:, 6] = self.user_events[user]
        last = self.user_last_active[user]
        out[:, 7] = (self.as_of - last) / HOUR if last >= 0 else 0.0
        return out

    def cooccurrence_scores(self, user: int, candidates: np.ndarray) -> np.ndarray:
        return self.cooccurrence_row(user)[np.asarray(candidates, dtype=np.int64)]

    def cooccurrence_row(self, user: int) -> np.ndarray:
        """The co-occurrence feature of every item for one user: the sum over her most recent distinct items of
        their neighbour scores (0 for an item no recent item names)."""
        row = np.zeros(len(self.item_popularity), dtype=np.float64)
        for h in distinct(self.recent_items[user], COOCCURRENCE_RECENT_ITEMS):
            for other, weight in self.neighbours[h].items():
                row[other] += weight
        return row


def distinct(items: np.ndarray, limit: int) -> list[int]:
    """The first ``limit`` distinct items of ``items``, in their order (newest first for a recent list)."""
    seen: list[int] = []
    for item in items.tolist():
        if item not in seen:
            seen.append(item)
            if len(seen) == limit:
                break
    return seen


def _recent_items(history: Interactions, kept: int) -> list[np.ndarray]:
    order = np.lexsort((history.timestamps, history.users))
    users, items = history.users[order], history.items[order]
    bounds = np.searchsorted(users, np.arange(history.user_count + 1))
    return [items[max(bounds[u], bounds[u + 1] - kept) : bounds[u + 1]][::-1].copy() for u in range(history.user_count)]


def _cooccurrence(history: Interactions) -> list[dict[int, float]]:
    """Each event pairs its item with the user's 5 most recent distinct other items, both ways, adding its weight."""
    pairs: dict[tuple[int, int], float] = {}
    recent: dict[int, list[int]] = {}
    for user, item, weight in zip(
        history.users.tolist(), history.items.tolist(), history.weights.tolist(), strict=False
    ):
        previous = recent.setdefault(user, [])
        for other in [o for o in previous if o != item][:COOCCURRENCE_RECENT_ITEMS]:
            pairs[(item, other)] = pairs.get((item, other), 0.0) + weight
            pairs[(other, item)] = pairs.get((other, item), 0.0) + weight
        if item in previous:
            previous.remove(item)
        previous.insert(0, item)
        del previous[COOCCURRENCE_RECENT_ITEMS + 1 :]
    by_item: list[list[tuple[float, int]]] = [[] for _ in range(history.item_count)]
    for (item, other), weight in pairs.items():
        by_item[item].append((weight, other))
    return [{other: weight for weight, other in sorted(entries, reverse=True)[:NEIGHBOURS_KEPT]} for entries in by_item]
