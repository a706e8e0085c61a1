"""Export a trained UNet to ONNX (opset 17, eval mode so BN folds into Conv, dynamic H/W).

Input ``input`` [1,3,H,W] float32 = (rgb/255 - mean)/std (see NORMALIZE); output ``logits`` [1,C,H,W].
"""
import io
import warnings

import onnx
import torch

NORMALIZE = {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}


def export(model, path, opset=17):
    model = model.eval()
    x = torch.zeros(1, 3, 64, 64)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, buf, opset_version=opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {2: "height", 3: "width"}, "logits": {2: "height", 3: "width"}},
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load_from_string(buf.getvalue())
    m.producer_name = "edgeseg scripts/train"
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


if __name__ == "__main__":
    import sys
    from model import build
    torch.manual_seed(0)
    m = build(sys.argv[1])
    # give BN realistic statistics so the folded weights look like trained ones
    m.train()
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(2, 3, 64, 64))
    g = export(m, sys.argv[2]).graph
    print([n.op_type for n in g.node])
