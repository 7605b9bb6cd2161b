"""Model bundles: what the inference-service loads (format: docs/model-bundle.md).

A bundle is published atomically: every file is written and synced inside a hidden directory next to
its final place, then one rename makes the whole version appear. A reader that ignores names starting
with '.' therefore never sees half a bundle, and a failed export leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

from . import cheap_scores, features, onnx_check, samples
from .features import RANKER_DENSE_FEATURES
from .training import TrainedModels

FORMAT_VERSION = 1
METADATA = "metadata.json"
RANKER_FILE = "ranker.onnx"
ITEMS_FILE = "items.txt"
ITEM_EMBEDDINGS_FILE = "item_embeddings.f32"
CONTEXT_EMBEDDINGS_FILE = "context_embeddings.f32"
SAMPLES_FILE = "samples.json"
OPSET = 13
PARITY_TOLERANCE = 1e-5


class BundleError(Exception):
    """A bundle that must not be served: unreadable, inconsistent, or not what its metadata says."""


def default_version() -> str:
    """A UTC timestamp: versions compare as strings, so the newest sorts last."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def feature_layout(dimension: int) -> list[dict]:
    layout = [
        {
            "name": "user_vector",
            "offset": 0,
            "width": dimension,
            "transform": "none",
            "scope": "derived",
            "source": "the retrieval user vector (see retrieval.user_vector)",
        },
        {
            "name": "item_embedding",
            "offset": dimension,
            "width": dimension,
            "transform": "none",
            "scope": "derived",
            "source": "the candidate's row of item_embeddings (zeros for an item the bundle does not know)",
        },
    ]
    for index, (name, transform, scope, source) in enumerate(RANKER_DENSE_FEATURES):
        layout.append(
            {
                "name": name,
                "offset": 2 * dimension + index,
                "width": 1,
                "transform": transform,
                "scope": scope,
                "source": source,
            }
        )
    return layout


# The TorchScript exporter on every torch the worker admits: it writes the same opset-13 graph on torch 1.13 and
# on current releases, whose default (dynamo) exporter would need onnxscript and writes a different graph.
_TORCHSCRIPT_EXPORTER: dict[str, Any] = (
    {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
)


def export_onnx(models: TrainedModels, path: Path, seed: int = 7) -> float:
    """Writes the ranker as ONNX and returns the largest difference from torch on random inputs."""
    ranker = models.ranker.cpu().eval()
    width = ranker.input_width
    example = torch.zeros((2, width))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the exporter's choice is deliberate (above)
        torch.onnx.export(
            ranker,
            (example,),
            str(path),
            opset_version=OPSET,
            input_names=["features"],
            output_names=["score"],
            dynamic_axes={"features": {0: "batch"}, "score": {0: "batch"}},
            **_TORCHSCRIPT_EXPORTER,
        )
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(257, width)).astype(np.float32)
    d = 2 * ranker.dimension
    rows[:, d + 1 :] = rng.exponential(scale=20.0, size=(257, width - d - 1))  # counts, prices, hours: >= 0
    with torch.no_grad():
        expected = ranker(torch.from_numpy(rows)).numpy()
    actual = onnx_check.run(model, {"features": rows})["score"]
    difference = float(np.max(np.abs(actual - expected)))
    if actual.shape != expected.shape or difference > PARITY_TOLERANCE:
        raise BundleError(
            f"ONNX output differs from torch by {difference:g} (shape {actual.shape} vs {expected.shape})"
        )
    return difference


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(
    models: TrainedModels,
    model_dir: str | Path,
    name: str,
    version: str | None = None,
    offline_evaluation: dict | None = None,
    after_each_file: Callable[[Path], None] = lambda path: None,
) -> Path:
    """Writes a bundle to ``<model_dir>/<name>/<version>/`` atomically and returns that directory."""
    version = version or default_version()
    for label, value in (("name", name), ("version", version)):
        if not value or value.startswith(".") or "/" in value or value != value.strip():
            raise BundleError(f"invalid bundle {label} {value!r}")
    parent = Path(model_dir) / name
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / version
    if final.exists():
        raise BundleError(f"{final} exists already: versions are immutable, pick another")
    staging = Path(tempfile.mkdtemp(prefix=f".incoming-{version}-", dir=parent))
    try:
        parity = export_onnx(models, staging / RANKER_FILE)
        after_each_file(staging / RANKER_FILE)
        item_matrix, context_matrix = models.retrieval.item_matrix(), models.retrieval.context_matrix()
        for file, matrix in ((ITEM_EMBEDDINGS_FILE, item_matrix), (CONTEXT_EMBEDDINGS_FILE, context_matrix)):
            _write_synced(staging / file, matrix.astype("<f4").tobytes(order="C"))
            after_each_file(staging / file)
        _write_synced(staging / ITEMS_FILE, ("\n".join(models.item_ids) + "\n").encode())
        after_each_file(staging / ITEMS_FILE)
        _write_synced(staging / SAMPLES_FILE, (json.dumps(samples.build(models)) + "\n").encode())
        after_each_file(staging / SAMPLES_FILE)
        metadata = _metadata(models, name, version, item_matrix.shape, parity, offline_evaluation, staging)
        _write_synced(staging / METADATA, (json.dumps(metadata, indent=2) + "\n").encode())
        after_each_file(staging / METADATA)
        verify(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; the serving process may run as another user
        _fsync_directory(staging)
        os.rename(staging, final)
        _fsync_directory(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _metadata(
    models: TrainedModels,
    name: str,
    version: str,
    shape: tuple[int, int],
    parity: float,
    offline_evaluation: dict | None,
    staging: Path,
) -> dict:
    params = models.params
    ranker = models.ranker
    files = [RANKER_FILE, ITEMS_FILE, ITEM_EMBEDDINGS_FILE, CONTEXT_EMBEDDINGS_FILE, SAMPLES_FILE]
    ranker_report = models.report["ranker"]
    return {
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "ranker": {
            "file": RANKER_FILE,
            "format": "onnx",
            "opset": OPSET,
            "input": {"name": "features", "dtype": "float32", "shape": [None, ranker.input_width]},
            "output": {"name": "score", "dtype": "float32", "shape": [None]},
            "higher_is_better": True,
            "features": feature_layout(ranker.dimension),
            "normalisation": {
                "applied_by": "model",
                "steps": "x' = transform(x), then (x' - mean) / std, for the dense features in order; the "
                "embeddings are used as they are",
                "mean": [float(v) for v in ranker.mean.flatten().tolist()],
                "std": [float(v) for v in ranker.std.flatten().tolist()],
            },
            "onnx_parity_max_abs_difference": parity,
        },
        "retrieval": {
            "dimension": int(shape[1]),
            "items": {"file": ITEMS_FILE, "count": int(shape[0]), "encoding": "utf-8, one id per line, row order"},
            "item_embeddings": {
                "file": ITEM_EMBEDDINGS_FILE,
                "dtype": "float32",
                "byte_order": "little",
                "shape": [int(shape[0]), int(shape[1])],
                "layout": "row-major",
            },
            "context_embeddings": {
                "file": CONTEXT_EMBEDDINGS_FILE,
                "dtype": "float32",
                "byte_order": "little",
                "shape": [int(shape[0]), int(shape[1])],
                "layout": "row-major",
            },
            "user_vector": {
                "method": "recency_weighted_mean",
                "embeddings": "context_embeddings",
                "max_items": params.retrieval.max_items,
                "decay": params.retrieval.decay,
                "formula": "sum_k decay^k * context[item_k] / sum_k decay^k over the user's most recent "
                "max_items interactions, k = 0 the newest; unknown items are skipped; no items: no vector",
            },
            "score": "dot(user_vector, item_embeddings[item])",
        },
        "feature_contract": features.contract(params.retrieval.max_items),
        "cheap_scores": {
            "what": "the MINIMAL level's scorer when the model is not asked: sum over the signals of weight * "
            "log1p(signal); cooccurrence as the ranker's feature of that name, item_popularity_7d and "
            "item_popularity as theirs",
            # a checkpoint saved before the scorer was learned has no fit: the hand-set weights
            **models.report.get("cheap_scores", {"weights": cheap_scores.HAND_SET, "fitted_on": "not fitted"}),
        },
        "samples": {
            "file": SAMPLES_FILE,
            "tolerance": PARITY_TOLERANCE,
            "what": "inputs and this model's outputs (raw rows, assembled Rank requests, Retrieve queries); a "
            "server runs them when loading and refuses the bundle if it disagrees by more than the tolerance",
        },
        "training": {
            "data": models.data,
            "parameters": params.as_dict(),
            "seconds": models.report["seconds"],
            "retrieval_final_loss": models.report["retrieval_losses"][-1],
            "ranker_final_loss": ranker_report["losses"][-1],
        },
        "metrics": {
            "validation": {
                "what": "NDCG@10 of the ranker's training candidate mix (training.parameters.ranker.training_mix) "
                "for held-out users of the label window, in the platform's merge order and ranked",
                "users": ranker_report["validation_users"],
                "ndcg@10_retrieval_order": ranker_report["validation_ndcg10_retrieval_order"],
                "ndcg@10_ranked": ranker_report["validation_ndcg10_ranked"],
            },
            "offline_evaluation": offline_evaluation,
        },
        "files": {
            file: {"sha256": _sha256(staging / file), "bytes": (staging / file).stat().st_size} for file in files
        },
    }


def schema() -> dict:
    return json.loads(resources.files("recsys_worker").joinpath("metadata.schema.json").read_text())


def verify(bundle: str | Path) -> dict:
    """Checks a bundle the way a server should before loading it; returns its metadata."""
    bundle = Path(bundle)
    try:
        metadata = json.loads((bundle / METADATA).read_text())
    except (OSError, ValueError) as e:
        raise BundleError(f"{bundle}: unreadable {METADATA}: {e}") from e
    try:
        import jsonschema
    except ImportError:  # the structural checks below still run
        jsonschema = None
    if jsonschema is not None:
        try:
            jsonschema.validate(metadata, schema())
        except jsonschema.ValidationError as e:
            raise BundleError(
                f"{bundle}: metadata does not match its schema at {'/'.join(map(str, e.absolute_path))}: {e.message}"
            ) from e
    if metadata.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"{bundle}: format_version {metadata.get('format_version')!r}, expected {FORMAT_VERSION}")
    for file, expected in metadata["files"].items():
        path = bundle / file
        if not path.is_file():
            raise BundleError(f"{bundle}: {file} is missing")
        if path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            raise BundleError(f"{bundle}: {file} does not match its checksum")
    ranker = metadata["ranker"]
    offset = 0
    for feature in ranker["features"]:
        if feature["offset"] != offset:
            raise BundleError(f"{bundle}: feature {feature['name']} starts at {feature['offset']}, expected {offset}")
        offset += feature["width"]
    if offset != ranker["input"]["shape"][1]:
        raise BundleError(f"{bundle}: features cover {offset} columns, the input has {ranker['input']['shape'][1]}")
    retrieval = metadata["retrieval"]
    rows, dimension = retrieval["item_embeddings"]["shape"]
    for key in ("item_embeddings", "context_embeddings"):
        if (bundle / retrieval[key]["file"]).stat().st_size != rows * dimension * 4:
            raise BundleError(f"{bundle}: {key} is not {rows} x {dimension} float32")
    ids = (bundle / retrieval["items"]["file"]).read_text(encoding="utf-8").splitlines()
    if len(ids) != rows or len(set(ids)) != rows:
        raise BundleError(f"{bundle}: {len(ids)} item ids ({len(set(ids))} distinct) for {rows} embedding rows")
    return metadata


def load_embeddings(bundle: str | Path, key: str = "item_embeddings") -> np.ndarray:
    metadata = json.loads((Path(bundle) / METADATA).read_text())
    spec = metadata["retrieval"][key]
    return np.fromfile(Path(bundle) / spec["file"], dtype="<f4").reshape(spec["shape"])
