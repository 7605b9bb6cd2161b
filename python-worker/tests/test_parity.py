import json
from pathlib import Path

import numpy as np

from recsys_worker import cli, parity
from recsys_worker.features import FeatureSnapshot, cooccurrence
from recsys_worker.interactions import build
from recsys_worker.platform import COOCCURRENCE_LOOK_BACK_EVENTS, EVENT_WEIGHTS, NEIGHBOURS_KEPT

ROOT = Path(__file__).resolve().parents[2]


def _interactions():
    events, prices = parity.history()
    rows = [
        (e["user_id"], e["item_id"], e["occurred_at_millis"] // 1000, e["event_id"], EVENT_WEIGHTS[e["type"]])
        for e in events
    ]
    return events, build(rows, prices)


def test_the_committed_golden_file_is_what_the_worker_computes_today():
    committed = json.loads((ROOT / parity.GOLDEN_PATH).read_text(encoding="utf-8"))

    assert committed == json.loads(json.dumps(parity.golden()))


def test_the_history_reaches_the_rules_corners():
    events, data = _interactions()
    ada = [e["item_id"] for e in events if e["user_id"] == "ada"]
    # the recent list keeps one of each item, newest first
    snapshot = FeatureSnapshot.of(data, int(data.timestamps.max()) + 1)
    recent = [data.item_ids[i] for i in snapshot.recent_distinct(data.user_ids.index("ada"))]
    assert len(set(ada[-100:])) == len(recent) < len(ada[-100:])
    assert recent[:3] == ["g002", "hub", "g001"]
    # a repeat comes back after more other items than co-occurrence looks back over
    assert "g001" in ada[:-35] and ada[-5] == "g001"
    assert len(set(ada[-35:-5])) > COOCCURRENCE_LOOK_BACK_EVENTS
    # the hub met more items than its neighbour set may hold, so it was cut back to the strongest
    hub_partners = {e["item_id"] for e in events if e["user_id"].startswith("passer")} - {"hub"}
    assert len(hub_partners) > 2 * NEIGHBOURS_KEPT
    assert len(cooccurrence(data)[data.item_ids.index("hub")]) == NEIGHBOURS_KEPT


def test_pruning_forgets_a_cut_neighbours_score_as_the_feature_service_does():
    # "early" meets the hub first; 101 others follow, the set outgrows 2 x 50 and "early" (weakest, smallest id
    # among the weakest) is cut; when it meets the hub again it starts from its new weight alone
    rows = [("u0", "early", 0, "b", 1.0), ("u0", "hub", 1, "b", 1.0)]
    for n in range(2 * NEIGHBOURS_KEPT):
        rows += [(f"p{n}", f"x{n:03d}", 10 + 2 * n, "b", 2.0), (f"p{n}", "hub", 11 + 2 * n, "b", 2.0)]
    rows += [("u9", "early", 1000, "b", 8.0), ("u9", "hub", 1001, "b", 8.0)]
    data = build(rows)

    hub = cooccurrence(data)[data.item_ids.index("hub")]

    assert hub[data.item_ids.index("early")] == 8.0  # not 9: the first meeting was forgotten
    assert np.isclose(sum(hub.values()), 8.0 + 2.0 * (NEIGHBOURS_KEPT - 1))


def test_the_golden_command_writes_the_file(tmp_path):
    out = tmp_path / "golden.json"

    assert cli.main(["--quiet", "parity-golden", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["users"][0]["user_id"] == "ada"
