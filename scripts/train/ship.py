"""Export a trained checkpoint to models/<name>-fp32.onnx, quantize it to models/<name>-int8.onnx and
write both sidecar JSONs.

  /usr/bin/python3 scripts/train/ship.py --ckpt /tmp/run/last.pt --name defect-unet [--log /tmp/run/log.json]

Calibration: min/max over 64 generator frames (240x320, training distribution, seed 7: procedural and
REAL_TRAIN textures, with and without defects, under the same lighting/contrast/noise augmentation).
"""
import argparse
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(__file__))
from data import dataset  # noqa: E402
from export import NORMALIZE, export  # noqa: E402
from model import UNet  # noqa: E402
from onnx_exec import Executor  # noqa: E402
from quantize_qdq import quantize  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

BINARY_CLASSES = [{"name": "background", "color": [0, 0, 0]}, {"name": "defect", "color": [255, 40, 40]}]
MULTI_CLASSES = [{"name": "background", "color": [0, 0, 0]}, {"name": "scratch", "color": [255, 40, 40]},
                 {"name": "spot", "color": [40, 120, 255]}, {"name": "crack", "color": [255, 200, 0]}]


def calib_frames(multiple_of, n=64, seed=7):
    h = -(-240 // multiple_of) * multiple_of  # 240 rows, rounded up to what the model accepts
    X, _, _, _ = dataset(seed, n, h, 320, "train", p_clean=0.25)
    x = torch.from_numpy(X).permute(0, 3, 1, 2).float() / 255.0
    x = (x - torch.tensor(NORMALIZE["mean"]).view(1, 3, 1, 1)) / torch.tensor(NORMALIZE["std"]).view(1, 3, 1, 1)
    return [x[i:i + 1] for i in range(n)]


def sidecar(name, model, quant, train_info):
    multi = model.out_ch > 1
    return {
        "name": name, "version": "1.0.0", "task": "multiclass" if multi else "binary",
        "input": {"name": "input", "dtype": "float32", "layout": "nchw", "channels": 3, "colorOrder": "rgb",
                  "size": None, "multipleOf": model.multiple_of, "normalize": copy.deepcopy(NORMALIZE)},
        "output": {"name": "logits", "kind": "logits", "channels": model.out_ch,
                   "classes": MULTI_CLASSES if multi else BINARY_CLASSES},
        "threshold": 0.5,
        "inference": {"tile": {"size": 256, "overlap": 32}, "nativeResolution": True},
        "quantization": {"format": "QDQ", "weights": "int8 per-channel symmetric",
                         "activations": "uint8 per-tensor asymmetric",
                         "calibration": "min/max over 64 frames"} if quant else None,
        "training": train_info,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--name", default="defect-unet")
    ap.add_argument("--log")
    ap.add_argument("--outdir", default=os.path.join(ROOT, "models"))
    a = ap.parse_args()
    ck = torch.load(a.ckpt)
    model = UNet(**ck["cfg"])
    model.load_state_dict(ck["state"])
    model.eval()
    os.makedirs(a.outdir, exist_ok=True)
    fp = os.path.join(a.outdir, f"{a.name}-fp32.onnx")
    q8 = os.path.join(a.outdir, f"{a.name}-int8.onnx")
    export(model, fp)
    frames = calib_frames(model.multiple_of)
    q = quantize(onnx.load(fp), frames)
    onnx.save(q, q8)
    # torch-simulated QDQ vs fp32 agreement on the calibration-free frames (a quick sanity gate)
    ex, exq = Executor(fp), Executor(q)
    agree = []
    for x in calib_frames(model.multiple_of, 8, seed=11):
        a_, b_ = ex.run(x)[0], exq.run(x)[0]
        if a_.shape[1] == 1:
            pa, pb = a_ > 0, b_ > 0
        else:
            pa, pb = a_.argmax(1) > 0, b_.argmax(1) > 0
        agree.append((2 * float((pa & pb).sum()) + 1) / (float(pa.sum() + pb.sum()) + 1))
    print(f"simulated int8 vs fp32 mask Dice: {np.mean(agree):.4f}")
    log = json.load(open(a.log)) if a.log else {"args": {}, "log": []}
    args = log["args"]
    final = log["log"][-1] if log["log"] else {}
    multi = model.out_ch > 1
    crops_per_step = args.get("batch", 0) * args.get("procs", 1)  # every data-parallel process draws its own batch
    info = {"script": "scripts/train/train.py", "seed": args.get("seed", 0),
            "data": "scripts/train/data.py: procedural surfaces (wood, metal, fabric, paper, stone, plastic, circuit), "
                    "real texture photos (GIMP patterns from Debian gimp-data, scikit-image brick/grass) and game "
                    "texture photographs (Debian ufoai-textures, openarena-081-textures: scripts/train/textures.txt), "
                    "painted scratches/cracks/spots/stains/pits with exact masks; textures in data.REAL_HELDOUT and "
                    f"data.GAME_HELDOUT never trained on; {args.get('pool', 0)} crops of {args.get('crop', 0)} px "
                    f"({round(100 * args.get('clean', 0.15))}% defect-free), flips/rot90/lighting/contrast/noise/blur",
            "arch": ck.get("arch", ""), "config": ck["cfg"],
            "steps": ck.get("step", 0), "batch": crops_per_step,
            "epochs": round(ck.get("step", 0) * crops_per_step / max(1, args.get("pool", 1)), 1),
            "minutes": final.get("min", 0),
            "recipe": {"processes": args.get("procs", 1), "lr": args.get("lr", 0), "bf16": args.get("bf16", False),
                       "ema": args.get("ema", 0.0), "deepSupervision": args.get("deep_sup", 0.0),
                       "continuedFrom": os.path.basename(os.path.dirname(args["init"])) if args.get("init") else None},
            "loss": "cross-entropy + soft Dice (defect classes)" if multi else "BCE + soft Dice",
            # only what was measured: evaluate.py --update-sidecar adds recall and false alarms (binary models)
            "metrics": {**({} if multi else {"valDice": round(final.get("val_dice", 0.0), 4),
                                             "realHeldOutDice": round(final.get("real_heldout_dice", 0.0), 4)}),
                        "evaluatedWith": "train.py log (torch fp32); run scripts/train/evaluate.py --update-sidecar"}}
    for path, quant in ((fp, False), (q8, True)):
        sc = sidecar(a.name, model, quant, info)
        with open(path[:-5] + ".json", "w") as f:
            json.dump(sc, f, indent=2)
            f.write("\n")
    print("wrote", fp, q8, os.path.getsize(fp), os.path.getsize(q8))


if __name__ == "__main__":
    main()
