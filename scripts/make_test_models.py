#!/usr/bin/python3
"""Writes the tiny ONNX models (and their sidecars) that test the Segmenter's pre/postprocessing.

Each model computes something whose output the tests can predict exactly from the input pixels:
  pointwise   logits = x_R, where x = (p/255 - 0.5) / 0.25 (so mask = R > 127.5); dynamic H/W
  box3        logits = 3x3 box mean of x_R (zero padding): shows tile border effects; dynamic H/W
  fixed32     pointwise, but a static 1x3x32x32 input (tiling / resizing path)
  threeclass  logits_c = 4 * x_c for c = 0..2 (softmax/argmax = the largest channel); dynamic H/W
  nan         logits = sqrt(x_R): NaN wherever R < 127.5; dynamic H/W
  renamed     pointwise with input "image" and output "scores" (sidecar mismatch tests)
  uint8in     uint8 input (Cast -> float inside the graph), logits = (q_R - 128) / 32; dynamic H/W
  int8in      int8 input, logits = q_R / 32; dynamic H/W
Run once with Debian's python (torch 1.13, onnx 1.12): /usr/bin/python3 scripts/make_test_models.py
Output: test/fixtures/models/<name>.onnx + <name>.json (a few hundred bytes each).
"""
import json
import os

import onnx
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "models")
NORM = {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
BINARY = [{"name": "background", "color": [0, 0, 0]}, {"name": "defect", "color": [255, 40, 40]}]
THREE = [
    {"name": "background", "color": [0, 0, 0]},
    {"name": "green", "color": [0, 255, 0]},
    {"name": "blue", "color": [0, 0, 255]},
]


class Conv(nn.Module):
    """A fixed convolution (weights set by hand) with an optional elementwise tail."""

    def __init__(self, cin, cout, k, weight, bias=None, tail=None, cast=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=True)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor(weight, dtype=torch.float32).reshape(cout, cin, k, k))
            self.conv.bias.copy_(torch.tensor(bias if bias is not None else [0.0] * cout, dtype=torch.float32))
        self.tail = tail
        self.cast = cast

    def forward(self, x):
        if self.cast:
            x = x.to(torch.float32)
        y = self.conv(x)
        if self.tail == "sqrt":
            y = torch.sqrt(y)
        return y


def export(name, model, input_name="input", output_name="logits", size=None, dtype=torch.float32, cin=3):
    h, w = size or (16, 16)
    dummy = torch.zeros(1, cin, h, w, dtype=dtype)
    dyn = None if size else {input_name: {2: "height", 3: "width"}, output_name: {2: "height", 3: "width"}}
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model.eval(), dummy, path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    m = onnx.load(path)
    m.producer_name = "edgeseg scripts/make_test_models.py"
    m.doc_string = ""
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return path


def sidecar(name, *, input_name="input", output_name="logits", channels_out=1, kind="logits", classes=BINARY,
            size=None, multiple_of=8, dtype="float32", quant=None, tile=None, threshold=0.5):
    doc = {
        "name": name,
        "version": "0.0.1",
        "task": "binary" if channels_out == 1 else "multiclass",
        "input": {"name": input_name, "dtype": dtype, "layout": "nchw", "channels": 3, "colorOrder": "rgb",
                  "size": size, "multipleOf": multiple_of, "normalize": NORM},
        "output": {"name": output_name, "kind": kind, "channels": channels_out, "classes": classes},
        "threshold": threshold,
        "inference": {"tile": tile, "nativeResolution": size is None},
        "training": {"script": "scripts/make_test_models.py", "note": "hand-set weights, not trained"},
    }
    if quant:
        doc["input"]["quantization"] = quant
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    r_only = [1.0, 0.0, 0.0]
    export("pointwise", Conv(3, 1, 1, r_only))
    sidecar("pointwise", tile={"size": 64, "overlap": 16})

    box = [[1 / 9.0] * 9, [0.0] * 9, [0.0] * 9]
    export("box3", Conv(3, 1, 3, box))
    sidecar("box3", tile={"size": 64, "overlap": 16})

    export("fixed32", Conv(3, 1, 1, r_only), size=(32, 32))
    sidecar("fixed32", size=[32, 32], tile={"size": 32, "overlap": 8})

    eye4 = [4.0, 0, 0, 0, 4.0, 0, 0, 0, 4.0]
    export("threeclass", Conv(3, 3, 1, eye4))
    sidecar("threeclass", channels_out=3, classes=THREE, tile={"size": 64, "overlap": 16})

    export("nan", Conv(3, 1, 1, r_only, tail="sqrt"))
    sidecar("nan")

    export("renamed", Conv(3, 1, 1, r_only), input_name="image", output_name="scores")
    sidecar("renamed", input_name="image", output_name="scores")

    # uint8 input: the graph sees q = round(x / scale) + zp with x normalized as above; scale 1/32,
    # zp 128 -> logits = (q_R - 128) / 32 = x_R (up to rounding).
    export("uint8in", Conv(3, 1, 1, [1 / 32.0, 0, 0], bias=[-4.0], cast=True), dtype=torch.uint8)
    sidecar("uint8in", dtype="uint8", quant={"scale": 1 / 32.0, "zeroPoint": 128})

    # int8 input, zero point 0: q = round(32 x) saturated to [-128, 127] -> logits = q / 32.
    export("int8in", Conv(3, 1, 1, [1 / 32.0, 0, 0], cast=True), dtype=torch.int8)
    sidecar("int8in", dtype="int8", quant={"scale": 1 / 32.0, "zeroPoint": 0})

    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
