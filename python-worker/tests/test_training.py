import numpy as np

from recsys_worker import evaluation, ranker, retrieval, training
from recsys_worker.features import FeatureSnapshot


def small_params(**overrides):
    return training.TrainingParams(
        retrieval.RetrievalParams(
            dimension=8, epochs=overrides.get("retrieval_epochs", 15), batch_size=64, max_items=20
        ),
        ranker.RankerParams(
            hidden=(16, 8),
            training_mix=(50, 30, 20),
            label_days=20,
            epochs=overrides.get("ranker_epochs", 30),
            batch_users=16,
        ),
        seed=7,
    )


def test_training_lowers_both_losses(interactions, device):
    models = training.train(interactions, small_params(), device)

    retrieval_losses = models.report["retrieval_losses"]
    ranker_losses = models.report["ranker"]["losses"]
    assert retrieval_losses[-1] < retrieval_losses[0] * 0.9
    assert ranker_losses[-1] < ranker_losses[0]


def test_training_is_reproducible_with_a_seed(interactions, device):
    first = training.train(interactions, small_params(retrieval_epochs=3, ranker_epochs=3), device)
    second = training.train(interactions, small_params(retrieval_epochs=3, ranker_epochs=3), device)

    assert np.array_equal(first.retrieval.item_matrix(), second.retrieval.item_matrix())
    assert first.report["ranker"]["losses"] == second.report["ranker"]["losses"]


def test_retrieval_learns_the_taste_groups(interactions, device):
    model, _ = retrieval.train(interactions, small_params().retrieval, device)
    group_of_item = np.array([int(i[1:]) % 4 for i in interactions.item_ids])
    recent = [np.flatnonzero(group_of_item == g)[:5] for g in range(4)]

    top = np.argsort(-retrieval.scores(model, recent, device), axis=1)[:, :5]

    share_in_group = np.mean([np.mean(group_of_item[top[g]] == g) for g in range(4)])
    assert share_in_group > 0.8


def test_features_are_computed_as_of_a_moment_without_looking_ahead(interactions):
    as_of = int(np.median(interactions.timestamps))
    snapshot = FeatureSnapshot.of(interactions.before(as_of), as_of)
    later = interactions.since(as_of)

    expected = np.bincount(
        interactions.before(as_of).items, weights=interactions.before(as_of).weights, minlength=interactions.item_count
    )
    assert np.allclose(snapshot.item_popularity, expected)
    assert np.array_equal(
        snapshot.user_events, np.bincount(interactions.before(as_of).users, minlength=interactions.user_count)
    )
    assert len(later) > 0


def test_evaluation_chooses_on_validation_and_scores_every_model_on_the_test_window(interactions, device):
    report = evaluation.run(
        interactions,
        small_params(retrieval_epochs=5, ranker_epochs=5),
        device,
        test_days=15,
        validation_days=15,
        seeds=2,
        tuning_budget_seconds=60,
    )

    assert set(report["results"]) == {
        "popularity",
        "popularity-30d",
        "popularity-7d",
        "minimal",
        "itemknn",
        "ease",
        "bpr-mf",
        "retrieval (ours)",
        "ranker at REDUCED (ours)",
        "retrieval + ranker (ours)",
    }
    assert report["protocol"]["validation_start"] < report["protocol"]["test_start"]
    users = {r["test"]["users"] for r in report["results"].values()}
    assert len(users) == 1 and users.pop() > 10
    # the groups are learnable: a personal model must beat global popularity here
    results = report["results"]
    assert results["retrieval (ours)"]["test"]["ndcg@10"] > results["popularity"]["test"]["ndcg@10"]
    # the best baseline is the one best on validation, and every other model is compared with it
    best = report["best_baseline"]
    assert results[best]["validation_ndcg@10"] == max(
        r["validation_ndcg@10"] for r in results.values() if r["baseline"]
    )
    assert all("vs_best_baseline" in r for name, r in results.items() if name != best)
    assert len(results["bpr-mf"]["test_ndcg@10_per_seed"]) == 2
    assert "epochs" in results["bpr-mf"]["settings"]
    assert report["repeat_purchases"]["pairs"] > 0
