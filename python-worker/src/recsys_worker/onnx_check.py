"""A small NumPy interpreter for the ONNX operators our exported ranker uses.

Export compares the ONNX graph's output with the torch model's before it publishes a bundle. ONNX
Runtime has no Debian package and onnx 1.12 has no reference evaluator, so the graph is run here;
an operator outside this set fails loudly instead of being guessed.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper


def _attributes(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=False):
        index[int(axis)] = slice(int(start), int(end), int(step))
    return x[tuple(index)]


def _gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    a = a.T if transA else a
    b = b.T if transB else b
    out = alpha * (a @ b)
    return out + beta * c if c is not None else out


def _squeeze(x, axes=None):
    return np.squeeze(x, axis=tuple(int(a) for a in axes)) if axes is not None else np.squeeze(x)


def _unsqueeze(x, axes):
    for axis in sorted(int(a) for a in axes):
        x = np.expand_dims(x, axis)
    return x


def _run_node(node, inputs: list, attrs: dict):
    op = node.op_type
    if op == "Constant":
        return numpy_helper.to_array(attrs["value"])
    if op in ("Add", "Sub", "Mul", "Div"):
        return {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](inputs[0], inputs[1])
    if op == "Log":
        return np.log(inputs[0])
    if op == "Relu":
        return np.maximum(inputs[0], 0)
    if op == "Identity":
        return inputs[0]
    if op == "Concat":
        return np.concatenate(inputs, axis=attrs["axis"])
    if op == "Slice":
        return _slice(*inputs)
    if op == "Gemm":
        return _gemm(*inputs, **attrs)
    if op == "MatMul":
        return inputs[0] @ inputs[1]
    if op == "Squeeze":
        return _squeeze(inputs[0], inputs[1] if len(inputs) > 1 else attrs.get("axes"))
    if op == "Unsqueeze":
        return _unsqueeze(inputs[0], inputs[1] if len(inputs) > 1 else attrs["axes"])
    if op == "Reshape":
        return inputs[0].reshape([int(s) if s != 0 else inputs[0].shape[i] for i, s in enumerate(inputs[1])])
    if op == "Shape":
        return np.array(inputs[0].shape, dtype=np.int64)
    if op == "Gather":
        return np.take(inputs[0], inputs[1], axis=attrs.get("axis", 0))
    if op == "Cast":
        return inputs[0].astype(onnx.helper.tensor_dtype_to_np_dtype(attrs["to"]))
    raise NotImplementedError(f"ONNX operator {op} is not supported by this checker")


def run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    values = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        inputs = [values[name] if name else None for name in node.input]
        while inputs and inputs[-1] is None:
            inputs.pop()
        result = _run_node(node, inputs, _attributes(node))
        values[node.output[0]] = np.asarray(result)
    return {output.name: values[output.name] for output in model.graph.output}
