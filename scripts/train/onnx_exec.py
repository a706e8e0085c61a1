"""A minimal ONNX graph executor on torch ops (onnx 1.12 has no reference evaluator and Python
onnxruntime is not available here). Covers exactly the ops our U-Nets use, fp32 and QDQ:
Conv, Relu, MaxPool, Resize (nearest x2), Concat, SpaceToDepth, DepthToSpace, Constant, QuantizeLinear,
DequantizeLinear. Used to calibrate activation ranges and to simulate the int8 graph.
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _axis_shape(t, x, axis):
    if t.ndim == 0 or t.numel() == 1:
        return t.reshape(())
    shape = [1] * x.ndim
    shape[axis] = -1
    return t.reshape(shape)


class Executor:
    def __init__(self, model):
        self.model = model if isinstance(model, onnx.ModelProto) else onnx.load(model)
        g = self.model.graph
        self.init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
        self.nodes = list(g.node)
        self.outputs = [o.name for o in g.output]
        self.input = g.input[0].name

    def run(self, x, keep_all=False):
        env = dict(self.init)
        env[self.input] = x if torch.is_tensor(x) else torch.from_numpy(x)
        with torch.no_grad():
            for n in self.nodes:
                ins = [env[i] if i else None for i in n.input]
                a = _attrs(n)
                op = n.op_type
                if op == "Conv":
                    w = ins[1].float()
                    b = ins[2].float() if len(ins) > 2 and ins[2] is not None else None
                    pads = a.get("pads", [0, 0, 0, 0])
                    xin = ins[0]
                    if pads[0] != pads[2] or pads[1] != pads[3]:
                        xin = F.pad(xin, (pads[1], pads[3], pads[0], pads[2]))
                        pads = [0, 0]
                    y = F.conv2d(xin, w, b, stride=a.get("strides", [1, 1]), padding=(pads[0], pads[1]),
                                 groups=a.get("group", 1), dilation=a.get("dilations", [1, 1]))
                elif op == "Relu":
                    y = F.relu(ins[0])
                elif op == "MaxPool":
                    y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]))
                elif op == "Resize":
                    scales = ins[2]
                    y = F.interpolate(ins[0], scale_factor=(float(scales[2]), float(scales[3])), mode="nearest")
                elif op == "Concat":
                    y = torch.cat(ins, a["axis"])
                elif op == "DepthToSpace":
                    bs = a["blocksize"]
                    if a.get("mode", b"DCR") in (b"CRD", "CRD"):
                        y = F.pixel_shuffle(ins[0], bs)
                    else:
                        nb, c, h, w_ = ins[0].shape
                        y = ins[0].reshape(nb, bs, bs, c // (bs * bs), h, w_).permute(0, 3, 4, 1, 5, 2)
                        y = y.reshape(nb, c // (bs * bs), h * bs, w_ * bs)
                elif op == "SpaceToDepth":
                    b = a["blocksize"]
                    nb, c, h, w_ = ins[0].shape
                    y = ins[0].reshape(nb, c, h // b, b, w_ // b, b).permute(0, 3, 5, 1, 2, 4)
                    y = y.reshape(nb, b * b * c, h // b, w_ // b)
                elif op == "Constant":
                    y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
                elif op == "QuantizeLinear":
                    s = _axis_shape(ins[1].float(), ins[0], a.get("axis", 1))
                    zp = ins[2]
                    lo, hi = (0, 255) if zp.dtype == torch.uint8 else (-128, 127)
                    z = _axis_shape(zp.float(), ins[0], a.get("axis", 1))
                    # ONNX rounds half to even, as torch.round does
                    y = torch.clamp(torch.round(ins[0] / s) + z, lo, hi)
                    y = y.to(zp.dtype)
                elif op == "DequantizeLinear":
                    xq = ins[0]
                    s = _axis_shape(ins[1].float(), xq, a.get("axis", 1))
                    z = _axis_shape(ins[2].float(), xq, a.get("axis", 1)) if len(ins) > 2 and ins[2] is not None else 0
                    y = (xq.float() - z) * s
                else:
                    raise NotImplementedError(op)
                env[n.output[0]] = y
        if keep_all:
            return env
        return [env[o] for o in self.outputs]
