#!/usr/bin/python3
"""Writes a small TensorFlow.js graph model (model.json + weights.bin) that uses the op types
and attribute cases of the CenterNet graph tools/tfjs_graph_to_onnx.py converts, plus
expected.json: an input and the output that numpy implementations of TensorFlow's own op
semantics (NHWC, SAME padding with the odd pixel at the end, legacy bilinear resize, float16
weights) compute for it. Gateway.Tests/Tools/TfjsGraphConverterTests.cs converts the graph
and runs it in ONNX Runtime to compare.

usage: make_tfjs_graph.py OUT_DIR
"""
import base64
import json
import math
import sys

import numpy as np

rng = np.random.default_rng(11)
nodes, weights, blobs = [], [], []


def b64(s):
    return base64.b64encode(s.encode()).decode()


def const(name, value, float16=False):
    value = np.asarray(value)
    dtype = "int32" if value.dtype.kind in "iu" else "float32"
    entry = {"name": name, "shape": list(value.shape), "dtype": dtype}
    if float16:
        entry["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
        raw = value.astype(np.float16)
        value = raw.astype(np.float32)  # what the graph really computes with
    else:
        raw = value.astype(np.int32 if dtype == "int32" else np.float32)
    weights.append(entry)
    blobs.append(raw.tobytes())
    nodes.append({"name": name, "op": "Const", "attr": {"dtype": {"type": "DT_INT32" if dtype == "int32" else "DT_FLOAT"}}})
    return name, value


def node(name, op, inputs, **attr):
    nodes.append({"name": name, "op": op, "input": inputs, "attr": attr})
    return name


def same_pads(size, k, s):
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv(x, w, stride, padding, depthwise=False):
    """TF conv2d / depthwise_conv2d, NHWC input, HWIO (or HWCM) filter."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    if padding == "SAME":
        (pt, pb), (pl, pr) = same_pads(h, kh, stride), same_pads(wd, kw, stride)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh, ow = (xp.shape[1] - kh) // stride + 1, (xp.shape[2] - kw) // stride + 1
    out_c = c * w.shape[3] if depthwise else w.shape[3]
    y = np.zeros((n, oh, ow, out_c), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            if depthwise:
                y[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, w).reshape(n, -1)
            else:
                y[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, w)
    return y


def resize_bilinear_legacy(x, oh, ow):
    """tf.image.resize_bilinear(align_corners=False, half_pixel_centers=False)."""
    n, h, w, c = x.shape
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        sy = i * h / oh
        y0, fy = int(math.floor(sy)), sy - math.floor(sy)
        y1 = min(y0 + 1, h - 1)
        for j in range(ow):
            sx = j * w / ow
            x0, fx = int(math.floor(sx)), sx - math.floor(sx)
            x1 = min(x0 + 1, w - 1)
            top = x[:, y0, x0] * (1 - fx) + x[:, y0, x1] * fx
            bottom = x[:, y1, x0] * (1 - fx) + x[:, y1, x1] * fx
            y[:, i, j] = top * (1 - fy) + bottom * fy
    return y


def max_pool_same(x, k):
    p = k // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=-np.inf)
    y = np.full(x.shape, -np.inf)
    for i in range(k):
        for j in range(k):
            y = np.maximum(y, xp[:, i:i + x.shape[1], j:j + x.shape[2], :])
    return y


def conv_attrs(stride, padding, fused=None):
    a = {"strides": {"list": {"i": ["1", str(stride), str(stride), "1"]}}, "padding": {"s": b64(padding)},
         "data_format": {"s": b64("NHWC")}, "dilations": {"list": {"i": ["1", "1", "1", "1"]}}}
    if fused:
        a["fused_ops"] = {"list": {"s": [b64(f) for f in fused]}}
        a["num_args"] = {"i": "1"}
    return a


def main():
    out = sys.argv[1]
    x = rng.uniform(0, 255, (1, 10, 10, 3)).astype(np.float32)
    nodes.append({"name": "images", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}, "shape": {"shape": {"dim": [{"size": "1"}, {"size": "10"}, {"size": "10"}, {"size": "3"}]}}}})

    # stride-2 SAME conv on an odd size (the odd padding pixel goes at the end), bias + relu, float16 weights
    w1n, w1 = const("w1", rng.normal(0, 0.05, (3, 3, 3, 8)), float16=True)
    b1n, b1 = const("b1", rng.normal(0, 0.1, (8,)), float16=True)
    c1 = node("c1", "_FusedConv2D", ["images", w1n, b1n], **conv_attrs(2, "SAME", ["BiasAdd", "Relu"]))
    y1 = np.maximum(conv(x, w1, 2, "SAME") + b1, 0)                       # [1,5,5,8]

    # hard swish: x * relu6(x + 3) * (1/6), constants as scalars
    three_n, three = const("three", np.float32(3), float16=True)
    sixth_n, sixth = const("sixth", np.float32(1 / 6), float16=True)
    a = node("hs_add", "Add", [c1, three_n])
    r6 = node("hs_relu6", "Relu6", [a])
    m = node("hs_mul", "Mul", [sixth_n, c1])
    hs = node("hs", "Mul", [m, r6])
    y2 = sixth * y1 * np.clip(y1 + three, 0, 6)

    # depthwise 3x3 SAME stride 1 with bias; then squeeze-excite: mean over H,W (keep dims), sigmoid, scale
    wdn, wd = const("wd", rng.normal(0, 0.3, (3, 3, 8, 1)))
    bdn, bd = const("bd", rng.normal(0, 0.1, (8,)))
    dw = node("dw", "FusedDepthwiseConv2dNative", [hs, wdn, bdn], **conv_attrs(1, "SAME", ["BiasAdd"]))
    y3 = conv(y2, wd, 1, "SAME", depthwise=True) + bd
    axes_n, _ = const("axes", np.array([1, 2], np.int32))
    mean = node("se_mean", "Mean", [dw, axes_n], keep_dims={"b": True})
    sig = node("se_sig", "Sigmoid", [mean])
    se = node("se", "Mul", [dw, sig])
    y4 = y3 * (1 / (1 + np.exp(-y3.mean(axis=(1, 2), keepdims=True))))

    # 1x1 conv without bias (VALID), legacy bilinear x2 upsample, concat on channels, relu, max pool SAME
    wpn, wp = const("wp", rng.normal(0, 0.2, (1, 1, 8, 4)))
    pc = node("pc", "Conv2D", [se, wpn], **conv_attrs(1, "VALID"))
    y5 = conv(y4, wp, 1, "VALID")
    size_n, _ = const("size", np.array([10, 10], np.int32))
    up = node("up", "ResizeBilinear", [pc, size_n], align_corners={"b": False}, half_pixel_centers={"b": False})
    y6 = resize_bilinear_legacy(y5, 10, 10)
    dup = node("dup", "ResizeBilinear", [se, size_n], align_corners={"b": False}, half_pixel_centers={"b": False})
    y6b = resize_bilinear_legacy(y4, 10, 10)
    axis_n, _ = const("axis", np.int32(3))
    cat = node("cat", "ConcatV2", [up, dup, axis_n])
    relu = node("relu", "Relu", [cat])
    pool = node("pool", "MaxPool", [relu], ksize={"list": {"i": ["1", "3", "3", "1"]}}, strides={"list": {"i": ["1", "1", "1", "1"]}}, padding={"s": b64("SAME")}, data_format={"s": b64("NHWC")})
    y7 = max_pool_same(np.maximum(np.concatenate([y6, y6b], axis=3), 0), 3)  # [1,10,10,12]

    # TF element order matters from here: reshape, top-k, gather, strided slices, expand dims, concat
    shape_n, _ = const("shape", np.array([1, -1], np.int32))
    flat = node("flat", "Reshape", [pool, shape_n])
    k_n, _ = const("k", np.int32(5))
    topk = node("topk", "TopKV2", [flat, k_n], sorted={"b": True})
    twelve_n, _ = const("twelve", np.int32(12))
    cls = node("cls", "FloorMod", ["topk:1", twelve_n])
    pix = node("pix", "FloorDiv", ["topk:1", twelve_n])
    cast = node("cast", "Cast", [cls], DstT={"type": "DT_FLOAT"}, SrcT={"type": "DT_INT32"})
    flat_y = y7.reshape(1, -1)
    order = np.argsort(-flat_y[0], kind="stable")[:5]
    gshape_n, _ = const("gshape", np.array([-1, 12], np.int32))
    table = node("table", "Reshape", [pool, gshape_n])
    gaxis_n, _ = const("gaxis", np.int32(0))
    gathered = node("gathered", "GatherV2", [table, pix, gaxis_n], batch_dims={"i": "0"})  # [1,5,12]
    b_n, _ = const("ss_b", np.array([0, 0, 2], np.int32))
    e_n, _ = const("ss_e", np.array([0, 0, 4], np.int32))
    s_n, _ = const("ss_s", np.array([1, 1, 1], np.int32))
    sl = node("sl", "StridedSlice", [gathered, b_n, e_n, s_n], begin_mask={"i": "3"}, end_mask={"i": "3"}, ellipsis_mask={"i": "0"}, new_axis_mask={"i": "0"}, shrink_axis_mask={"i": "0"})
    ed_n, _ = const("ed", np.int32(2))
    vals = node("vals", "ExpandDims", ["topk", ed_n])
    clsf = node("clsf", "ExpandDims", [cast, ed_n])
    two_n, _ = const("two", np.int32(2))
    det = node("det", "ConcatV2", [sl, vals, clsf, two_n])  # [1,5,4]: two features, score, class
    values = flat_y[0][order]
    classes = (order % 12).astype(np.float32)
    rows = y7.reshape(-1, 12)[order // 12][:, 2:4]
    expected = np.concatenate([rows, values[:, None], classes[:, None]], axis=1)[None]
    nodes.append({"name": "detections", "op": "Identity", "input": [det], "attr": {}})

    model = {
        "format": "graph-model", "generatedBy": "make_tfjs_graph.py", "convertedBy": "hand",
        "modelTopology": {"node": nodes},
        "weightsManifest": [{"paths": ["weights.bin"], "weights": weights}],
    }
    with open(f"{out}/model.json", "w", encoding="utf-8") as f:
        json.dump(model, f)
    with open(f"{out}/weights.bin", "wb") as f:
        f.write(b"".join(blobs))
    with open(f"{out}/expected.json", "w", encoding="utf-8") as f:
        json.dump({"input": x.ravel().tolist(), "output": expected.ravel().tolist(), "shape": list(expected.shape),
                   "features": y7.ravel().tolist()}, f)


if __name__ == "__main__":
    main()
