"""Quality per prediction depth, measured on the running platform.

The evaluation protocol's split is replayed through the platform's public API: the training part's
purchases (shifted in time so that the split lies just before now) and the catalogue go in through the
gateway, a bundle trained on the same training part is published for the inference-service to pick
up, and every test user then asks the gateway for 20 items at each depth. The answers are scored by
the same metrics as the offline evaluation: the price of each step down, with the live feature store,
candidate sources and ranking in the loop.
"""

from __future__ import annotations

import itertools
import shutil
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import bundle, evaluation, http_api, metrics, training
from .features import FeatureSnapshot
from .interactions import Interactions
from .progress import Progress

DEPTHS = ("full", "reduced", "minimal", "fallback")
# at most this many exclusions per request (the recommendation-service's max-exclusions is 500; a URL stays short)
EXCLUSIONS = 300
# the first, cold pass at FULL, reported apart from the depths' own
WARM_UP = "warm-up (full)"
# how often a request is asked again after a 503 or 504 (counted in the report) before the replay gives up
RETRIES = 5


def event_batches(train: Interactions, shift_seconds: int, size: int = 1000):
    """The training purchases as the gateway's JSON events, in time order, in batches."""
    batch = []
    for n, (u, i, ts, basket) in enumerate(
        zip(train.users.tolist(), train.items.tolist(), train.timestamps.tolist(), train.baskets.tolist(), strict=False)
    ):
        batch.append(
            {
                "event_id": f"replay-{n}",
                "user_id": train.user_ids[u],
                "item_id": train.item_ids[i],
                "type": "purchase",
                "occurred_at": datetime.fromtimestamp(ts + shift_seconds, tz=timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "context": {"session_id": f"basket-{basket}"},
            }
        )
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def catalogue_batches(data: Interactions, size: int = 1000):
    items = [
        {"item_id": item, **({"price": float(price)} if np.isfinite(price) else {})}
        for item, price in zip(data.item_ids, data.item_prices.tolist(), strict=False)
    ]
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _metric(url: str, name: str, label: str) -> float:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{") and label in line
    )


def run(
    data: Interactions,
    models: training.TrainedModels | None,
    params: training.TrainingParams,
    device,
    gateway: str,
    feature_service: str,
    inference_service: str,
    model_dir: Path,
    model_name: str,
    test_days: int = 30,
) -> dict:
    split = evaluation.temporal_split(data, test_days)
    shift = int(time.time()) - split.start
    Progress.note(
        f"replay: {len(split.train):,} training purchases, {len(split.users):,} test users; times shifted by "
        f"{shift / 86400:.0f} days so that the split lies at now"
    )
    if models is None:
        models = training.train(split.train, params, device)
    version = "zz-replay-" + bundle.default_version()  # sorts after the demo's versions: the service swaps to it
    loads = inference_service + "/actuator/prometheus"
    loaded_before = _metric(loads, "recsys_inference_model_loads_total", 'outcome="loaded"')
    published = bundle.publish(models, model_dir, model_name, version)
    try:
        _await(
            lambda: _metric(loads, "recsys_inference_model_loads_total", 'outcome="loaded"') > loaded_before,
            60,
            f"the inference-service to load {version}",
        )
        applied_before = _metric(feature_service + "/actuator/prometheus", "recsys_feature_log_applied_total", "")
        # ids the platform refuses (the dataset has a few non-products such as "BANK CHARGES") are counted, not fatal
        sent, rejected = 0, {"items": 0, "events": 0}
        refused_items: set[str] = set()
        for batch in catalogue_batches(data):
            status, _, body = http_api.call("PUT", gateway + "/api/v1/catalog/items", batch)
            if status not in (200, 400) or body is None or "upserted" not in body:
                raise RuntimeError(f"catalog upsert answered {status}: {str(body)[:300]}")
            sent += body["upserted"]
            rejected["items"] += body["rejected"]
            refused_items.update(r["item_id"] for r in body.get("results", []) if r.get("outcome") == "rejected")
        progress = Progress("replaying purchases", total=len(split.train), unit="events")
        for batch in event_batches(split.train, shift):
            status, _, body = http_api.call("POST", gateway + "/api/v1/events", batch)
            if status not in (200, 400) or body is None or "accepted" not in body:
                raise RuntimeError(f"ingestion answered {status}: {str(body)[:300]}")
            sent += body["accepted"]
            rejected["events"] += body["rejected"]
            progress.advance(len(batch))
        progress.done()
        Progress.note(f"replay: refused by the platform: {rejected}")
        _await(
            lambda: (
                _metric(feature_service + "/actuator/prometheus", "recsys_feature_log_applied_total", "")
                >= applied_before + sent
            ),
            600,
            "the feature-service to apply the replay",
        )
        catalogue = int(split.known.sum())
        index = {item: n for n, item in enumerate(data.item_ids)}
        excluded = older_items(split.train, split.users)
        results: dict[str, dict[str, Any]] = {
            "offline": metrics.evaluate(
                training.recommend(models, split.train, split.start, split.users, 20, device), split.truth, catalogue
            )
        }
        Progress.note(f"offline, the same bundle and users: NDCG@10 {results['offline']['ndcg@10']:.4f}")
        # a first pass at FULL, scored apart: cold JVMs and caches still catching up with the replay shed depth
        for label, depth in ((WARM_UP, "full"), *((d, d) for d in DEPTHS)):
            ranked, served, retried = [], dict.fromkeys(DEPTHS, 0), 0
            started = time.monotonic()
            for user in split.users.tolist():
                # ids the platform refused are not in it: nothing to exclude
                exclude = ",".join(data.item_ids[i] for i in excluded[user] if data.item_ids[i] not in refused_items)
                url = (
                    f"{gateway}/api/v1/users/{urllib.parse.quote(data.user_ids[user])}/recommendations?limit=20"
                    f"&max_depth={depth}" + (f"&exclude={urllib.parse.quote(exclude)}" if exclude else "")
                )
                status, body = _ask(url)
                for _ in range(RETRIES):
                    if status not in (503, 504):
                        break
                    retried += 1  # a cold service may miss the gateway's deadline; a client asks again
                    time.sleep(0.5)
                    status, body = _ask(url)
                if status != 200:
                    raise RuntimeError(f"recommendations answered {status}: {body}")
                served[body["depth"]] = served.get(body["depth"], 0) + 1
                row = [index.get(item["item_id"], -1) for item in body["items"]]
                ranked.append(row + [-1] * (20 - len(row)))
            results[label] = metrics.evaluate(np.array(ranked), split.truth, catalogue)
            results[label]["served_at"] = served
            results[label]["asked_again_after_503_or_504"] = retried
            results[label]["seconds"] = round(time.monotonic() - started, 1)
            Progress.note(
                f"{label}: NDCG@10 {results[label]['ndcg@10']:.4f}, Recall@10 {results[label]['recall@10']:.4f} "
                f"(answers served at {served})"
            )
        ndcg = [results[depth]["ndcg@10"] for depth in DEPTHS]
        return {
            "protocol": "as `evaluate` (docs/model-bundle.md), through the running platform's gateway; items a "
            "shopper took before her recent list (the platform excludes those itself) are passed as exclusions, "
            "as the offline protocol excludes her whole history",
            "monotone": all(a >= b for a, b in itertools.pairwise(ndcg)),
            "full_vs_offline": round(results["full"]["ndcg@10"] / results["offline"]["ndcg@10"] - 1, 4),
            "refused_by_the_platform": rejected,
            "bundle": version,
            "time_shift_days": round(shift / 86400, 1),
            "data": data.describe(),
            "results": results,
        }
    finally:
        shutil.rmtree(published, ignore_errors=True)  # the platform keeps serving it until it restarts


def _ask(url: str) -> tuple[int, Any]:
    status, _headers, body = http_api.call("GET", url)
    return status, body


def older_items(train: Interactions, users: np.ndarray, most: int = EXCLUSIONS) -> dict[int, list[int]]:
    """Per user, the items she took before the events her recent list holds, newest first (at most ``most``)."""
    snapshot = FeatureSnapshot.of(train, int(train.timestamps.max()) + 1)
    wanted = set(users.tolist())
    last_taken: dict[int, dict[int, int]] = {user: {} for user in wanted}
    for user, item, at in zip(train.users.tolist(), train.items.tolist(), train.timestamps.tolist(), strict=True):
        if user in wanted:
            last_taken[user][item] = at  # interactions are in time order: the last write is the newest
    older: dict[int, list[int]] = {}
    for user in wanted:
        recent = set(snapshot.recent_distinct(user))
        taken = last_taken[user]
        older[user] = sorted((i for i in taken if i not in recent), key=lambda i: -taken[i])[:most]
    return older


def _await(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.5)


def table(report: dict) -> str:
    columns = ("recall@10", "recall@20", "ndcg@10", "hit_rate@10", "coverage@10")
    lines = [f"{'depth':<10}" + "".join(f"{c:>13}" for c in columns) + "  served at"]
    for depth, values in report["results"].items():
        served = values.get("served_at", "(the worker, offline)")
        lines.append(f"{depth:<10}" + "".join(f"{values[c]:>13.4f}" for c in columns) + f"  {served}")
    lines.append(
        f"monotone FULL >= REDUCED >= MINIMAL >= FALLBACK: {'yes' if report['monotone'] else 'no'}; "
        f"FULL vs offline: {100 * report['full_vs_offline']:+.1f}%"
    )
    return "\n".join(lines)
