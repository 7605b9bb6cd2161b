"""The shop generator: the statistics its parameters promise, reproducible, and readable by the worker."""

import gzip

import numpy as np
import pytest

from recsys_worker import cli, sources
from recsys_worker.generate import DAY, ShopShape, catalogue, generate

SHAPE = ShopShape(users=5_000, items=1_000, interactions=120_000, seed=11)


@pytest.fixture(scope="module")
def log():
    chunks = list(generate(SHAPE, chunk_sessions=5_000))
    assert len(chunks) > 1  # chunked, and the chunks add up
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def test_the_size_is_what_was_asked(log):
    assert abs(len(log["user_id"]) - SHAPE.interactions) < 0.05 * SHAPE.interactions
    assert log["user_id"].max() < SHAPE.users and log["item_id"].max() < SHAPE.items
    assert log["timestamp"].min() >= SHAPE.start
    # a session that begins on the last day may end after midnight
    assert log["timestamp"].max() < SHAPE.start + (SHAPE.days + 1) * DAY


def test_item_popularity_follows_a_power_law(log):
    views = np.sort(np.bincount(log["item_id"][log["event_type"] == 0], minlength=SHAPE.items))[::-1]
    top = views[: SHAPE.items // 100].sum() / views.sum()
    assert 0.3 < top < 0.8  # the top 1 % of items take a third to most of the views
    # the slope of log(views) against log(rank) over the head is about the exponent
    ranks = np.arange(1, 51)
    slope = np.polyfit(np.log(ranks), np.log(views[:50]), 1)[0]
    assert -SHAPE.popularity_exponent - 0.3 < slope < -SHAPE.popularity_exponent + 0.3


def test_the_funnel_goes_from_views_to_carts_to_purchases(log):
    kinds = np.bincount(log["event_type"], minlength=3)
    assert kinds[1] / kinds[0] == pytest.approx(SHAPE.cart_rate, rel=0.1)
    # repeat purchases come on top of the carts' own
    assert SHAPE.purchase_rate * 0.9 < kinds[2] / kinds[1] < SHAPE.purchase_rate * 1.5
    # every purchase of a session follows a cart of the same item in it
    session = log["session_id"]
    carts = set(
        zip(session[log["event_type"] == 1].tolist(), log["item_id"][log["event_type"] == 1].tolist(), strict=True)
    )
    bought = (log["event_type"] == 2) & (session >= 0)
    assert all((s, i) in carts for s, i in zip(session[bought].tolist(), log["item_id"][bought].tolist(), strict=True))


def test_some_shoppers_come_often_and_most_rarely(log):
    sessions: dict[int, set[int]] = {}
    for user, session in zip(log["user_id"].tolist(), log["session_id"].tolist(), strict=True):
        sessions.setdefault(user, set()).add(session)
    counts = np.sort([len(s) for s in sessions.values()])[::-1]
    assert counts[0] > 20 * np.median(counts)


def test_shoppers_keep_to_their_favourite_category(log):
    category = catalogue(SHAPE)["category"]
    views = log["event_type"] == 0
    users, cats = log["user_id"][views], category[log["item_id"][views]]
    pairs = np.unique(users.astype(np.int64) * SHAPE.category_count() + cats, return_counts=True)
    per_user: dict[int, list[int]] = {}
    for pair, count in zip(*pairs, strict=True):
        per_user.setdefault(int(pair) // SHAPE.category_count(), []).append(int(count))
    heavy = [c for c in per_user.values() if sum(c) >= 20]
    favourite_share = np.mean([max(c) / sum(c) for c in heavy])
    assert favourite_share > SHAPE.taste * 0.9


def test_repeat_buyers_buy_the_same_item_again_later(log):
    bought = log["event_type"] == 2
    _, counts = np.unique(
        log["user_id"][bought].astype(np.int64) * SHAPE.items + log["item_id"][bought], return_counts=True
    )
    assert 0.02 < (counts > 1).mean() < 0.4
    repeats = bought & (log["session_id"] < 0)
    assert repeats.sum() > 0


def test_weekends_and_evenings_are_busier(log):
    days = (log["timestamp"] - SHAPE.start) // DAY
    weekday = (SHAPE.start // DAY + 3 + days) % 7
    calendar = np.bincount((SHAPE.start // DAY + 3 + np.arange(SHAPE.days)) % 7, minlength=7)
    per_day = np.bincount(weekday, minlength=7) / calendar
    assert per_day[5:].mean() / per_day[:5].mean() == pytest.approx(SHAPE.weekend_factor, rel=0.1)
    hours = np.bincount((log["timestamp"] % DAY) // 3600, minlength=24)
    assert hours[19:22].sum() > 3 * hours[1:4].sum()


def test_the_same_seed_gives_the_same_log_and_another_seed_another(tmp_path):
    paths = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        path = tmp_path / f"{name}.csv.gz"
        options = ["--users", "300", "--items", "100", "--interactions", "5000", "--seed", str(seed)]
        assert cli.main(["generate", "--out", str(path), *options]) == 0
        paths.append(gzip.decompress(path.read_bytes()))
    assert paths[0] == paths[1] != paths[2]


def test_the_worker_reads_the_generated_log(tmp_path):
    path, items = tmp_path / "shop.csv.gz", tmp_path / "items.csv"
    options = ["--items-out", str(items), "--users", "400", "--items", "150", "--interactions", "8000"]
    assert cli.main(["generate", "--out", str(path), *options]) == 0

    data = sources.read_csv(path, sources.CsvColumns(basket="session_id", weight="weight", price="price"))

    assert 7_000 < len(data) < 9_000
    assert set(data.weights.tolist()) <= {1.0, 4.0, 8.0}
    assert items.read_text().splitlines()[0] == "item_id,category,price"
    assert len(items.read_text().splitlines()) == 151
