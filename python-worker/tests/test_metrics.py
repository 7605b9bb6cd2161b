import math

import numpy as np
import pytest

from recsys_worker import metrics


def test_metrics_match_hand_computed_values():
    # user A: truth {1, 5}; hits at ranks 1 and 3 (items 1 and 5) -> DCG = 1 + 1/log2(4) = 1.5, IDCG = 1 + 1/log2(3)
    # user B: truth {9}; no hit in the top 20
    ranked = np.array(
        [
            [1, 2, 5, *list(range(10, 27))],
            [3, 4, 6, *list(range(30, 47))],
        ]
    )
    truth = [{1, 5}, {9}]
    result = metrics.evaluate(ranked, truth, catalogue_size=100)

    assert result["recall@10"] == pytest.approx((2 / 2 + 0) / 2)
    assert result["recall@20"] == pytest.approx(0.5)
    assert result["hit_rate@10"] == pytest.approx(0.5)
    assert result["ndcg@10"] == pytest.approx((1.5 / (1 + 1 / math.log2(3)) + 0) / 2)
    assert result["coverage@10"] == pytest.approx(len(set(ranked[:, :10].ravel())) / 100)


def test_a_hit_at_rank_eleven_counts_for_recall_at_20_only():
    ranked = np.array([[*list(range(100, 110)), 7, *list(range(110, 119))]])
    result = metrics.evaluate(ranked, [{7, 8}], catalogue_size=200)

    assert result["recall@10"] == 0.0
    assert result["recall@20"] == pytest.approx(0.5)
    assert result["ndcg@10"] == 0.0


def test_top_k_orders_best_first_and_breaks_ties_by_index():
    scores = np.array([[0.1, 0.9, 0.5, 0.9, -1.0]])
    assert metrics.top_k(scores, 3).tolist() == [[1, 3, 2]]
