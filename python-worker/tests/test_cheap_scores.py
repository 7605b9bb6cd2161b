import numpy as np

from recsys_worker import cheap_scores
from recsys_worker.interactions import build

DAY = 86400
START = 1_700_000_000


def _trend_shop():
    """Shoppers with a history; in the last days everyone takes the item that became popular last week, which
    all-time popularity and co-occurrence do not point to."""
    rows = []
    for user in range(30):
        rows += [(f"u{user}", f"old{n}", START + n * DAY + user, f"b{n}", 1.0) for n in range(3)]
        rows.append((f"u{user}", "old0", START + 3 * DAY + user, "b3", 1.0))
    rows += [(f"early{n}", "trend", START + 20 * DAY + n, "t", 1.0) for n in range(5)]
    rows += [(f"u{user}", "trend", START + 27 * DAY + user, "b9", 1.0) for user in range(30)]
    return build(rows, source="trend")


def test_the_weights_are_chosen_on_the_data_and_never_lose_to_the_hand_set_ones():
    fitted = cheap_scores.fit(_trend_shop(), label_days=5)

    assert fitted["ndcg@10"] >= fitted["hand_set_ndcg@10"]
    assert fitted["ndcg@10"] == 1.0  # recent popularity alone finds it
    assert fitted["weights"]["item_popularity_7d"] > 0


def test_the_grid_starts_with_the_hand_set_weights_and_holds_recent_popularity_alone():
    assert cheap_scores.GRID[0] == cheap_scores.HAND_SET
    assert {"cooccurrence": 0.0, "item_popularity_7d": 1.0, "item_popularity": 0.0} in cheap_scores.GRID
    assert all(set(w) == set(cheap_scores.SIGNALS) for w in cheap_scores.GRID)


def test_scores_are_the_weighted_sum_of_the_logs_over_minimals_candidates():
    data = _trend_shop()
    users = np.array([data.user_ids.index("u0"), data.user_ids.index("early0")])
    as_of = START + 25 * DAY
    components = cheap_scores.Components.of(data.before(as_of), users, as_of)
    weights = {"cooccurrence": 2.0, "item_popularity_7d": 0.5, "item_popularity": 0.1}

    scores = components.scores(weights)

    expected = 2.0 * components.cooccurrence + 0.5 * components.item_popularity_7d + 0.1 * components.item_popularity
    assert scores.shape == (2, data.item_count)
    assert np.allclose(scores[components.candidates], expected[components.candidates])
    # what a shopper already has is never a candidate; the popular list offers the rest
    names = np.array(data.item_ids)
    assert set(names[components.candidates[0]]) == {"trend"}
    assert set(names[components.candidates[1]]) == {"old0", "old1", "old2"}
    assert np.all(np.isneginf(scores[~components.candidates]))
