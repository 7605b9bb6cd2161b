"""Training both models on one dataset, saving/loading the result, and recommending with it offline."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import cheap_scores, retrieval
from . import ranker as ranking
from .features import CandidateMix, FeatureSnapshot
from .interactions import Interactions
from .progress import Progress


@dataclass(frozen=True)
class TrainingParams:
    retrieval: retrieval.RetrievalParams = retrieval.RetrievalParams()
    ranker: ranking.RankerParams = ranking.RankerParams()
    seed: int = 7

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class TrainedModels:
    retrieval: retrieval.HistoryRetrieval
    ranker: ranking.Ranker
    item_ids: list[str]
    params: TrainingParams
    data: dict
    report: dict

    def save(self, path: str | Path) -> None:
        torch.save(
            {
                "retrieval": self.retrieval.state_dict(),
                "ranker": self.ranker.state_dict(),
                "item_ids": self.item_ids,
                "params": self.params.as_dict(),
                "data": self.data,
                "report": self.report,
            },
            path,
        )

    @classmethod
    def load(cls, path: str | Path, device: torch.device = torch.device("cpu")) -> TrainedModels:
        saved = torch.load(path, map_location=device)
        params = TrainingParams(
            retrieval.RetrievalParams(**saved["params"]["retrieval"]),
            _ranker_params(saved["params"]["ranker"]),
            saved["params"]["seed"],
        )
        model = retrieval.HistoryRetrieval(len(saved["item_ids"]), params.retrieval)
        model.load_state_dict(saved["retrieval"])
        state = saved["ranker"]
        ranker = ranking.Ranker(
            params.retrieval.dimension, state["mean"].numpy(), state["std"].numpy(), params.ranker.hidden
        )
        ranker.load_state_dict(state)
        return cls(
            model.to(device).eval(), ranker.to(device).eval(), saved["item_ids"], params, saved["data"], saved["report"]
        )


def _ranker_params(saved: dict) -> ranking.RankerParams:
    """The ranker's settings of a checkpoint; settings later versions dropped are ignored."""
    known = ranking.RankerParams.__dataclass_fields__
    values = {name: value for name, value in saved.items() if name in known}
    for name in ("hidden", "training_mix"):
        if name in values:
            values[name] = tuple(values[name])
    return ranking.RankerParams(**values)


def train(data: Interactions, params: TrainingParams, device: torch.device) -> TrainedModels:
    started = time.monotonic()
    Progress.note(f"training on {len(data):,} interactions, {data.user_count:,} users, {data.item_count:,} items")
    model, losses = retrieval.train(data, params.retrieval, device, params.seed)
    ranker, report = ranking.train(data, model, params.ranker, device, params.seed)
    report = {
        "retrieval_losses": losses,
        "ranker": report,
        "cheap_scores": cheap_scores.fit(data, params.ranker.label_days),
        "seconds": round(time.monotonic() - started, 1),
    }
    return TrainedModels(model, ranker, list(data.item_ids), params, data.describe(), report)


def recommend(
    models: TrainedModels,
    history: Interactions,
    as_of: int,
    users: np.ndarray,
    k: int,
    device: torch.device,
    rank: bool = True,
    level: str = "full",
) -> np.ndarray:
    """Top ``k`` unseen items per user as of ``as_of``: what the platform serves at ``level`` (that depth's candidate
    mix, ordered by the ranker), or with ``rank`` off embedding retrieval's own top ``k``."""
    snapshot = FeatureSnapshot.of(history, as_of)
    seen = ranking.seen_items(history)
    mix = CandidateMix.level(level) if rank else CandidateMix(k, 0, 0, 0)
    candidates = ranking.candidate_rows(models.retrieval, snapshot, users, seen, mix, device)
    if not rank:
        return candidates.candidates[:, :k]
    scores = ranking.score(models.ranker, candidates, device)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(candidates.candidates, order, axis=1)
