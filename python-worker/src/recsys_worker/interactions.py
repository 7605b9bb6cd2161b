"""The one in-memory shape every data source is turned into: time-ordered interactions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

# Same weights as the feature-service's popularity (recsys.features.weights), so that features
# computed here for training match what the platform serves.


@dataclass(frozen=True)
class Interactions:
    """Interactions sorted by time; users and items are dense indexes into ``user_ids``/``item_ids``.

    ``baskets`` groups interactions that happened together (an invoice, a session); ``weights`` is the
    event weight (a purchase counts more than a view); ``item_prices`` is by item index, NaN when unknown.
    """

    users: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray
    baskets: np.ndarray
    weights: np.ndarray
    user_ids: list[str]
    item_ids: list[str]
    item_prices: np.ndarray
    source: str = "unknown"
    _fingerprint: list[str] = field(default_factory=list, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.users)

    @property
    def user_count(self) -> int:
        return len(self.user_ids)

    @property
    def item_count(self) -> int:
        return len(self.item_ids)

    def select(self, mask: np.ndarray) -> Interactions:
        """The interactions where ``mask`` holds, with the same user and item indexes."""
        return Interactions(
            self.users[mask],
            self.items[mask],
            self.timestamps[mask],
            self.baskets[mask],
            self.weights[mask],
            self.user_ids,
            self.item_ids,
            self.item_prices,
            self.source,
        )

    def before(self, time: int) -> Interactions:
        return self.select(self.timestamps < time)

    def since(self, time: int) -> Interactions:
        return self.select(self.timestamps >= time)

    def fingerprint(self) -> str:
        """sha256 over the interactions as ids, so the same data read from any source gives the same value."""
        if not self._fingerprint:
            digest = hashlib.sha256()
            users = np.asarray(self.user_ids, dtype=object)[self.users]
            items = np.asarray(self.item_ids, dtype=object)[self.items]
            for chunk in range(0, len(self), 100_000):
                part = slice(chunk, chunk + 100_000)
                rows = zip(
                    users[part], items[part], self.timestamps[part].tolist(), self.weights[part].tolist(), strict=False
                )
                digest.update("\n".join(f"{u}\t{i}\t{t}\t{w:g}" for u, i, t, w in rows).encode())
            self._fingerprint.append("sha256:" + digest.hexdigest())
        return self._fingerprint[0]

    def describe(self) -> dict:
        return {
            "source": self.source,
            "fingerprint": self.fingerprint(),
            "interactions": len(self),
            "users": len(np.unique(self.users)),
            "items": len(np.unique(self.items)),
            "baskets": len(np.unique(self.baskets)),
            "from": int(self.timestamps.min()) if len(self) else None,
            "to": int(self.timestamps.max()) if len(self) else None,
        }


def build(
    rows: list[tuple[str, str, int, str, float]], prices: dict[str, float] | None = None, source: str = "unknown"
) -> Interactions:
    """Interactions from ``(user, item, epoch_seconds, basket, weight)`` rows in any order."""
    if not rows:
        raise ValueError("no interactions to learn from")
    rows = sorted(rows, key=lambda r: (r[2], r[3], r[0], r[1]))
    user_ids = sorted({r[0] for r in rows})
    item_ids = sorted({r[1] for r in rows})
    user_index = {u: i for i, u in enumerate(user_ids)}
    item_index = {i: n for n, i in enumerate(item_ids)}
    basket_index: dict[tuple[str, str], int] = {}
    baskets = [basket_index.setdefault((r[0], r[3]), len(basket_index)) for r in rows]
    price_array = np.full(len(item_ids), np.nan, dtype=np.float64)
    for item, price in (prices or {}).items():
        if item in item_index:
            price_array[item_index[item]] = price
    return Interactions(
        users=np.fromiter((user_index[r[0]] for r in rows), dtype=np.int64, count=len(rows)),
        items=np.fromiter((item_index[r[1]] for r in rows), dtype=np.int64, count=len(rows)),
        timestamps=np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)),
        baskets=np.asarray(baskets, dtype=np.int64),
        weights=np.fromiter((r[4] for r in rows), dtype=np.float64, count=len(rows)),
        user_ids=user_ids,
        item_ids=item_ids,
        item_prices=price_array,
        source=source,
    )


def sessions(
    rows: list[tuple[str, str, int, float]], gap_seconds: int = 1800
) -> list[tuple[str, str, int, str, float]]:
    """Baskets for sources that have none: a user's interactions less than ``gap_seconds`` apart."""
    out = []
    last: dict[str, tuple[int, int]] = {}
    for user, item, ts, weight in sorted(rows, key=lambda r: (r[0], r[2])):
        previous = last.get(user)
        number = previous[1] + (ts - previous[0] > gap_seconds) if previous else 0
        last[user] = (ts, number)
        out.append((user, item, ts, f"s{number}", weight))
    return out
