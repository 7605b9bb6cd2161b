import json
import os

import jsonschema
import numpy as np
import onnx
import pytest
import torch
from test_training import small_params

from recsys_worker import bundle, onnx_check, training
from recsys_worker.features import RANKER_DENSE_FEATURES


@pytest.fixture(scope="module")
def models(interactions, device):
    return training.train(interactions, small_params(retrieval_epochs=3, ranker_epochs=3), device)


@pytest.fixture
def published(models, tmp_path):
    return bundle.publish(models, tmp_path, "demo", "v1")


def test_the_onnx_ranker_passes_the_checker_and_equals_torch_within_1e_5(models, published):
    model = onnx.load(str(published / "ranker.onnx"))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version == 13
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param  # dynamic batch axis

    rng = np.random.default_rng(11)
    for batch in (1, 7, 500):
        rows = rng.normal(size=(batch, models.ranker.input_width)).astype(np.float32)
        rows[:, 2 * models.ranker.dimension + 1 :] = rng.exponential(30.0, size=(batch, len(RANKER_DENSE_FEATURES) - 1))
        with torch.no_grad():
            expected = models.ranker.cpu()(torch.from_numpy(rows)).numpy()
        actual = onnx_check.run(model, {"features": rows})["score"]
        assert actual.shape == (batch,)
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


def test_metadata_validates_against_its_schema_and_describes_the_files(models, published):
    metadata = json.loads((published / "metadata.json").read_text())
    jsonschema.validate(metadata, bundle.schema())

    assert metadata["ranker"]["input"]["shape"] == [None, 2 * 8 + len(RANKER_DENSE_FEATURES)]
    assert [f["name"] for f in metadata["ranker"]["features"]][:3] == [
        "user_vector",
        "item_embedding",
        "retrieval_score",
    ]
    assert metadata["retrieval"]["items"]["count"] == len(models.item_ids)
    assert (published / "items.txt").read_text().split() == models.item_ids
    assert np.array_equal(bundle.load_embeddings(published), models.retrieval.item_matrix())
    assert metadata["training"]["data"]["fingerprint"].startswith("sha256:")
    # the MINIMAL scorer learned with the bundle, as the Java side reads it
    assert set(metadata["cheap_scores"]["weights"]) == {"cooccurrence", "item_popularity_7d", "item_popularity"}
    assert metadata["cheap_scores"]["ndcg@10"] >= metadata["cheap_scores"]["hand_set_ndcg@10"]
    # the rules the platform computes the inputs by, as the recommendation-service reads them
    contract = metadata["feature_contract"]
    assert contract["recent_list"] == {**contract["recent_list"], "events": 100, "retrieval_items": 20}
    assert contract["cooccurrence"]["seed_items"] == 5 and contract["cooccurrence"]["neighbours_kept"] == 50
    assert contract["candidates"] == {"embedding": 50, "cooccurrence": 30, "popular": 20, "trending": 4}
    assert set(metadata["files"]) == {
        "ranker.onnx",
        "items.txt",
        "item_embeddings.f32",
        "context_embeddings.f32",
        "samples.json",
    }


def test_the_schema_rejects_a_metadata_file_without_its_feature_order(published):
    metadata = json.loads((published / "metadata.json").read_text())
    del metadata["ranker"]["features"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(metadata, bundle.schema())


def test_a_bundle_is_invisible_until_complete(models, tmp_path):
    seen_while_writing = []

    def look(path):
        seen_while_writing.append(sorted(p.name for p in (tmp_path / "demo").iterdir() if not p.name.startswith(".")))

    final = bundle.publish(models, tmp_path, "demo", "v2", after_each_file=look)

    assert len(seen_while_writing) == 6
    assert all(listing == [] for listing in seen_while_writing)
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["v2"]
    assert oct(final.stat().st_mode & 0o777) == "0o755"


def test_a_failed_export_leaves_nothing_behind(models, tmp_path):
    def fail_after_the_embeddings(path):
        if path.name == "items.txt":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        bundle.publish(models, tmp_path, "demo", "v3", after_each_file=fail_after_the_embeddings)

    assert list((tmp_path / "demo").iterdir()) == []


def test_versions_are_immutable(models, published):
    with pytest.raises(bundle.BundleError, match="exists already"):
        bundle.publish(models, published.parent.parent, "demo", "v1")


def test_verify_catches_a_changed_file(published):
    bundle.verify(published)
    embeddings = published / "item_embeddings.f32"
    data = bytearray(embeddings.read_bytes())
    data[0] ^= 0xFF
    os.chmod(embeddings, 0o644)
    embeddings.write_bytes(bytes(data))

    with pytest.raises(bundle.BundleError, match="checksum"):
        bundle.verify(published)


def test_a_saved_checkpoint_exports_the_same_model(models, tmp_path):
    models.save(tmp_path / "model.pt")
    loaded = training.TrainedModels.load(tmp_path / "model.pt")
    rows = np.random.default_rng(5).exponential(1.0, size=(9, models.ranker.input_width)).astype(np.float32)

    with torch.no_grad():
        assert torch.equal(loaded.ranker(torch.from_numpy(rows)), models.ranker.cpu()(torch.from_numpy(rows)))
    assert np.array_equal(loaded.retrieval.context_matrix(), models.retrieval.context_matrix())
    assert loaded.item_ids == models.item_ids
    bundle.verify(bundle.publish(loaded, tmp_path, "demo", "from-checkpoint"))


def test_the_command_line_trains_and_publishes(tmp_path):
    from conftest import synthetic_interactions

    from recsys_worker import cli

    data = synthetic_interactions()
    csv = tmp_path / "interactions.csv"
    lines = ["user,item,ts,basket"] + [
        f"{data.user_ids[u]},{data.item_ids[i]},{t},{b}"
        for u, i, t, b in zip(data.users, data.items, data.timestamps, data.baskets, strict=False)
    ]
    csv.write_text("\n".join(lines) + "\n")

    code = cli.main(
        [
            "--quiet",
            "train",
            "--csv",
            str(csv),
            "--user-col",
            "user",
            "--item-col",
            "item",
            "--time-col",
            "ts",
            "--basket-col",
            "basket",
            "--dimension",
            "8",
            "--retrieval-epochs",
            "2",
            "--ranker-epochs",
            "2",
            "--training-mix",
            "50,30,20",
            "--label-days",
            "20",
            "--checkpoint",
            str(tmp_path / "m.pt"),
            "--report",
            str(tmp_path / "report.json"),
            "--model-dir",
            str(tmp_path / "models"),
            "--version",
            "v1",
        ]
    )

    assert code == 0
    assert json.loads((tmp_path / "report.json").read_text())["peak_rss_mb"] > 0
    assert bundle.verify(tmp_path / "models" / "ranker" / "v1")["training"]["data"]["source"] == "csv:interactions.csv"
    assert cli.main(["verify", str(tmp_path / "models" / "ranker" / "v1")]) == 0


def test_the_samples_follow_the_documented_rules(models, published):
    samples = json.loads((published / "samples.json").read_text())
    metadata = json.loads((published / "metadata.json").read_text())
    context = bundle.load_embeddings(published, "context_embeddings")
    items = bundle.load_embeddings(published)
    ids = (published / "items.txt").read_text().split()
    rule = metadata["retrieval"]["user_vector"]

    request = samples["requests"][0]
    known = [(k, ids.index(i)) for k, i in enumerate(request["recent_items"][: rule["max_items"]]) if i in ids]
    weights = np.array([rule["decay"] ** k for k, _ in known])
    expected_vector = (weights[:, None] * context[[row for _, row in known]]).sum(0) / weights.sum()
    np.testing.assert_allclose(request["user_vector"], expected_vector, atol=1e-6)
    assert "not-in-this-bundle" in request["recent_items"]

    user_scope = [f["name"] for f in metadata["ranker"]["features"] if f["scope"] == "user"]
    assert samples["user_feature_names"] == user_scope == ["user_events"]
    assert len(request["candidates"][0]["features"]) == len(samples["item_feature_names"]) == 5

    query = samples["retrieval"][0]  # the same shopper as the first request
    assert query["recent_items"] == request["recent_items"]
    scores = items.astype(np.float64) @ np.asarray(request["user_vector"])
    scores[[ids.index(i) for i in query["exclude_item_ids"]]] = -np.inf
    assert query["item_ids"] == [ids[i] for i in np.argsort(-scores, kind="stable")[:10]]
