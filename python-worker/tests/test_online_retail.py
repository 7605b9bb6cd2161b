import os
from pathlib import Path

import numpy as np
import pytest
from conftest import DAY, REPOSITORY

from recsys_worker import bundle, sources, training
from recsys_worker.ranker import RankerParams
from recsys_worker.retrieval import RetrievalParams

DATASET = Path(os.environ.get("RECSYS_ONLINE_RETAIL_DIR", REPOSITORY.parent / "shared" / "datasets" / "online-retail"))


@pytest.mark.slow
@pytest.mark.skipif(
    not (DATASET / "interactions_purchases.csv.gz").is_file(),
    reason=f"Online Retail not found at {DATASET} (set RECSYS_ONLINE_RETAIL_DIR)",
)
def test_trains_and_exports_from_three_months_of_online_retail(device, tmp_path):
    data = sources.read_online_retail(DATASET)
    assert len(data) > 390_000 and data.user_count > 4_000
    start = int(data.timestamps.min())
    slice_ = data.select((data.timestamps >= start) & (data.timestamps < start + 90 * DAY))
    params = training.TrainingParams(RetrievalParams(epochs=4), RankerParams(epochs=6, label_days=21), seed=7)

    models = training.train(slice_, params, device)

    assert models.report["retrieval_losses"][-1] < models.report["retrieval_losses"][0]
    ranker = models.report["ranker"]
    assert ranker["validation_users"] > 10
    assert np.isfinite(ranker["validation_ndcg10_ranked"])
    published = bundle.publish(models, tmp_path, "retail", "slice")
    assert bundle.verify(published)["training"]["data"]["interactions"] == len(slice_)
