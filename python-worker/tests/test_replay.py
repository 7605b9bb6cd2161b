"""The replay's pieces that need no running platform: event and catalogue batches, metric scraping, waiting, table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recsys_worker import replay
from recsys_worker.interactions import build
from recsys_worker.platform import EVENT_WEIGHTS

PURCHASE = EVENT_WEIGHTS["purchase"]


def _data():
    rows = [
        ("u1", "i1", 1_700_000_000, "b1", PURCHASE),
        ("u1", "i2", 1_700_000_000, "b1", PURCHASE),
        ("u2", "i2", 1_700_000_100, "b7", PURCHASE),
    ]
    return build(rows, {"i1": 2.5}, source="test")


def test_events_are_the_purchases_in_time_order_shifted_and_batched():
    batches = list(replay.event_batches(_data(), shift_seconds=86_400, size=2))

    assert [len(b) for b in batches] == [2, 1]
    first = batches[0][0]
    assert first["event_id"] == "replay-0"
    assert (first["user_id"], first["item_id"], first["type"]) == ("u1", "i1", "purchase")
    assert first["occurred_at"] == "2023-11-15T22:13:20Z"  # 1_700_000_000 + one day
    # one basket, one session; another basket, another session
    assert batches[0][1]["context"] == first["context"]
    assert batches[1][0]["context"] != first["context"]


def test_the_catalogue_carries_a_price_only_where_one_is_known():
    (items,) = list(replay.catalogue_batches(_data()))

    assert items == [{"item_id": "i1", "price": 2.5}, {"item_id": "i2"}]


@pytest.fixture
def metrics_server(http_server):
    text = (
        "# TYPE recsys_feature_log_entries_total counter\n"
        'recsys_feature_log_entries_total{application="feature-service",result="applied"} 120.0\n'
        'recsys_feature_log_entries_total{application="feature-service",result="skipped"} 7.0\n'
        'recsys_feature_log_entries_total_other{result="applied"} 99.0\n'
    )
    return http_server(lambda headers: (200, "text/plain", text.encode())) + "/actuator/prometheus"


def test_a_metric_is_summed_over_the_series_with_the_label(metrics_server):
    assert replay._metric(metrics_server, "recsys_feature_log_entries_total", 'result="applied"') == 120.0
    assert replay._metric(metrics_server, "recsys_feature_log_entries_total", 'result="none"') == 0.0


def test_waiting_returns_once_the_condition_holds_and_gives_up_with_what_it_waited_for():
    answers = iter([False, False, True])
    replay._await(lambda: next(answers), 30, "three looks")

    with pytest.raises(RuntimeError, match="for the impossible"):
        replay._await(lambda: False, 0, "the impossible")


def test_the_table_has_a_row_per_depth_with_where_answers_were_served():
    values = {"recall@10": 0.5, "recall@20": 0.75, "ndcg@10": 0.25, "hit_rate@10": 1.0, "coverage@10": math.pi / 10}
    report = {
        "results": {
            "offline": values,
            "full": {**values, "served_at": {"full": 3}},
            "fallback": {**values, "served_at": {}},
        },
        "monotone": True,
        "full_vs_offline": -0.031,
    }

    lines = replay.table(report).splitlines()

    assert lines[0].split()[:3] == ["depth", "recall@10", "recall@20"]
    assert lines[1].startswith("offline") and "(the worker, offline)" in lines[1]
    assert lines[2].startswith("full") and "0.2500" in lines[2] and "{'full': 3}" in lines[2]
    assert lines[3].startswith("fallback") and "0.3142" in lines[3]
    assert lines[4] == "monotone FULL >= REDUCED >= MINIMAL >= FALLBACK: yes; FULL vs offline: -3.1%"


def test_the_exclusions_are_what_she_took_before_her_recent_list_newest_first():
    # 103 distinct items, one a minute: the recent list holds the last 100, the three before it are excluded
    rows = [("u1", f"i{n:03d}", 1_700_000_000 + 60 * n, f"b{n}", PURCHASE) for n in range(103)]
    rows.append(("u2", "i000", 1_700_000_000, "b", PURCHASE))
    data = build(rows)
    u1, u2 = data.user_ids.index("u1"), data.user_ids.index("u2")

    older = replay.older_items(data, np.array([u1, u2]))

    assert [data.item_ids[i] for i in older[u1]] == ["i002", "i001", "i000"]
    assert older[u2] == []
    assert len(replay.older_items(data, np.array([u1]), most=2)[u1]) == 2
