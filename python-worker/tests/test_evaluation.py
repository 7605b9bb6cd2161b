import json

import numpy as np
import pytest
from conftest import synthetic_interactions

from recsys_worker import baselines, cli, evaluation, metrics, training
from recsys_worker.interactions import build

DAY = 86400
START = 1_700_000_000


def _two_windows():
    """Items a and b (and a0, which nobody wants), all sold from the start; in the validation window the shoppers
    take a, in the test window b."""
    rows = [("early", item, START, "b0", 1.0) for item in ("a", "a0", "b")]
    for user in range(20):
        rows.append((f"u{user}", "seed", START + user, "b0", 1.0))
        rows.append((f"u{user}", "a", START + 10 * DAY + user, "b1", 1.0))
        rows.append((f"u{user}", "b", START + 20 * DAY + user, "b2", 1.0))
    return build(rows, source="two windows")


def _family(name):
    """Setting 'a' puts item a first, setting 'b' item b: b wins on the test window only."""

    def recommend(split, settings, seed):
        scores = np.zeros((len(split.users), split.train.item_count))
        scores[:, split.train.item_ids.index(settings["first"])] = 1.0
        yield settings, evaluation.ranked_from_scores(scores, split)

    return evaluation.Family(name, name, ({"first": "b"}, {"first": "a"}), recommend)


def test_a_setting_that_wins_only_on_the_test_window_is_not_chosen():
    data = _two_windows()
    validation = evaluation.validation_split(data, test_days=5, validation_days=12)
    test = evaluation.temporal_split(data, test_days=5)
    assert validation.end == test.start

    choice = evaluation.choose(_family("fixed"), validation, seed=7, budget_seconds=60)

    assert choice.settings == {"first": "a"}
    assert [t["settings"] for t in choice.tried] == [{"first": "b"}, {"first": "a"}]
    # and on the test window the other one would have been better: the protocol did not look
    ndcg = {
        first: metrics.evaluate(next(_family("x").recommend(test, {"first": first}, 7))[1], test.truth, test.catalogue)[
            "ndcg@10"
        ]
        for first in ("a", "b")
    }
    assert ndcg["b"] > ndcg["a"]


def test_the_validation_window_does_not_read_the_test_window():
    data = _two_windows()
    validation = evaluation.validation_split(data, test_days=5, validation_days=12)

    assert validation.train.timestamps.max() < validation.start
    assert all(data.item_ids.index("b") not in truth for truth in validation.truth)


def test_a_time_budget_stops_trying_settings_but_keeps_the_first():
    data = _two_windows()
    validation = evaluation.validation_split(data, test_days=5, validation_days=12)

    choice = evaluation.choose(_family("fixed"), validation, seed=7, budget_seconds=-1)

    assert choice.settings == {"first": "b"}
    assert choice.skipped == 1


def test_paired_interval_of_a_constant_difference_is_that_difference():
    reference = np.array([0.1, 0.2, 0.3, 0.4])

    interval = evaluation.paired_interval(reference + 0.05, reference)

    assert interval["difference"] == pytest.approx(0.05)
    assert interval["low"] == pytest.approx(0.05)
    assert interval["high"] == pytest.approx(0.05)
    assert interval["relative"] == pytest.approx(0.05 / 0.25)


def test_paired_interval_straddles_zero_for_noise_and_not_for_a_clear_gain():
    rng = np.random.default_rng(1)
    reference = rng.random(500)
    noise = reference + rng.normal(0, 0.1, 500)
    gain = reference + 0.1 + rng.normal(0, 0.1, 500)

    assert (
        evaluation.paired_interval(noise, reference)["low"] < 0 < evaluation.paired_interval(noise, reference)["high"]
    )
    assert evaluation.paired_interval(gain, reference)["low"] > 0


def test_newcomers_and_repeat_purchases_are_kept_apart():
    rows = [
        ("old", "x", START, "b0", 1.0),
        ("old", "y", START + 1, "b0", 1.0),
        ("old", "x", START + 10 * DAY, "b1", 1.0),  # a repeat in the window
        ("old", "z", START + 10 * DAY + 1, "b1", 1.0),  # new to her
        ("new", "y", START + 10 * DAY + 2, "b2", 1.0),  # a newcomer's first purchase
    ]
    data = build(rows, source="tiny")
    split = evaluation.window_split(data, START + 5 * DAY, START + 11 * DAY)
    index = {item: n for n, item in enumerate(data.item_ids)}
    old, new = data.user_ids.index("old"), data.user_ids.index("new")

    assert split.users.tolist() == []  # z was first sold in the window: no model could know it
    assert split.dropped_unknown == 1
    assert split.newcomers.tolist() == [new] and split.newcomer_truth == [{index["y"]}]
    assert split.repeats == {old: {index["x"]}}


def test_ease_recommends_what_is_bought_together():
    # most shoppers who take p also take q; one shopper has only p: q is her first recommendation
    rows = [(f"u{n}", item, START + n, "b", 1.0) for n in range(10) for item in ("p", "q")]
    rows += [(f"u{n}", "r", START + n, "b", 1.0) for n in range(10, 13)]
    rows.append(("solo", "p", START + 100, "b", 1.0))
    data = build(rows, source="pairs")
    solo = np.array([data.user_ids.index("solo")])

    scores = baselines.ease(data, solo, regularisation=1.0)

    assert np.argmax(np.where(np.arange(data.item_count) == data.item_ids.index("p"), -np.inf, scores[0])) == (
        data.item_ids.index("q")
    )


def test_windowed_popularity_counts_only_the_window():
    rows = [
        ("u1", "old", START, "b", 1.0),
        ("u2", "old", START + 1, "b", 1.0),
        ("u3", "new", START + 9 * DAY, "b", 1.0),
    ]
    data = build(rows, source="pop")

    all_time = baselines.popularity(data, np.array([0]))
    week = baselines.popularity(data, np.array([0]), as_of=START + 10 * DAY, days=7)

    assert all_time[0, data.item_ids.index("old")] == 2
    assert week[0, data.item_ids.index("old")] == 0 and week[0, data.item_ids.index("new")] == 1


def test_training_settings_are_replaced_by_dotted_name():
    params = training.TrainingParams()

    changed = evaluation.with_settings(params, {"retrieval.dimension": 64, "ranker.epochs": 20})

    assert changed.retrieval.dimension == 64 and changed.ranker.epochs == 20
    assert changed.retrieval.epochs == params.retrieval.epochs
    with pytest.raises(ValueError, match="no training setting"):
        evaluation.with_settings(params, {"retrieval.dimensions": 64})


def test_train_can_choose_its_settings_on_a_validation_window_first(tmp_path):
    data = synthetic_interactions()
    csv = tmp_path / "interactions.csv"
    lines = ["user_id,item_id,timestamp"] + [
        f"{data.user_ids[u]},{data.item_ids[i]},{t}"
        for u, i, t in zip(data.users.tolist(), data.items.tolist(), data.timestamps.tolist(), strict=True)
    ]
    csv.write_text("\n".join(lines) + "\n")
    report = tmp_path / "training.json"

    small = ["--dimension", "8", "--retrieval-epochs", "3", "--ranker-epochs", "3", "--training-mix", "50,30,20"]
    code = cli.main(
        [
            *["--quiet", "train", "--csv", str(csv), "--checkpoint", str(tmp_path / "model.pt")],
            *["--report", str(report), "--tune", "600", "--validation-days", "15", "--label-days", "20"],
            *small,
        ]
    )

    tuning = json.loads(report.read_text())["tuning"]
    assert code == 0
    assert [t["settings"] for t in tuning["tried"]] == list(evaluation.OURS_GRID)
    assert tuning["chosen"] in list(evaluation.OURS_GRID)
    assert tuning["validation_ndcg@10"] == max(t["ndcg@10"] for t in tuning["tried"])
