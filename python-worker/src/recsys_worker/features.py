"""Features "as of" a moment, computed the way the feature-service computes them online.

Training must see the same quantities the platform can serve, or the ranker learns from signals it
will never get. Each definition below names its online source (docs/feature-store.md); the ranker's
input layout is ``RANKER_DENSE_FEATURES`` after the user vector and the item embedding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .interactions import Interactions
from .platform import (  # as the feature-service and the recommendation-service
    CACHED_POPULAR,
    COOCCURRENCE_LOOK_BACK_EVENTS,
    COOCCURRENCE_RECENT_ITEMS,
    DEPTH_CANDIDATES,
    NEIGHBOURS_KEPT,
    POPULARITY_WINDOW_SECONDS,
    RECENT_LIST_EVENTS,
)

HOUR = 3600
DAY = 24 * HOUR

# (name, transform the model applies, who supplies it at serving time, where the platform reads it).
# Order is the model's input order. Scope: "derived" by the inference-service from the bundle, "item" per
# candidate and "user" once per request by the caller (from the feature-service).
# Not among them: hours since the shopper's last event. Training could only see it at the label window's start
# (median about 800 h), serving sees about 0 for a shopper who is clicking: a distribution training never meets.
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
        f"sum over the user's {COOCCURRENCE_RECENT_ITEMS} most recent distinct items h of h's co-occurrence "
        "neighbour score of the candidate (recsys:i:{h}:co; 0 when absent)",
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
)


def feature_names(scope: str | None = None) -> list[str]:
    """The dense features' names in input order, or only those of one scope."""
    return [name for name, _, owner, _ in RANKER_DENSE_FEATURES if scope is None or owner == scope]


def contract(retrieval_items: int) -> dict:
    """The rules by which the platform computes the model's inputs, as the bundle metadata states them (the
    recommendation-service reads the read-side ones from there and checks the write-side ones against its own)."""
    return {
        "recent_list": {
            "events": RECENT_LIST_EVENTS,
            "rule": "item ids of the user's last `events` events, newest first, each item once (its newest occurrence)",
            "retrieval_items": retrieval_items,
        },
        "cooccurrence": {
            "seed_items": COOCCURRENCE_RECENT_ITEMS,
            "neighbours_per_seed": NEIGHBOURS_KEPT,
            "pairs_per_event": COOCCURRENCE_RECENT_ITEMS,
            "look_back_events": COOCCURRENCE_LOOK_BACK_EVENTS,
            "neighbours_kept": NEIGHBOURS_KEPT,
        },
        "popularity_windows_seconds": {name: int(value) for name, value in POPULARITY_WINDOW_SECONDS.items()},
        "candidates": dataclasses.asdict(CandidateMix.level("full")),
    }


def trending(popular: int) -> int:
    """Trending candidates asked for beside ``popular`` popular ones (the recommendation-service's rule)."""
    return max(1, popular // 5)


@dataclass(frozen=True)
class CandidateMix:
    """Candidates asked of each source at one prediction depth, as the recommendation-service asks them."""

    embedding: int
    cooccurrence: int
    popular: int
    trending: int

    @classmethod
    def level(cls, name: str) -> CandidateMix:
        """What the recommendation-service asks at a prediction depth (platform.properties)."""
        return cls.of(DEPTH_CANDIDATES[name])

    @classmethod
    def of(cls, counts: tuple[int, int, int]) -> CandidateMix:
        embedding, cooccurring, popular = counts
        return cls(embedding, cooccurring, popular, trending(popular))


@dataclass
class FeatureSnapshot:
    """Everything the dense features need, from the interactions before ``as_of``."""

    as_of: int
    item_popularity: np.ndarray
    item_popularity_7d: np.ndarray
    item_popularity_24h: np.ndarray
    item_popularity_1h: np.ndarray
    price: np.ndarray
    user_events: np.ndarray
    neighbours: list[dict[int, float]]
    recent_items: list[np.ndarray]  # per user, newest first, duplicates kept (the feature-service's recent list)
    # the popular and trending lists the recommendation-service keeps in memory
    cached_popular: np.ndarray = field(init=False, repr=False)
    cached_trending: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cached_popular = self.popular_list(CACHED_POPULAR)
        self.cached_trending = self.trending_list(CACHED_POPULAR // 5)

    @classmethod
    def of(cls, history: Interactions, as_of: int) -> FeatureSnapshot:
        n_items, n_users = history.item_count, history.user_count
        age = (as_of - history.timestamps).astype(np.float64)
        w = history.weights
        windows = POPULARITY_WINDOW_SECONDS

        def decayed(window: str) -> np.ndarray:
            return np.bincount(history.items, weights=w * np.exp(-age / windows[window]), minlength=n_items)

        return cls(
            as_of,
            np.bincount(history.items, weights=w, minlength=n_items),
            decayed("last-week"),
            decayed("last-day"),
            decayed("last-hour"),
            np.nan_to_num(history.item_prices, nan=0.0),
            np.bincount(history.users, minlength=n_users).astype(np.float64),
            cooccurrence(history),
            _recent_items(history, RECENT_LIST_EVENTS),
        )

    def dense(
        self, user: int, candidates: np.ndarray, retrieval_scores: np.ndarray, cooccurring: np.ndarray | None = None
    ) -> np.ndarray:
        """Raw dense features (before the model's own transform) for one user's candidates, [len, 7]; ``cooccurring``
        is her ``cooccurrence_row`` when the caller has it already."""
        out = np.zeros((len(candidates), len(RANKER_DENSE_FEATURES)), dtype=np.float32)
        out[:, 0] = retrieval_scores
        row = self.cooccurrence_row(user) if cooccurring is None else cooccurring
        out[:, 1] = row[np.asarray(candidates, dtype=np.int64)]
        out[:, 2] = self.item_popularity[candidates]
        out[:, 3] = self.item_popularity_7d[candidates]
        out[:, 4] = self.item_popularity_24h[candidates]
        out[:, 5] = self.price[candidates]
        out[:, 6] = self.user_events[user]
        return out

    def recent_distinct(self, user: int, limit: int = RECENT_LIST_EVENTS) -> list[int]:
        """The recent list as the models read it: distinct items, newest first."""
        return distinct(self.recent_items[user], limit)

    def cooccurrence_row(self, user: int) -> np.ndarray:
        """The co-occurrence feature of every item for one user: the sum over her most recent distinct items of
        their neighbour scores (0 for an item no recent item names)."""
        row = np.zeros(len(self.item_popularity), dtype=np.float64)
        for h in self.recent_distinct(user, COOCCURRENCE_RECENT_ITEMS):
            for other, weight in self.neighbours[h].items():
                row[other] += weight
        return row

    def candidates(
        self,
        user: int,
        seen: set[int],
        mix: CandidateMix,
        retrieval_scores: np.ndarray | None = None,
        cooccurring: np.ndarray | None = None,
    ) -> list[int]:
        """The user's candidates as the recommendation-service gathers them at one depth: embedding retrieval's top
        unseen items (by ``retrieval_scores``; items nobody had touched are left out, their embeddings were never
        trained), then the co-occurrence neighbours of her recent items, the popular list and the trending list, each
        without what she has seen; the first source to name an item keeps it."""
        merged: dict[int, None] = {}
        if mix.embedding and retrieval_scores is not None:
            scores = np.where(self.item_popularity > 0, retrieval_scores, -np.inf)
            scores[list(seen)] = -np.inf
            count = min(mix.embedding, int(np.isfinite(scores).sum()))
            if count:
                top = np.argpartition(-scores, count - 1)[:count]
                merged.update(dict.fromkeys(top[np.argsort(-scores[top], kind="stable")].tolist()))
        if mix.cooccurrence:
            cooccurring = (self.cooccurrence_row(user) if cooccurring is None else cooccurring).copy()
            cooccurring[list(seen)] = 0.0
            named = np.flatnonzero(cooccurring > 0)
            merged.update(dict.fromkeys(named[np.lexsort((named, -cooccurring[named]))][: mix.cooccurrence].tolist()))
        for source, count in ((self.cached_popular, mix.popular), (self.cached_trending, mix.trending)):
            merged.update(dict.fromkeys([i for i in source.tolist() if i not in seen][:count]))
        return list(merged)

    def popular_list(self, limit: int) -> np.ndarray:
        """The recommendation-service's cached popular list: by 7-day decayed popularity, items with any."""
        scores = self.item_popularity_7d
        order = np.lexsort((np.arange(len(scores)), -scores))
        return order[scores[order] > 0][:limit]

    def trending_list(self, limit: int) -> np.ndarray:
        """The feature-service's trending rule: among the top ``4 * limit`` of the last hour, items whose last hour
        rate exceeds their last week's, by the surplus (events per hour)."""
        hour, week = POPULARITY_WINDOW_SECONDS["last-hour"], POPULARITY_WINDOW_SECONDS["last-week"]
        pool = np.lexsort((np.arange(len(self.item_popularity_1h)), -self.item_popularity_1h))[: 4 * limit]
        pool = pool[self.item_popularity_1h[pool] > 0]
        surplus = (self.item_popularity_1h[pool] / hour - self.item_popularity_7d[pool] / week) * HOUR
        rising = pool[surplus > 0][np.argsort(-surplus[surplus > 0], kind="stable")]
        return rising[:limit]


def distinct(items: np.ndarray | list[int], limit: int) -> list[int]:
    """The first ``limit`` distinct items of ``items``, in their order (newest first for a recent list)."""
    seen: dict[int, None] = {}
    for item in items.tolist() if isinstance(items, np.ndarray) else items:
        if item not in seen:
            seen[item] = None
            if len(seen) == limit:
                break
    return list(seen)


def _recent_items(history: Interactions, kept: int) -> list[np.ndarray]:
    order = np.lexsort((history.timestamps, history.users))
    users, items = history.users[order], history.items[order]
    bounds = np.searchsorted(users, np.arange(history.user_count + 1))
    return [items[max(bounds[u], bounds[u + 1] - kept) : bounds[u + 1]][::-1].copy() for u in range(history.user_count)]


def cooccurrence(history: Interactions) -> list[dict[int, float]]:
    """Each item's strongest neighbours as the feature-service serves them, built the way it builds them (its
    apply-batch.lua, event by event in log order): an event pairs its item with the first
    ``COOCCURRENCE_RECENT_ITEMS`` distinct other items among the user's last ``COOCCURRENCE_LOOK_BACK_EVENTS``
    events, both ways, adding its weight; a neighbour set that grows past twice ``NEIGHBOURS_KEPT`` is cut to its
    strongest ``NEIGHBOURS_KEPT`` (Redis order: score, then id), so a pruned neighbour starts again from zero."""
    ids = history.item_ids
    sets: list[dict[int, float]] = [{} for _ in range(history.item_count)]
    limit = 2 * NEIGHBOURS_KEPT

    def add(of: int, neighbour: int, weight: float) -> None:
        row = sets[of]
        if neighbour in row:
            row[neighbour] += weight
            return
        row[neighbour] = weight
        if len(row) > limit:
            sets[of] = dict(_strongest(row, ids))

    recent: dict[int, list[int]] = {}
    for user, item, weight in zip(
        history.users.tolist(), history.items.tolist(), history.weights.tolist(), strict=False
    ):
        previous = recent.setdefault(user, [])
        paired: set[int] = set()
        for other in previous:
            if other != item and other not in paired:
                paired.add(other)
                add(item, other, weight)
                add(other, item, weight)
                if len(paired) == COOCCURRENCE_RECENT_ITEMS:
                    break
        previous.insert(0, item)
        del previous[COOCCURRENCE_LOOK_BACK_EVENTS:]
    return [dict(_strongest(row, ids)) for row in sets]


def _strongest(row: dict[int, float], ids: list[str]) -> list[tuple[int, float]]:
    """The ``NEIGHBOURS_KEPT`` strongest of a neighbour set, as a Redis sorted set ranks them (ties: greater id)."""
    return sorted(row.items(), key=lambda e: (e[1], ids[e[0]]), reverse=True)[:NEIGHBOURS_KEPT]
