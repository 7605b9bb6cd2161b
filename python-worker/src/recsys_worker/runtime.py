"""Where and how torch runs: all cores (Debian's torch defaults to one thread), CUDA when present, seeds."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def configure(seed: int, threads: int | None = None) -> torch.device:
    torch.set_num_threads(threads or os.cpu_count() or 1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"
