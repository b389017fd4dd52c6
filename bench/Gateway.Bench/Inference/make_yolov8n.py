#!/usr/bin/python3
"""Builds a YOLOv8n-shaped detector with random weights, with python3-onnx + numpy only, for the
inference benchmark: the real layer shapes of Ultralytics' yolov8n (width 0.25, depth 0.33:
backbone Conv/C2f/SPPF, PAN neck with nearest upsampling, decoupled Detect head with DFL and
anchor decoding), BatchNorm folded into the convolutions as an exported model has it, SiLU as
x * sigmoid(x). Output `output0` [1, 84, N] (cx, cy, w, h in input pixels + 80 class scores).

The class head's bias is set very negative so that, as with a real model on a real scene,
only a few candidates score above a threshold — random weights would otherwise make every one
of the N candidates a "detection" and benchmark NMS on a case no real model produces.

usage: make_yolov8n.py OUT_DIR SIZE [SIZE...]   -> OUT_DIR/yolov8n-SIZE.onnx
A SIZE written SIZE:symbolic gives OUT_DIR/yolov8n-SIZE-symbolic.onnx, the same network with a
dynamic input size (images [1,3,H,W]) and output0 [1,84,N] cut by a Slice whose end is computed
from the input's shape at run time, so that ONNX Runtime cannot infer N ahead of a run (declaring
N symbolic alone is not enough: ORT infers it back from the constant anchors) and the runner has
to fetch that output after each run.
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, checker, save

NC, REG_MAX = 80, 16


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.n, self.params = [], [], 0, 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, value, base="c"):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, c1, c2, k=1, s=1, act=True, bias=None):
        w = (self.rng.standard_normal((c2, c1, k, k)) * np.sqrt(2.0 / (c1 * k * k))).astype(np.float32)
        b = np.zeros(c2, np.float32) if bias is None else np.full(c2, bias, np.float32)
        self.params += w.size + b.size
        y = self.op("Conv", [x, self.const(w, "w"), self.const(b, "b")], kernel_shape=[k, k], strides=[s, s], pads=[k // 2] * 4)
        return self.op("Mul", [y, self.op("Sigmoid", [y])]) if act else y

    def bottleneck(self, x, c, shortcut):
        y = self.conv(self.conv(x, c, c, 3), c, c, 3)
        return self.op("Add", [x, y]) if shortcut else y

    def c2f(self, x, c1, c2, n, shortcut):
        c = c2 // 2
        y = self.conv(x, c1, 2 * c, 1)
        a = self.op("Slice", [y, self.const(np.array([0], np.int64)), self.const(np.array([c], np.int64)), self.const(np.array([1], np.int64))])
        b = self.op("Slice", [y, self.const(np.array([c], np.int64)), self.const(np.array([2 * c], np.int64)), self.const(np.array([1], np.int64))])
        parts = [a, b]
        for _ in range(n):
            parts.append(self.bottleneck(parts[-1], c, shortcut))
        return self.conv(self.op("Concat", parts, axis=1), (2 + n) * c, c2, 1)

    def sppf(self, x, c1, c2):
        c = c1 // 2
        y = [self.conv(x, c1, c, 1)]
        for _ in range(3):
            y.append(self.op("MaxPool", [y[-1]], kernel_shape=[5, 5], strides=[1, 1], pads=[2, 2, 2, 2]))
        return self.conv(self.op("Concat", y, axis=1), c * 4, c2, 1)

    def upsample(self, x):
        return self.op("Resize", [x, "", self.const(np.array([1, 1, 2, 2], np.float32), "scales")], mode="nearest")


def build(size, seed=8):
    g = Builder(seed)
    x = "images"
    b0 = g.conv(x, 3, 16, 3, 2)
    b1 = g.conv(b0, 16, 32, 3, 2)
    b2 = g.c2f(b1, 32, 32, 1, True)
    b3 = g.conv(b2, 32, 64, 3, 2)
    b4 = g.c2f(b3, 64, 64, 2, True)
    b5 = g.conv(b4, 64, 128, 3, 2)
    b6 = g.c2f(b5, 128, 128, 2, True)
    b7 = g.conv(b6, 128, 256, 3, 2)
    b8 = g.c2f(b7, 256, 256, 1, True)
    b9 = g.sppf(b8, 256, 256)
    h12 = g.c2f(g.op("Concat", [g.upsample(b9), b6], axis=1), 384, 128, 1, False)
    p3 = g.c2f(g.op("Concat", [g.upsample(h12), b4], axis=1), 192, 64, 1, False)
    p4 = g.c2f(g.op("Concat", [g.conv(p3, 64, 64, 3, 2), h12], axis=1), 192, 128, 1, False)
    p5 = g.c2f(g.op("Concat", [g.conv(p4, 128, 128, 3, 2), b9], axis=1), 384, 256, 1, False)

    # Detect head: per level, box branch (4 x REG_MAX DFL bins) and class branch.
    c2, c3 = max(16, 64 // 4, REG_MAX * 4), max(64, min(NC, 100))
    levels = []
    anchors, strides = [], []
    for feature, ch, stride in ((p3, 64, 8), (p4, 128, 16), (p5, 256, 32)):
        box = g.conv(g.conv(g.conv(feature, ch, c2, 3), c2, c2, 3), c2, 4 * REG_MAX, 1, act=False)
        cls = g.conv(g.conv(g.conv(feature, ch, c3, 3), c3, c3, 3), c3, NC, 1, act=False, bias=-9.0)
        levels.append(g.op("Reshape", [g.op("Concat", [box, cls], axis=1), g.const(np.array([1, 4 * REG_MAX + NC, -1], np.int64))]))
        n = size // stride
        ys, xs = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5, indexing="ij")
        anchors.append(np.stack([xs.ravel(), ys.ravel()]))
        strides.append(np.full(n * n, stride))
    cat = g.op("Concat", levels, axis=2)
    count = sum(a.shape[1] for a in anchors)
    dist = g.op("Slice", [cat, g.const(np.array([0], np.int64)), g.const(np.array([4 * REG_MAX], np.int64)), g.const(np.array([1], np.int64))])
    scores = g.op("Sigmoid", [g.op("Slice", [cat, g.const(np.array([4 * REG_MAX], np.int64)), g.const(np.array([4 * REG_MAX + NC], np.int64)), g.const(np.array([1], np.int64))])])
    # DFL: softmax over the 16 bins of each side, expectation as a 1x1 conv with weights 0..15.
    bins = g.op("Softmax", [g.op("Transpose", [g.op("Reshape", [dist, g.const(np.array([1, 4, REG_MAX, count], np.int64))])], perm=[0, 2, 1, 3])], axis=1)
    dfl_w = np.arange(REG_MAX, dtype=np.float32).reshape(1, REG_MAX, 1, 1)
    ltrb = g.op("Reshape", [g.op("Conv", [bins, g.const(dfl_w)]), g.const(np.array([1, 4, count], np.int64))])
    lt = g.op("Slice", [ltrb, g.const(np.array([0], np.int64)), g.const(np.array([2], np.int64)), g.const(np.array([1], np.int64))])
    rb = g.op("Slice", [ltrb, g.const(np.array([2], np.int64)), g.const(np.array([4], np.int64)), g.const(np.array([1], np.int64))])
    anchor = g.const(np.concatenate(anchors, axis=1)[None].astype(np.float32), "anchors")
    x1y1 = g.op("Sub", [anchor, lt])
    x2y2 = g.op("Add", [anchor, rb])
    centre = g.op("Div", [g.op("Add", [x1y1, x2y2]), g.const(np.float32(2))])
    wh = g.op("Sub", [x2y2, x1y1])
    stride_t = g.const(np.concatenate(strides)[None, None].astype(np.float32), "strides")
    boxes = g.op("Mul", [g.op("Concat", [centre, wh], axis=1), stride_t])
    g.nodes.append(helper.make_node("Concat", [boxes, scores], ["output0"], axis=1, name="output0"))

    graph = helper.make_graph(
        g.nodes, f"yolov8n-{size}",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + NC, count])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    checker.check_model(model)
    return model, g.params, count


def make_symbolic(model):
    graph = model.graph
    producer = next(n for n in graph.node if "output0" in n.output)
    producer.output[list(producer.output).index("output0")] = "output0_full"
    images = graph.input[0].name
    graph.initializer.extend([
        numpy_helper.from_array(np.array([3], np.int64), "sym_w_start"),
        numpy_helper.from_array(np.array([4], np.int64), "sym_w_end"),
        numpy_helper.from_array(np.array([100], np.int64), "sym_scale"),
        numpy_helper.from_array(np.array([0], np.int64), "sym_zero"),
        numpy_helper.from_array(np.array([2], np.int64), "sym_axis"),
    ])
    graph.node.extend([
        helper.make_node("Shape", [images], ["sym_shape"]),
        helper.make_node("Slice", ["sym_shape", "sym_w_start", "sym_w_end"], ["sym_w"]),
        helper.make_node("Mul", ["sym_w", "sym_scale"], ["sym_end"]),
        helper.make_node("Slice", ["output0_full", "sym_zero", "sym_end", "sym_axis"], ["output0"]),
    ])
    graph.output[0].type.tensor_type.shape.dim[2].dim_param = "N"
    for i, name in ((2, "H"), (3, "W")):
        graph.input[0].type.tensor_type.shape.dim[i].dim_param = name
    checker.check_model(model)


def main():
    out_dir = sys.argv[1]
    for arg in sys.argv[2:]:
        size, _, kind = arg.partition(":")
        model, params, count = build(int(size))
        name = f"yolov8n-{size}.onnx"
        if kind == "symbolic":
            make_symbolic(model)
            name = f"yolov8n-{size}-symbolic.onnx"
        save(model, f"{out_dir}/{name}")
        print(f"{name}: {params / 1e6:.2f} M parameters, output [1,84,{count}]")


if __name__ == "__main__":
    main()
