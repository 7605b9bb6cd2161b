"""The feature parity fixture: a fixed event history and the ranker inputs the worker computes from it.

The recommendation-service's FeatureParityTest replays the same events through the real feature-service
(its Lua apply step, its reader, its gRPC interface) and the recommendation-service's own assembly of
the inputs, and must find these values to 1e-6. The history is built to reach the rules' corners: a
shopper who returns to the same items (the recent list keeps one of each), more other items between two
repeats than co-occurrence looks back over, and a hub item met with so many others that its neighbour
set is cut back to the strongest. ``recsys-worker parity-golden`` writes the file; a pytest checks that
the committed copy is what the worker computes today.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .features import RANKER_DENSE_FEATURES, FeatureSnapshot, contract, feature_names
from .interactions import build
from .platform import EVENT_WEIGHTS

# where the recommendation-service's test reads it (relative to the repository root)
GOLDEN_PATH = Path("recommendation-service/src/test/resources/parity/feature-parity.json")
START = 1_767_225_600  # 2026-01-01T00:00:00Z, seconds
TYPES = ("view", "click", "add_to_cart", "purchase")
SHOPPERS = ("ada", "bo", "cy", "di", "ed", "fay")


def history() -> tuple[list[dict], dict[str, float]]:
    """The events in the order the platform applies them (one a minute) and the catalogue's prices."""
    rng = np.random.default_rng(2026)
    rows: list[tuple[str, str, str]] = []
    # 130 passers-by each meet one item and then the hub: the hub's neighbour set outgrows its bound
    for n in range(130):
        rows += [(f"passer{n:03d}", f"g{n:03d}", "view"), (f"passer{n:03d}", "hub", TYPES[n % 4])]
    # the shoppers browse a small shelf, so they come back to the same items often
    shelf = [f"g{n:03d}" for n in range(0, 24)] + ["hub"]
    for _ in range(260):
        shopper = SHOPPERS[int(rng.integers(len(SHOPPERS)))]
        rows.append(
            (shopper, shelf[int(rng.integers(len(shelf)))], TYPES[int(rng.choice(4, p=[0.5, 0.25, 0.15, 0.1]))])
        )
    # "ada" ends on a long run over many items, then comes back to what she saw first
    rows += [("ada", f"g{n:03d}", "view") for n in range(30, 60)]
    rows += [("ada", item, "click") for item in ("g001", "g002", "g001", "hub", "g002")]
    events = [
        {
            "event_id": f"parity-{n}",
            "user_id": user,
            "item_id": item,
            "type": kind,
            "occurred_at_millis": (START + 60 * n) * 1000,
        }
        for n, (user, item, kind) in enumerate(rows)
    ]
    prices = {f"g{n:03d}": round(1.5 + n * 0.25, 2) for n in range(0, 140, 3)}
    return events, prices


def golden() -> dict:
    events, prices = history()
    as_of = START + 60 * len(events) + 1800
    interactions = build(
        [
            (e["user_id"], e["item_id"], e["occurred_at_millis"] // 1000, e["event_id"], EVENT_WEIGHTS[e["type"]])
            for e in events
        ],
        prices,
        source="parity",
    )
    snapshot = FeatureSnapshot.of(interactions, as_of)
    items = interactions.item_ids
    index = {item: i for i, item in enumerate(items)}
    users = []
    for shopper in ("ada", "bo", "fay"):
        user = interactions.user_ids.index(shopper)
        row = snapshot.cooccurrence_row(user)
        cooccurring = {items[i]: float(row[i]) for i in np.flatnonzero(row)}
        chosen = sorted(cooccurring, key=lambda i: (-cooccurring[i], i))[:12]
        chosen += [items[i] for i in snapshot.popular_list(6).tolist() if items[i] not in chosen]
        chosen += ["g135", "never-seen-item"]  # an item with a price and no events, one the store does not know
        known = np.array([index[c] for c in chosen if c in index])
        dense = snapshot.dense(user, known, np.zeros(len(known)))
        by_item = dict(zip([c for c in chosen if c in index], dense.tolist(), strict=True))
        names = feature_names()
        item_columns = [names.index(n) for n in feature_names("item")]
        user_columns = [names.index(n) for n in feature_names("user")]
        users.append(
            {
                "user_id": shopper,
                "recent_list": [items[i] for i in snapshot.recent_distinct(user)],
                "cooccurrence": cooccurring,
                "candidates": chosen,
                "user_features": [float(snapshot.user_events[user])] if user_columns else [],
                "item_features": [
                    [float(by_item[c][k]) for k in item_columns] if c in by_item else _unknown(c, prices)
                    for c in chosen
                ],
            }
        )
    assert [n for n, *_ in RANKER_DENSE_FEATURES if n not in ("retrieval_score",)] == [
        *feature_names("item"),
        *feature_names("user"),
    ], "the golden file lists item then user features; the layout changed"
    return {
        "what": "events the feature-service applies in this order, then the ranker inputs the worker computes for "
        "each user's candidates as of as_of_millis (recsys_worker.parity)",
        "as_of_millis": as_of * 1000,
        "feature_contract": contract(retrieval_items=50),
        "user_feature_names": feature_names("user"),
        "item_feature_names": feature_names("item"),
        "catalogue": [{"item_id": item, "price": price} for item, price in prices.items()],
        "events": events,
        "users": users,
    }


def _unknown(item: str, prices: dict[str, float]) -> list[float]:
    """An item without events: only its catalog price is known."""
    return [float(prices.get(item, 0.0)) if name == "price" else 0.0 for name in feature_names("item")]


def write(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(golden(), indent=1) + "\n", encoding="utf-8")
