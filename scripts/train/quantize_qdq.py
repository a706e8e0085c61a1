"""Static QDQ int8 quantization on the onnx API only (no onnxruntime Python here).

- weights: int8, per-channel (axis 0) symmetric, scale = max|w_c| / 127, zero point 0;
- bias: int32 with scale s_x * s_w[c], zero point 0, axis 0 (what ORT's QLinearConv fusion wants);
- activations: uint8 per-tensor asymmetric, min/max calibrated over the given frames;
- ReLU folded into its Conv's output Q range [0, max] (uint8 saturation is the ReLU);
- MaxPool and Resize outputs reuse their input's scale and zero point (so ORT runs them in int8);
- Concat gets its own output range (fused by ORT into com.microsoft QLinearConcat);
- the first conv's input (graph input or its float SpaceToDepth) gets one Q/DQ; the last conv (head) output is dequantized and whatever follows
  (DepthToSpace) runs in float on the small logits tensor.

Usage: quantize(fp32_model, calib_batches) -> int8 ModelProto.
"""
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from onnx_exec import Executor


def calibrate(model, frames):
    """min/max of every tensor over the calibration frames (each [1,3,H,W] float32)."""
    ex = Executor(model)
    rng = {}
    for x in frames:
        env = ex.run(torch.as_tensor(x), keep_all=True)
        for k, v in env.items():
            if k in ex.init or not torch.is_tensor(v) or not v.is_floating_point():
                continue
            lo, hi = float(v.min()), float(v.max())
            if k in rng:
                rng[k] = (min(rng[k][0], lo), max(rng[k][1], hi))
            else:
                rng[k] = (lo, hi)
    return rng


def _uint8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def quantize(model, frames):
    model = onnx.load(model) if isinstance(model, str) else model
    rng = calibrate(model, frames)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    producer = {o: n for n in g.node for o in n.output}

    new_inits = [t for t in g.initializer]
    removed_inits = set()
    nodes = []
    qparams = {}  # float tensor name -> (scale, zp) of the quantized version that feeds it through DQ
    graph_outputs = {o.name for o in g.output}

    def add_const(name, arr):
        new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def add_qdq(src, dst, scale, zp):
        """src (float) -> Q -> DQ -> dst (float)."""
        s = add_const(dst + "_scale", np.array(scale, np.float32))
        z = add_const(dst + "_zp", np.array(zp, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", [src, s, z], [dst + "_q"], name=dst + "_Q"))
        nodes.append(helper.make_node("DequantizeLinear", [dst + "_q", s, z], [dst], name=dst + "_DQ"))
        qparams[dst] = (np.float32(scale), np.uint8(zp))

    rename = {}

    skip = set()
    for n in g.node:
        if n.name in skip:
            continue
        ins = [rename.get(i, i) for i in n.input]
        if n.op_type == "Conv":
            x = ins[0]
            if x not in qparams:
                # the first conv's input (the graph input, or its SpaceToDepth): quantize it once
                s, z = _uint8_params(*rng[x])
                add_qdq(x, x + "_dq", s, z)
                rename[x] = x + "_dq"
                x = x + "_dq"
            sx = qparams[x][0]
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
            sw = np.abs(w.reshape(w.shape[0], -1)).max(1) / 127.0
            sw = np.where(sw == 0, 1e-8, sw).astype(np.float32)
            wq = np.clip(np.round(w / sw.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
            wn = n.input[1]
            removed_inits.add(wn)
            add_const(wn + "_int8", wq)
            add_const(wn + "_scale", sw)
            add_const(wn + "_zp", np.zeros(w.shape[0], np.int8))
            nodes.append(helper.make_node("DequantizeLinear", [wn + "_int8", wn + "_scale", wn + "_zp"], [wn + "_dq"],
                                          name=wn + "_DQ", axis=0))
            conv_in = [x, wn + "_dq"]
            if len(n.input) > 2 and n.input[2]:
                bn = n.input[2]
                b = numpy_helper.to_array(inits[bn]).astype(np.float64)
                bs = (sx * sw).astype(np.float32)
                bq = np.round(b / bs).astype(np.int32)
                removed_inits.add(bn)
                add_const(bn + "_int32", bq)
                add_const(bn + "_scale", bs)
                add_const(bn + "_zp", np.zeros(w.shape[0], np.int32))
                nodes.append(helper.make_node("DequantizeLinear", [bn + "_int32", bn + "_scale", bn + "_zp"],
                                              [bn + "_dq"], name=bn + "_DQ", axis=0))
                conv_in.append(bn + "_dq")
            out = n.output[0]
            cons = consumers.get(out, [])
            raw = out + "_raw"
            nodes.append(helper.make_node("Conv", conv_in, [raw], name=n.name, **{
                a.name: helper.get_attribute_value(a) for a in n.attribute}))
            if len(cons) == 1 and cons[0].op_type == "Relu" and out not in graph_outputs:
                relu = cons[0]
                skip.add(relu.name)
                s, z = _uint8_params(0.0, rng[relu.output[0]][1])
                add_qdq(raw, relu.output[0], s, z)
            else:
                s, z = _uint8_params(*rng[out])
                add_qdq(raw, out, s, z)
        elif n.op_type in ("MaxPool", "Resize"):
            x = ins[0]
            s, z = qparams[x]
            raw = n.output[0] + "_raw"
            nodes.append(helper.make_node(n.op_type, ins, [raw], name=n.name, **{
                a.name: helper.get_attribute_value(a) for a in n.attribute}))
            add_qdq(raw, n.output[0], s, z)
        elif n.op_type == "Concat":
            raw = n.output[0] + "_raw"
            nodes.append(helper.make_node("Concat", ins, [raw], name=n.name, **{
                a.name: helper.get_attribute_value(a) for a in n.attribute}))
            s, z = _uint8_params(*rng[n.output[0]])
            add_qdq(raw, n.output[0], s, z)
        elif n.op_type in ("Constant", "DepthToSpace", "SpaceToDepth"):
            nn_ = helper.make_node(n.op_type, ins, list(n.output), name=n.name, **{
                a.name: helper.get_attribute_value(a) for a in n.attribute})
            nodes.append(nn_)
        else:
            raise NotImplementedError(n.op_type)

    out_model = helper.make_model(
        helper.make_graph(nodes, g.name + "_int8", list(g.input), list(g.output),
                          [t for t in new_inits if t.name not in removed_inits]),
        opset_imports=list(model.opset_import), producer_name="edgeseg quantize_qdq.py")
    out_model.ir_version = model.ir_version
    onnx.checker.check_model(out_model)
    return out_model


if __name__ == "__main__":
    import sys
    m = onnx.load(sys.argv[1])
    rs = np.random.RandomState(0)
    frames = [rs.randn(1, 3, 64, 64).astype(np.float32) for _ in range(8)]
    q = quantize(m, frames)
    onnx.save(q, sys.argv[2])
    ex, exq = Executor(m), Executor(q)
    x = torch.from_numpy(rs.randn(1, 3, 96, 128).astype(np.float32))
    a, b = ex.run(x)[0], exq.run(x)[0]
    print("max|fp32-int8|", float((a - b).abs().max()), "range", float(a.min()), float(a.max()))
