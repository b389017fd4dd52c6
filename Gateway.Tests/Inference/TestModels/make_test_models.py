#!/usr/bin/python3
"""Builds the tiny ONNX models the Gateway.Inference tests run, with python3-onnx, into the
directory given as the only argument, plus expected.json: inputs and the outputs numpy computes
for them, independently of ONNX Runtime (Debian's onnx 1.12 predates onnx.reference).

Run by the tests (Gateway.Tests/Inference/TestModels/TestModelSet.cs) with Debian's /usr/bin/python3.
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(model, path):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def affine(out_dir, expected):
    """x[1,3,2,2] -> y = Sigmoid(Conv1x1(x, W) + b) [1,2,2,2] and z = ReduceSum(x) [1]."""
    rng = np.random.default_rng(7)
    w = rng.normal(size=(2, 3, 1, 1)).astype(np.float32)
    b = rng.normal(size=(2,)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["c"]),
            helper.make_node("Sigmoid", ["c"], ["y"]),
            helper.make_node("ReduceSum", ["x"], ["z"], keepdims=0),
        ],
        "affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2, 2]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="make_test_models", model_version=3)
    helper.set_model_props(model, {"purpose": "gateway tests"})
    save(model, f"{out_dir}/affine.onnx")
    x = rng.normal(size=(1, 3, 2, 2)).astype(np.float32)
    c = np.einsum("oc,nchw->nohw", w[:, :, 0, 0].astype(np.float64), x) + b[None, :, None, None]
    y = 1 / (1 + np.exp(-c))
    z = x.astype(np.float64).sum()
    expected["affine"] = {"x": x.ravel().tolist(), "y": np.asarray(y).ravel().tolist(), "z": float(z)}


def dynamic(out_dir, expected):
    """x[N,4] (symbolic N) -> y = x * 2 + 1 [N,4]: an output ORT has to allocate itself."""
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["t"]), helper.make_node("Add", ["t", "one"], ["y"])],
        "dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        [numpy_helper.from_array(np.array(2, np.float32), "two"), numpy_helper.from_array(np.array(1, np.float32), "one")],
    )
    model = helper.make_model(graph, opset_imports=OPSET)
    save(model, f"{out_dir}/dynamic.onnx")
    x = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5
    y = x * 2 + 1
    expected["dynamic"] = {"x": x.ravel().tolist(), "y": np.asarray(y).ravel().tolist()}


def constant_head(name, input_name, input_shape, head, out_dir):
    """A detector whose output is the given head, plus 0 x mean(input) so the input is really consumed."""
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", [input_name], ["m"], keepdims=0),
            helper.make_node("Mul", ["m", "zero"], ["m0"]),
            helper.make_node("Add", ["head", "m0"], ["output0"]),
        ],
        name,
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(head.shape))],
        [numpy_helper.from_array(head.astype(np.float32), "head"), numpy_helper.from_array(np.array(0, np.float32), "zero")],
    )
    save(helper.make_model(graph, opset_imports=OPSET), f"{out_dir}/{name}.onnx")


def yolo_head(out_dir, expected):
    """images[1,3,64,64] NCHW -> output0[1,4+3,5]: cx, cy, w, h (input pixels) then 3 class scores."""
    boxes = [  # cx, cy, w, h, scores...
        (20, 30, 10, 20, 0.9, 0.1, 0.0),   # class 0, kept
        (21, 31, 10, 20, 0.8, 0.0, 0.0),   # class 0, overlaps the first: suppressed by NMS
        (21, 31, 10, 20, 0.0, 0.7, 0.0),   # class 1 on the same spot: kept per class, dropped class-agnostic
        (50, 10, 8, 8, 0.0, 0.0, 0.6),     # class 2, kept
        (40, 40, 6, 6, 0.2, 0.1, 0.1),     # below the score threshold
    ]
    head = np.array(boxes, np.float32).T[None, :, :]
    constant_head("yolo_head", "images", [1, 3, 64, 64], head, out_dir)
    expected["yolo_head"] = {"head": head.ravel().tolist()}


def boxes_head(out_dir, expected):
    """input[1,32,32,3] NHWC -> output0[1,4,6]: x1, y1, x2, y2 (input pixels), score, class."""
    head = np.array([[
        [4, 4, 12, 20, 0.95, 0],
        [5, 4, 12, 21, 0.60, 2],   # same object under another class: class-agnostic NMS removes it
        [20, 20, 30, 30, 0.50, 1],
        [0, 0, 2, 2, 0.05, 0],     # below threshold
    ]], np.float32)
    constant_head("boxes_head", "input", [1, 32, 32, 3], head, out_dir)
    expected["boxes_head"] = {"head": head.ravel().tolist()}


def main():
    out_dir = sys.argv[1]
    expected = {}
    affine(out_dir, expected)
    dynamic(out_dir, expected)
    yolo_head(out_dir, expected)
    boxes_head(out_dir, expected)
    with open(f"{out_dir}/expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
