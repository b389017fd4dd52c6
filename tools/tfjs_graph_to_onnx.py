#!/usr/bin/python3
"""Converts a TensorFlow.js graph model (model.json + weight shards) to ONNX, with Debian's
python3-onnx and python3-numpy only. Written for @vladmandic/human's CenterNet (MobileNetV3
backbone, tools/setup.d/20-person-model.sh) and the ~26 op types such graphs use; an op it
does not know is an error naming the op, never a silent skip.

Layout: TF graphs are NHWC; ONNX convolutions are NCHW. The input is transposed to NCHW once,
every 4-D feature map then stays NCHW (axes of Mean/Concat remapped, per-channel constants
reshaped), and a tensor is transposed back to NHWC only where a layout-sensitive op
(Reshape, StridedSlice, a graph output) needs TF's element order.

usage: tfjs_graph_to_onnx.py MODEL_JSON OUT_ONNX --input NAME=ONNX_NAME --output NAME=ONNX_NAME
"""
import argparse
import base64
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]
AXIS_NHWC_TO_NCHW = {0: 0, 1: 2, 2: 3, 3: 1}
TF_TYPES = {"DT_FLOAT": TensorProto.FLOAT, "DT_INT32": TensorProto.INT32, "DT_BOOL": TensorProto.BOOL, "DT_INT64": TensorProto.INT64}
NP_TYPES = {"float32": np.float32, "int32": np.int32, "float16": np.float16, "int64": np.int64}


class ConversionError(Exception):
    pass


def load_weights(model_json, directory):
    """The weight manifest names every constant; shards are concatenated in manifest order."""
    weights = {}
    for group in model_json["weightsManifest"]:
        blob = b"".join(open(os.path.join(directory, p), "rb").read() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            shape = entry["shape"]
            count = int(np.prod(shape)) if shape else 1
            quant = entry.get("quantization")
            if quant is None:
                dtype = np.dtype(NP_TYPES[entry["dtype"]])
                values = np.frombuffer(blob, dtype, count, offset)
            elif quant["dtype"] == "float16":
                dtype = np.dtype(np.float16)
                values = np.frombuffer(blob, dtype, count, offset).astype(np.float32)
            else:
                raise ConversionError(f"weight {entry['name']}: quantization {quant['dtype']} is not supported")
            offset += count * dtype.itemsize
            weights[entry["name"]] = values.reshape(shape).astype(NP_TYPES[entry["dtype"]])
        if offset != len(blob):
            raise ConversionError(f"weights: read {offset} bytes of {len(blob)}")
    return weights


def attr(node, name, default=None):
    a = node.get("attr", {}).get(name)
    if a is None:
        return default
    if "list" in a:
        lst = a["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        return []
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "i" in a:
        return int(a["i"])
    if "b" in a:
        return bool(a["b"])
    if "f" in a:
        return float(a["f"])
    if "type" in a:
        return a["type"]
    return a


class Converter:
    def __init__(self, model_json, weights, input_names, output_names):
        self.nodes = model_json["modelTopology"]["node"]
        self.weights = weights
        self.input_names = input_names
        self.output_names = output_names
        self.onnx_nodes = []
        self.initializers = {}
        self.consts = {}      # TF name -> numpy value (folded constants)
        self.nchw = set()     # ONNX tensor names whose 4-D layout is NCHW
        self.names = {}       # TF tensor ref -> ONNX tensor name
        self.counter = 0
        self.inputs = []

    # --- helpers -------------------------------------------------------------------------
    def fresh(self, base):
        self.counter += 1
        return f"{base}__{self.counter}"

    def const(self, value, base):
        name = self.fresh(base)
        self.initializers[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    def emit(self, op, inputs, outputs, **attrs):
        self.onnx_nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0], **attrs))

    def ref(self, tf_ref):
        name = tf_ref.lstrip("^")
        if ":" not in name:
            name += ":0"
        return name

    def value(self, tf_ref):
        """A constant input's numpy value (or None)."""
        base, _, idx = self.ref(tf_ref).rpartition(":")
        return self.consts.get(base) if idx == "0" else None

    def tensor(self, tf_ref, want_nchw_for=None):
        """The ONNX name for a TF tensor; constants become initializers laid out for their consumer."""
        r = self.ref(tf_ref)
        base = r.rpartition(":")[0]
        if base in self.consts and r not in self.names:
            v = self.consts[base]
            if want_nchw_for and v.ndim == 4:
                v = v.transpose(NHWC_TO_NCHW)
            elif want_nchw_for and v.ndim == 1 and v.size > 1:
                v = v.reshape(-1, 1, 1)
            return self.const(v, base)
        if r not in self.names:
            raise ConversionError(f"tensor {r} is used before it is produced")
        return self.names[r]

    def as_nhwc(self, name):
        """TF element order: transpose an NCHW map back (for Reshape, slices, outputs)."""
        if name not in self.nchw:
            return name
        out = self.fresh(name + "_nhwc")
        self.emit("Transpose", [name], [out], perm=NCHW_TO_NHWC)
        return out

    def define(self, node, onnx_name, index=0, nchw=False):
        self.names[f"{node['name']}:{index}"] = onnx_name
        if nchw:
            self.nchw.add(onnx_name)

    # --- ops -----------------------------------------------------------------------------
    def conv(self, node, depthwise):
        x = self.tensor(node["input"][0])
        w = self.value(node["input"][1])
        if w is None:
            raise ConversionError(f"{node['name']}: filter is not a constant")
        fmt = attr(node, "data_format", "NHWC")
        if fmt != "NHWC":
            raise ConversionError(f"{node['name']}: data_format {fmt} is not supported")
        strides = attr(node, "strides", [1, 1, 1, 1])[1:3]
        dilations = attr(node, "dilations", [1, 1, 1, 1])[1:3]
        padding = attr(node, "padding")
        kh, kw = w.shape[0], w.shape[1]
        if depthwise:
            c, m = w.shape[2], w.shape[3]
            weight = w.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
            group = int(c)
        else:
            weight = w.transpose(3, 2, 0, 1)
            group = 1
        inputs = [x, self.const(weight.astype(np.float32), node["name"] + "_W")]
        fused = attr(node, "fused_ops", []) or []
        post = []
        if fused:
            if fused[0] != "BiasAdd":
                raise ConversionError(f"{node['name']}: fused ops {fused} are not supported")
            b = self.value(node["input"][2])
            inputs.append(self.const(b.astype(np.float32), node["name"] + "_B"))
            post = fused[1:]
        kwargs = {"strides": strides, "dilations": dilations, "kernel_shape": [int(kh), int(kw)], "group": group}
        if padding == "SAME":
            kwargs["auto_pad"] = "SAME_UPPER"  # TF puts the odd padding pixel at the end, as SAME_UPPER does
        elif padding != "VALID":
            raise ConversionError(f"{node['name']}: padding {padding} is not supported")
        out = self.fresh(node["name"])
        self.emit("Conv", inputs, [out], **kwargs)
        for op in post:
            out = self.activation(op, out, node["name"])
        self.define(node, out, nchw=True)

    def activation(self, op, x, base):
        out = self.fresh(base + "_" + op)
        if op == "Relu":
            self.emit("Relu", [x], [out])
        elif op == "Relu6":
            self.emit("Clip", [x, self.const(np.float32(0), "zero"), self.const(np.float32(6), "six")], [out])
        elif op == "Sigmoid":
            self.emit("Sigmoid", [x], [out])
        else:
            raise ConversionError(f"{base}: fused activation {op} is not supported")
        if x in self.nchw:
            self.nchw.add(out)
        return out

    def binary(self, node, op):
        refs = node["input"][:2]
        live = [self.ref(r) in self.names for r in refs]
        names = [self.names.get(self.ref(r)) for r in refs]
        layout = any(n in self.nchw for n in names if n)
        if not any(live):
            raise ConversionError(f"{node['name']}: both operands are constants (fold them first)")
        operands = [self.tensor(r, want_nchw_for=layout) for r in refs]
        out = self.fresh(node["name"])
        self.emit(op, operands, [out])
        self.define(node, out, nchw=layout)

    def convert_node(self, node):
        op = node["op"]
        name = node["name"]
        if op == "Const":
            if name not in self.weights:
                raise ConversionError(f"constant {name} has no weights")
            self.consts[name] = self.weights[name]
        elif op == "Placeholder":
            onnx_name = self.input_names.get(name, name)
            dims = [int(d["size"]) for d in attr(node, "shape")["shape"]["dim"]]
            self.inputs.append(helper.make_tensor_value_info(onnx_name, TF_TYPES[attr(node, "dtype")], dims))
            if len(dims) == 4:
                out = self.fresh(name + "_nchw")
                self.emit("Transpose", [onnx_name], [out], perm=NHWC_TO_NCHW)
                self.define(node, out, nchw=True)
            else:
                self.define(node, onnx_name)
        elif op in ("_FusedConv2D", "Conv2D"):
            self.conv(node, depthwise=False)
        elif op in ("FusedDepthwiseConv2dNative", "DepthwiseConv2dNative"):
            self.conv(node, depthwise=True)
        elif op in ("Add", "AddV2", "BiasAdd"):
            self.binary(node, "Add")
        elif op == "Mul":
            self.binary(node, "Mul")
        elif op == "Sub":
            self.binary(node, "Sub")
        elif op == "Equal":
            self.binary(node, "Equal")
        elif op in ("FloorDiv", "FloorMod"):
            # Integer Div truncates; both are the floor forms for the non-negative indices these graphs use.
            self.binary(node, "Div" if op == "FloorDiv" else "Mod")
        elif op in ("Relu", "Relu6", "Sigmoid"):
            self.define(node, self.activation(op, self.tensor(node["input"][0]), name), nchw=False)
            out = self.names[f"{name}:0"]
            if self.tensor(node["input"][0]) in self.nchw:
                self.nchw.add(out)
        elif op == "Identity":
            x = self.tensor(node["input"][0])
            self.define(node, x, nchw=x in self.nchw)
        elif op == "Cast":
            x = self.tensor(node["input"][0])
            out = self.fresh(name)
            self.emit("Cast", [x], [out], to=TF_TYPES[attr(node, "DstT")])
            self.define(node, out, nchw=x in self.nchw)
        elif op == "Mean":
            x = self.tensor(node["input"][0])
            axes = [int(a) for a in np.atleast_1d(self.value(node["input"][1]))]
            if x in self.nchw:
                axes = [AXIS_NHWC_TO_NCHW[a] for a in axes]
            keep = attr(node, "keep_dims", False)
            out = self.fresh(name)
            self.emit("ReduceMean", [x], [out], axes=axes, keepdims=1 if keep else 0)
            self.define(node, out, nchw=(x in self.nchw and keep))
        elif op == "ConcatV2":
            refs = node["input"][:-1]
            axis = int(self.value(node["input"][-1]))
            xs = [self.tensor(r) for r in refs]
            layout = all(x in self.nchw for x in xs)
            if not layout:
                xs = [self.as_nhwc(x) for x in xs]
            elif axis >= 0:
                axis = AXIS_NHWC_TO_NCHW[axis]
            out = self.fresh(name)
            self.emit("Concat", xs, [out], axis=axis)
            self.define(node, out, nchw=layout)
        elif op == "ResizeBilinear":
            x = self.tensor(node["input"][0])
            if x not in self.nchw:
                raise ConversionError(f"{name}: input is not a feature map")
            if attr(node, "align_corners", False) or attr(node, "half_pixel_centers", False):
                raise ConversionError(f"{name}: only align_corners=false, half_pixel_centers=false is supported")
            hw = self.value(node["input"][1]).astype(np.int64)
            shape = self.fresh(name + "_shape")
            self.emit("Shape", [x], [shape])
            nc = self.fresh(name + "_nc")
            self.emit("Slice", [shape, self.const(np.array([0], np.int64), "s0"), self.const(np.array([2], np.int64), "s2")], [nc])
            sizes = self.fresh(name + "_sizes")
            self.emit("Concat", [nc, self.const(hw, name + "_hw")], [sizes], axis=0)
            out = self.fresh(name)
            # TF's legacy resize (neither flag) maps output x to input x * in/out: ONNX "asymmetric".
            self.emit("Resize", [x, "", "", sizes], [out], mode="linear", coordinate_transformation_mode="asymmetric")
            self.define(node, out, nchw=True)
        elif op == "MaxPool":
            x = self.tensor(node["input"][0])
            k = attr(node, "ksize")[1:3]
            s = attr(node, "strides")[1:3]
            pad = attr(node, "padding")
            out = self.fresh(name)
            kwargs = {"kernel_shape": k, "strides": s}
            if pad == "SAME":
                kwargs["auto_pad"] = "SAME_UPPER"
            self.emit("MaxPool", [x], [out], **kwargs)
            self.define(node, out, nchw=True)
        elif op == "Reshape":
            x = self.as_nhwc(self.tensor(node["input"][0]))
            shape = self.value(node["input"][1]).astype(np.int64)
            out = self.fresh(name)
            self.emit("Reshape", [x, self.const(shape, name + "_shape")], [out])
            self.define(node, out)
        elif op == "ExpandDims":
            x = self.as_nhwc(self.tensor(node["input"][0]))
            axis = np.atleast_1d(self.value(node["input"][1])).astype(np.int64)
            out = self.fresh(name)
            self.emit("Unsqueeze", [x, self.const(axis, name + "_axes")], [out])
            self.define(node, out)
        elif op == "TopKV2":
            x = self.as_nhwc(self.tensor(node["input"][0]))
            k = np.array([int(self.value(node["input"][1]))], np.int64)
            values, indices, indices32 = self.fresh(name + "_values"), self.fresh(name + "_indices"), self.fresh(name + "_indices32")
            self.emit("TopK", [x, self.const(k, name + "_k")], [values, indices], axis=-1, largest=1, sorted=1)
            self.emit("Cast", [indices], [indices32], to=TensorProto.INT32)  # TF's TopK indices are int32
            self.define(node, values, 0)
            self.define(node, indices32, 1)
        elif op == "GatherV2":
            x = self.as_nhwc(self.tensor(node["input"][0]))
            idx = self.tensor(node["input"][1])
            axis = int(self.value(node["input"][2]))
            if attr(node, "batch_dims", 0):
                raise ConversionError(f"{name}: batch_dims is not supported")
            out = self.fresh(name)
            self.emit("Gather", [x, idx], [out], axis=axis)
            self.define(node, out)
        elif op == "StridedSlice":
            self.strided_slice(node)
        else:
            raise ConversionError(f"{name}: TF op {op} is not supported")

    def strided_slice(self, node):
        name = node["name"]
        x = self.as_nhwc(self.tensor(node["input"][0]))
        begin, end, strides = (self.value(r).astype(np.int64) for r in node["input"][1:4])
        for mask in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask"):
            if attr(node, mask, 0):
                raise ConversionError(f"{name}: {mask} is not supported")
        begin_mask, end_mask = attr(node, "begin_mask", 0), attr(node, "end_mask", 0)
        starts, ends, axes, steps = [], [], [], []
        big = np.iinfo(np.int64).max
        for i in range(len(begin)):
            if (begin_mask >> i) & 1 and (end_mask >> i) & 1 and strides[i] == 1:
                continue
            starts.append(0 if (begin_mask >> i) & 1 else begin[i])
            ends.append(big if (end_mask >> i) & 1 else end[i])
            axes.append(i)
            steps.append(strides[i])
        out = self.fresh(name)
        c = lambda v, n: self.const(np.array(v, np.int64), name + n)
        self.emit("Slice", [x, c(starts, "_starts"), c(ends, "_ends"), c(axes, "_axes"), c(steps, "_steps")], [out])
        self.define(node, out)

    def convert(self):
        for node in self.nodes:
            self.convert_node(node)
        outputs = []
        for tf_name, onnx_name in self.output_names.items():
            t = self.as_nhwc(self.tensor(tf_name))
            self.emit("Identity", [t], [onnx_name])
            outputs.append(helper.make_tensor_value_info(onnx_name, TensorProto.FLOAT, None))
        used = {i for n in self.onnx_nodes for i in n.input}
        inits = [v for k, v in self.initializers.items() if k in used]
        graph = helper.make_graph(self.onnx_nodes, "converted", self.inputs, outputs, inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="edge-gateway tfjs_graph_to_onnx")
        model.ir_version = 7
        return prune(model)


def prune(model):
    """Drops nodes that no output depends on (e.g. the heads of outputs that were not asked for)."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    keep = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(i for i in node.input if i)
    keep.reverse()
    del graph.node[:]
    graph.node.extend(keep)
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    return model


def pairs(values):
    result = {}
    for v in values:
        tf_name, _, onnx_name = v.partition("=")
        result[tf_name] = onnx_name or tf_name
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_json")
    p.add_argument("out_onnx")
    p.add_argument("--input", action="append", default=[], help="TF_NAME=ONNX_NAME")
    p.add_argument("--output", action="append", required=True, help="TF_NAME=ONNX_NAME")
    args = p.parse_args()
    with open(args.model_json, encoding="utf-8") as f:
        model_json = json.load(f)
    if model_json.get("format") != "graph-model":
        raise ConversionError(f"{args.model_json}: format {model_json.get('format')!r} is not a TF.js graph model")
    weights = load_weights(model_json, os.path.dirname(os.path.abspath(args.model_json)))
    model = Converter(model_json, weights, pairs(args.input), pairs(args.output)).convert()
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    onnx.save(model, args.out_onnx)


if __name__ == "__main__":
    try:
        main()
    except ConversionError as e:
        print(f"tfjs_graph_to_onnx: {e}", file=sys.stderr)
        sys.exit(1)
