"""The offline evaluation protocol (docs/model-bundle.md, "Offline evaluation").

Two temporal windows at the end of the data: the **test window** (the last ``test_days``) and, just before it, the
**validation window** (``validation_days``). Every model, ours included, chooses its settings on the validation
window, trained on what came before it; then it is trained once more with the chosen settings on everything before
the test window and scored on the test window once. Models whose training is random are scored with several seeds.

A test user is one with history before the window and at least one held-out item that is new to them and known to
the catalogue by then (items first sold in the window cannot be recommended by any model and are left out of the
truth; their number is reported). Items the user interacted with before are excluded from every model's list: the
task is "what will this shopper take next that they have not taken before", matching the platform, which does not
recommend what a shopper already bought. Every model ranks the full catalogue (no sampled negatives).

Two groups are reported on their own rows instead of being dropped: newcomers (no history before the window; only
models that need no history can serve them, as the platform serves them popularity) and repeat purchases (held-out
items the shopper had before, which the platform deliberately does not recommend; a re-purchase list shows their size).

Per-user NDCG@10 is kept for every model, so that each model's difference to the best baseline (the baseline with the
best validation figure) gets a 95 % paired-bootstrap interval.
"""

from __future__ import annotations

import dataclasses
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from . import baselines, cheap_scores, metrics, training
from .features import DAY
from .interactions import Interactions
from .progress import Progress
from .ranker import seen_items

RANKED = 20  # list length every model produces (metrics use the top 10 and 20)
SEEDS = 3  # per model whose training is random
TUNING_BUDGET_SECONDS = 1800.0  # for choosing every model's settings together
MODELS = (
    "popularity",
    "popularity-30d",
    "popularity-7d",
    "minimal",
    "itemknn",
    "ease",
    "bpr-mf",
    "ours-retrieval",
    "ours-reduced",
    "ours",
)


@dataclass(frozen=True)
class Split:
    """One window: training data before ``start``, held-out items in [start, end)."""

    train: Interactions
    start: int
    end: int
    users: np.ndarray
    truth: list[set[int]]
    seen: list[set[int]]
    known: np.ndarray
    dropped_unknown: int
    newcomers: np.ndarray
    newcomer_truth: list[set[int]]
    repeats: dict[int, set[int]]

    @property
    def catalogue(self) -> int:
        return int(self.known.sum())

    def for_newcomers(self) -> Split:
        """The same window whose users are the newcomers (no history, so nothing seen)."""
        empty: list[set[int]] = [set() for _ in self.seen]
        return dataclasses.replace(self, users=self.newcomers, truth=self.newcomer_truth, seen=empty)


def window_split(data: Interactions, start: int, end: int) -> Split:
    train, held_out = data.before(start), data.before(end).since(start)
    seen = seen_items(train)
    known = np.bincount(train.items, minlength=data.item_count) > 0
    truth: dict[int, set[int]] = {}
    newcomer_truth: dict[int, set[int]] = {}
    repeats: dict[int, set[int]] = {}
    dropped = 0
    for user, item in zip(held_out.users.tolist(), held_out.items.tolist(), strict=False):
        if item in seen[user]:
            repeats.setdefault(user, set()).add(item)
            continue
        if not known[item]:
            dropped += 1
            continue
        (truth if seen[user] else newcomer_truth).setdefault(user, set()).add(item)
    users = np.array(sorted(truth), dtype=np.int64)
    newcomers = np.array(sorted(newcomer_truth), dtype=np.int64)
    return Split(
        train,
        start,
        end,
        users,
        [truth[u] for u in users],
        seen,
        known,
        dropped,
        newcomers,
        [newcomer_truth[u] for u in newcomers],
        repeats,
    )


def temporal_split(data: Interactions, test_days: int) -> Split:
    """The test window: the last ``test_days`` of the data."""
    end = int(data.timestamps.max()) + 1
    return window_split(data, end - test_days * DAY, end)


def validation_split(data: Interactions, test_days: int, validation_days: int) -> Split:
    """The validation window: the ``validation_days`` just before the test window; the test window is not read."""
    test_start = int(data.timestamps.max()) + 1 - test_days * DAY
    return window_split(data.before(test_start), test_start - validation_days * DAY, test_start)


def ranked_from_scores(scores: np.ndarray, split: Split) -> np.ndarray:
    """Top ``RANKED`` per user, items unknown at the window's start and the user's own history excluded."""
    scores = scores.astype(np.float64, copy=True)
    scores[:, ~split.known] = -np.inf
    for row, user in enumerate(split.users.tolist()):
        scores[row, list(split.seen[user])] = -np.inf
    return metrics.top_k(scores, RANKED)


# A family of models: ``recommend(split, settings, seed)`` yields (settings, ranked lists) once, or several times as
# training goes on (early stopping: the settings then say after how many epochs), for ``split.users``.
Recommend = Callable[[Split, dict, int], Iterator[tuple[dict, np.ndarray]]]


@dataclass(frozen=True)
class Family:
    key: str  # as --models names it
    name: str  # as the report names it
    grid: tuple[dict, ...]  # the settings to try, the likeliest first (a time budget cuts the tail)
    recommend: Recommend
    baseline: bool = True
    seeded: bool = False  # training is random: scored with several seeds
    needs_history: bool = True  # cannot serve a newcomer


def _scored(score: Callable[[Split, dict, int], np.ndarray]) -> Recommend:
    def recommend(split: Split, settings: dict, seed: int) -> Iterator[tuple[dict, np.ndarray]]:
        yield settings, ranked_from_scores(score(split, settings, seed), split)

    return recommend


def _minimal() -> Recommend:
    """The platform's MINIMAL scorer with each weight setting; the signals are computed once per window."""
    computed: dict[tuple, cheap_scores.Components] = {}

    def score(split: Split, weights: dict, seed: int) -> np.ndarray:
        key = (split.start, split.end, len(split.users))
        if key not in computed:
            computed[key] = cheap_scores.Components.of(split.train, split.users, split.start)
        return computed[key].scores(weights)

    return _scored(score)


def _bpr(device: torch.device, max_epochs: int, check_every: int) -> Recommend:
    def recommend(split: Split, settings: dict, seed: int) -> Iterator[tuple[dict, np.ndarray]]:
        # with "epochs" set (the test run) it trains exactly that long; without, it reports every check_every epochs
        params = baselines.bpr_params({"epochs": max_epochs, **settings})
        every = params.epochs if "epochs" in settings else check_every
        for epochs, scores in baselines.bpr_mf_checkpoints(split.train, split.users, device, params, seed, every):
            yield {**settings, "epochs": epochs}, ranked_from_scores(scores, split)

    return recommend


def with_settings(params: training.TrainingParams, settings: dict) -> training.TrainingParams:
    """``params`` with fields replaced by dotted name: {"retrieval.dimension": 64, "ranker.epochs": 20}."""
    parts: dict[str, dict] = {"retrieval": {}, "ranker": {}}
    for name, value in settings.items():
        part, _, field = name.partition(".")
        if part not in parts or field not in getattr(params, part).__dataclass_fields__:
            raise ValueError(f"no training setting {name!r}")
        parts[part][field] = value
    return dataclasses.replace(
        params,
        retrieval=dataclasses.replace(params.retrieval, **parts["retrieval"]),
        ranker=dataclasses.replace(params.ranker, **parts["ranker"]),
    )


# ours: the given settings first, then one change at a time where the validation figures might move
OURS_GRID: tuple[dict, ...] = ({}, {"retrieval.dimension": 64}, {"retrieval.decay": 0.8}, {"ranker.weight_decay": 1e-4})


def _ours(
    params: training.TrainingParams,
    device: torch.device,
    rank: bool,
    trained: dict[tuple, training.TrainedModels],
    level: str = "full",
) -> Recommend:
    """Retrieval alone, or the ranker over one prediction depth's candidates; all read one ``trained`` cache, so each
    setting is trained once."""

    def recommend(split: Split, settings: dict, seed: int) -> Iterator[tuple[dict, np.ndarray]]:
        key = (split.start, split.end, tuple(sorted(settings.items())), seed)
        if key not in trained:
            trained[key] = training.train(
                split.train, dataclasses.replace(with_settings(params, settings), seed=seed), device
            )
        models = trained[key]
        yield (
            settings,
            training.recommend(models, split.train, split.start, split.users, RANKED, device, rank=rank, level=level),
        )

    return recommend


def _recent_popularity(days: int) -> Family:
    name = f"popularity-{days}d"
    recommend = _scored(lambda s, c, _: baselines.popularity(s.train, s.users, s.start, c["days"]))
    return Family(name, name, ({"days": days},), recommend, needs_history=False)


def families(params: training.TrainingParams, device: torch.device) -> dict[str, Family]:
    """Every model the evaluation knows, by the name ``--models`` uses."""
    trained: dict[tuple, training.TrainedModels] = {}
    return {
        family.key: family
        for family in (
            Family(
                "popularity",
                "popularity",
                ({},),
                _scored(lambda s, _, __: baselines.popularity(s.train, s.users)),
                needs_history=False,
            ),
            _recent_popularity(30),
            _recent_popularity(7),
            Family("minimal", "minimal", cheap_scores.GRID, _minimal(), needs_history=False),
            Family(
                "itemknn",
                "itemknn",
                tuple(
                    {"neighbours": k, "shrink": shrink}
                    for k in (100, 50, 200, 400, 20)
                    for shrink in (0.0, 10.0, 100.0)
                ),
                _scored(lambda s, c, _: baselines.item_knn(s.train, s.users, c["neighbours"], c["shrink"])),
            ),
            Family(
                "ease",
                "ease",
                tuple({"regularisation": r} for r in (250.0, 100.0, 500.0, 50.0, 1000.0, 2500.0, 10.0, 5000.0)),
                _scored(lambda s, c, _: baselines.ease(s.train, s.users, c["regularisation"])),
            ),
            Family(
                "bpr-mf",
                "bpr-mf",
                (
                    {"dimension": 64, "weight_decay": 1e-5},
                    {"dimension": 64, "weight_decay": 1e-4},
                    {"dimension": 32, "weight_decay": 1e-5},
                    {"dimension": 128, "weight_decay": 1e-5},
                ),
                _bpr(device, max_epochs=40, check_every=5),
                seeded=True,
            ),
            Family(
                "ours-retrieval",
                "retrieval (ours)",
                OURS_GRID,
                _ours(params, device, False, trained),
                baseline=False,
                seeded=True,
            ),
            Family(
                "ours-reduced",
                "ranker at REDUCED (ours)",
                OURS_GRID,
                _ours(params, device, True, trained, level="reduced"),
                baseline=False,
                seeded=True,
            ),
            Family(
                "ours",
                "retrieval + ranker (ours)",
                OURS_GRID,
                _ours(params, device, True, trained),
                baseline=False,
                seeded=True,
            ),
        )
    }


@dataclass
class Choice:
    settings: dict
    validation_ndcg: float
    tried: list[dict]
    skipped: int
    seconds: float


def choose(family: Family, validation: Split, seed: int, budget_seconds: float) -> Choice:
    """The settings with the best validation NDCG@10; each family tries at least its first setting, then stops
    starting new ones once ``budget_seconds`` are spent."""
    started = time.monotonic()
    best: tuple[float, dict] | None = None
    tried: list[dict] = []
    skipped = 0
    for settings in family.grid:
        if tried and time.monotonic() - started > budget_seconds:
            skipped += 1
            continue
        for chosen, ranked in family.recommend(validation, settings, seed):
            ndcg = metrics.evaluate(ranked, validation.truth, validation.catalogue)["ndcg@10"]
            tried.append({"settings": chosen, "ndcg@10": round(ndcg, 5)})
            if best is None or ndcg > best[0]:
                best = (ndcg, chosen)
    assert best is not None
    return Choice(best[1], best[0], tried, skipped, round(time.monotonic() - started, 1))


def paired_interval(ours: np.ndarray, reference: np.ndarray, resamples: int = 2000, seed: int = 0) -> dict[str, float]:
    """Mean of the per-user differences ``ours - reference`` and its 95 % percentile interval over ``resamples``
    bootstrap resamples of the users (the same users for both: a paired interval); ``relative``: the mean difference
    over the reference's mean."""
    difference = np.asarray(ours, dtype=np.float64) - np.asarray(reference, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, 200):  # in chunks: users x resamples indexes can be large
        count = min(200, resamples - start)
        means[start : start + count] = difference[rng.integers(0, len(difference), (count, len(difference)))].mean(1)
    low, high = np.percentile(means, [2.5, 97.5])
    reference_mean = float(np.mean(reference))
    return {
        "difference": float(difference.mean()),
        "low": float(low),
        "high": float(high),
        "relative": float(difference.mean() / reference_mean) if reference_mean > 0 else float("nan"),
    }


def _test(family: Family, split: Split, settings: dict, seeds: list[int]) -> tuple[dict, np.ndarray, list[float]]:
    """Test metrics averaged over seeds, per-user NDCG@10 averaged over seeds, and each seed's NDCG@10."""
    per_seed, per_user = [], []
    for seed in seeds:
        *_, (_, ranked) = family.recommend(split, settings, seed)
        per_seed.append(metrics.evaluate(ranked, split.truth, split.catalogue))
        per_user.append(metrics.per_user_ndcg(ranked, split.truth))
    averaged = {key: float(np.mean([m[key] for m in per_seed])) for key in per_seed[0]}
    averaged["users"] = per_seed[0]["users"]
    return averaged, np.mean(per_user, axis=0), [round(m["ndcg@10"], 5) for m in per_seed]


def _repeats(split: Split) -> dict:
    """How many held-out purchases are repeats, and what a list of the shopper's own past items makes of them."""
    users = np.array(sorted(split.repeats), dtype=np.int64)
    pairs = sum(map(len, split.repeats.values()))
    new_pairs = sum(map(len, split.truth)) + sum(map(len, split.newcomer_truth))
    result = {
        "users": len(users),
        "pairs": pairs,
        "share_of_held_out_pairs": round(pairs / max(1, pairs + new_pairs), 4),
    }
    if len(users):
        counts = np.zeros((len(users), split.train.item_count))
        index = {u: row for row, u in enumerate(users.tolist())}
        for user, item, weight in zip(
            split.train.users.tolist(), split.train.items.tolist(), split.train.weights.tolist(), strict=False
        ):
            row = index.get(user)
            if row is not None:
                counts[row, item] += weight
        ranked = metrics.top_k(counts, RANKED)
        result["repurchase_list_ndcg@10"] = round(
            metrics.evaluate(ranked, [split.repeats[u] for u in users.tolist()], split.catalogue)["ndcg@10"], 5
        )
    return result


def run(
    data: Interactions,
    params: training.TrainingParams,
    device: torch.device,
    test_days: int = 30,
    models: tuple[str, ...] = MODELS,
    validation_days: int | None = None,
    seeds: int = SEEDS,
    tuning_budget_seconds: float = TUNING_BUDGET_SECONDS,
) -> dict:
    known = families(params, device)
    unknown = [m for m in models if m not in known]
    if unknown:
        raise ValueError(f"unknown models {unknown}; known: {', '.join(known)}")
    chosen_families = [known[m] for m in models]
    validation = validation_split(data, test_days, validation_days or test_days)
    test = temporal_split(data, test_days)
    for name, split in (("validation", validation), ("test", test)):
        Progress.note(
            f"{name} window from {time.strftime('%Y-%m-%d %H:%M', time.gmtime(split.start))} UTC: "
            f"{len(split.train):,} training interactions, {len(split.users):,} users, "
            f"{sum(map(len, split.truth)):,} held-out (user, new item) pairs, {len(split.newcomers):,} newcomers, "
            f"catalogue {split.catalogue:,} items"
        )
    seed_list = [params.seed + n for n in range(seeds)]
    results: dict[str, dict] = {}
    per_user: dict[str, np.ndarray] = {}
    tuning_spent = 0.0
    for number, family in enumerate(chosen_families):
        # what the quick models leave of the budget goes to the slower ones after them
        left = tuning_budget_seconds - tuning_spent
        choice = choose(family, validation, params.seed, left / (len(chosen_families) - number))
        tuning_spent += choice.seconds
        started = time.monotonic()
        figures, users_ndcg, seed_ndcg = _test(
            family, test, choice.settings, seed_list if family.seeded else seed_list[:1]
        )
        per_user[family.name] = users_ndcg
        results[family.name] = {
            "baseline": family.baseline,
            "settings": choice.settings,
            "validation_ndcg@10": round(choice.validation_ndcg, 5),
            "settings_tried": choice.tried,
            "settings_skipped_for_time": choice.skipped,
            "tuning_seconds": choice.seconds,
            "test": figures,
            "test_ndcg@10_per_seed": seed_ndcg,
            "test_seconds": round(time.monotonic() - started, 1),
        }
        Progress.note(
            f"{family.name}: chose {choice.settings} (validation NDCG@10 {choice.validation_ndcg:.4f}), "
            f"test NDCG@10 {figures['ndcg@10']:.4f}"
        )
    best_baseline = max(
        (name for name in results if results[name]["baseline"]),
        key=lambda name: results[name]["validation_ndcg@10"],
        default=None,
    )
    if best_baseline is not None:
        for name, result in results.items():
            if name != best_baseline:
                result["vs_best_baseline"] = paired_interval(per_user[name], per_user[best_baseline])
    newcomers = test.for_newcomers()
    newcomer_rows = {}
    if len(newcomers.users):
        for family in chosen_families:
            if not family.needs_history:
                *_, (_, ranked) = family.recommend(newcomers, results[family.name]["settings"], params.seed)
                newcomer_rows[family.name] = metrics.evaluate(ranked, newcomers.truth, newcomers.catalogue)
    return {
        "protocol": {
            "split": "temporal: validation window, then test window",
            "test_days": test_days,
            "validation_days": validation_days or test_days,
            "validation_start": validation.start,
            "test_start": test.start,
            "settings": "chosen on the validation window (NDCG@10), trained before it; the test window scored once",
            "seeds": seed_list,
            "tuning_budget_seconds": tuning_budget_seconds,
            "seen_items": "excluded from every list and from the truth (repeat purchases reported on their own)",
            "truth_items_unknown_at_split_left_out": test.dropped_unknown,
            "ranking": "full catalogue",
            "catalogue_items": test.catalogue,
            "interval": "95 % paired bootstrap over test users (2,000 resamples) of NDCG@10 minus the best baseline's",
        },
        "data": data.describe(),
        "best_baseline": best_baseline,
        "results": results,
        "newcomers": {"users": len(newcomers.users), "results": newcomer_rows},
        "repeat_purchases": _repeats(test),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def table(report: dict) -> str:
    columns = ("recall@10", "recall@20", "ndcg@10", "hit_rate@10", "coverage@10")
    lines = [
        f"{'model':<27}{'valid ndcg':>11}"
        + "".join(f"{c:>12}" for c in columns)
        + f"{'vs best baseline (95 % CI)':>34}"
    ]
    for name, result in report["results"].items():
        versus = result.get("vs_best_baseline")
        interval = (
            f"{versus['relative']:+.1%} [{versus['low']:+.4f}, {versus['high']:+.4f}]"
            if versus
            else ("(best baseline)" if name == report["best_baseline"] else "")
        )
        lines.append(
            f"{name:<27}{result['validation_ndcg@10']:>11.4f}"
            + "".join(f"{result['test'][c]:>12.4f}" for c in columns)
            + f"{interval:>34}"
        )
    newcomers = report["newcomers"]
    for name, values in newcomers["results"].items():
        lines.append(f"{'newcomers: ' + name:<38}" + "".join(f"{values[c]:>12.4f}" for c in columns))
    repeats = report["repeat_purchases"]
    lines.append(
        f"repeat purchases: {repeats['pairs']:,} held-out pairs ({repeats['share_of_held_out_pairs']:.1%}) by "
        f"{repeats['users']:,} shoppers, not recommended by design; a list of their own past items: NDCG@10 "
        f"{repeats.get('repurchase_list_ndcg@10', 0):.4f}"
    )
    return "\n".join(lines)
