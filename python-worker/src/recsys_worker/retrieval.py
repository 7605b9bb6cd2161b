"""Retrieval: item embeddings whose user vector is a recency-weighted mean of the user's recent items.

The user vector is built at request time from the items the feature-service already keeps (the
recent list), so a new shopper with a few clicks gets personal candidates without retraining:

    user_vector = sum_k decay^k * context[item_k] / sum_k decay^k     (k = 0 is the newest of max_items)
    score(item) = user_vector . items[item]

Training fits exactly that rule: for every basket after a user's first, the history before it (the
recent list as the platform keeps it: distinct items of the last events, newest first) predicts the
basket's items with a softmax over the whole catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .features import distinct
from .interactions import Interactions
from .platform import RECENT_LIST_EVENTS
from .progress import Progress


@dataclass(frozen=True)
class RetrievalParams:
    dimension: int = 32
    max_items: int = 50
    decay: float = 0.9
    epochs: int = 12
    batch_size: int = 256
    learning_rate: float = 0.005
    weight_decay: float = 1e-5
    history_dropout: float = 0.2
    # Learn to predict items the user had not interacted with before (what is served: seen items are excluded)
    new_items_only: bool = True


class HistoryRetrieval(nn.Module):
    def __init__(self, item_count: int, params: RetrievalParams):
        super().__init__()
        self.item_count, self.params = item_count, params
        self.context = nn.Embedding(item_count + 1, params.dimension, padding_idx=item_count)
        self.items = nn.Embedding(item_count, params.dimension)
        nn.init.normal_(self.context.weight, std=0.1)
        nn.init.normal_(self.items.weight, std=0.1)
        with torch.no_grad():
            self.context.weight[item_count].zero_()

    def user_vectors(self, history: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        summed = (self.context(history) * weights.unsqueeze(-1)).sum(1)
        return summed / weights.sum(1, keepdim=True).clamp_min(1e-9)

    def forward(self, history: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        return self.user_vectors(history, weights) @ self.items.weight.T

    def item_matrix(self) -> np.ndarray:
        return self.items.weight.detach().cpu().numpy().astype(np.float32)

    def context_matrix(self) -> np.ndarray:
        return self.context.weight[: self.item_count].detach().cpu().numpy().astype(np.float32)


def history_tensors(recent: list[np.ndarray], params: RetrievalParams, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded [n, max_items] item indexes (newest first) and their recency weights."""
    history = np.full((len(recent), params.max_items), pad, dtype=np.int64)
    weights = np.zeros((len(recent), params.max_items), dtype=np.float32)
    decays = params.decay ** np.arange(params.max_items, dtype=np.float32)
    for row, items in enumerate(recent):
        items = items[: params.max_items]
        history[row, : len(items)] = items
        weights[row, : len(items)] = decays[: len(items)]
    return history, weights


def training_examples(data: Interactions, params: RetrievalParams):
    """(recent items before each basket, newest first) -> the basket's items; first baskets have no history."""
    order = np.lexsort((data.timestamps, data.users))
    users, items, baskets = data.users[order], data.items[order], data.baskets[order]
    recent, targets = [], []
    starts = np.flatnonzero(np.r_[True, (baskets[1:] != baskets[:-1]) | (users[1:] != users[:-1])])
    ends = np.r_[starts[1:], len(order)]
    user_start = 0
    for start, end in zip(starts.tolist(), ends.tolist(), strict=False):
        if start == 0 or users[start] != users[start - 1]:
            user_start = start
            continue
        before = items[user_start:start]
        basket = np.unique(items[start:end])
        if params.new_items_only:
            basket = np.setdiff1d(basket, before, assume_unique=False)
        if len(basket):
            recent.append(np.array(distinct(before[::-1][:RECENT_LIST_EVENTS], params.max_items), dtype=np.int64))
            targets.append(basket)
    return recent, targets


def train(
    data: Interactions, params: RetrievalParams, device: torch.device, seed: int = 7
) -> tuple[HistoryRetrieval, list[float]]:
    """The trained model and its mean training loss per epoch."""
    recent, targets = training_examples(data, params)
    if not recent:
        raise ValueError("no user has two baskets: nothing to learn retrieval from")
    history, weights = history_tensors(recent, params, pad=data.item_count)
    history_t, weights_t = torch.from_numpy(history).to(device), torch.from_numpy(weights).to(device)
    model = HistoryRetrieval(data.item_count, params).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=params.learning_rate, weight_decay=params.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(params.epochs):
        model.train()
        total, batches = 0.0, 0
        for batch in torch.randperm(len(recent), generator=generator).split(params.batch_size):
            target = torch.zeros((len(batch), data.item_count), device=device)
            for row, example in enumerate(batch.tolist()):
                target[row, torch.from_numpy(targets[example])] = 1.0 / len(targets[example])
            w = weights_t[batch]
            if params.history_dropout > 0:
                keep = (torch.rand(w.shape, generator=generator) >= params.history_dropout).to(device)
                keep[:, 0] = True  # the newest item always stays, so no row is left empty
                w = w * keep
            log_p = torch.log_softmax(model(history_t[batch], w), dim=1)
            loss = -(target * log_p).sum() / len(batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            with torch.no_grad():
                model.context.weight[data.item_count].zero_()
            total, batches = total + loss.item(), batches + 1
        losses.append(total / batches)
        Progress.note(f"retrieval epoch {epoch + 1}/{params.epochs}: loss {losses[-1]:.4f}")
    model.eval()
    return model, losses


def scores(model: HistoryRetrieval, recent: list[np.ndarray], device: torch.device) -> np.ndarray:
    """[users, items] retrieval scores for users given their recent items (newest first)."""
    history, weights = history_tensors(recent, model.params, pad=model.item_count)
    with torch.no_grad():
        return model(torch.from_numpy(history).to(device), torch.from_numpy(weights).to(device)).cpu().numpy()


def user_vectors(model: HistoryRetrieval, recent: list[np.ndarray], device: torch.device) -> np.ndarray:
    history, weights = history_tensors(recent, model.params, pad=model.item_count)
    with torch.no_grad():
        return (
            model.user_vectors(torch.from_numpy(history).to(device), torch.from_numpy(weights).to(device)).cpu().numpy()
        )
