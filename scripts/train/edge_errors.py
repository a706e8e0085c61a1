"""Where a checkpoint's errors lie on gen-val: at defect edges, in missed defects, or in false blobs.

  /usr/bin/python3 scripts/train/edge_errors.py /tmp/run/last.pt

Torch fp32 on the evaluate.py gen-val set. Missed pixels are split into defects missed entirely (8-connected
ground-truth components without one predicted pixel), the 1-px boundary of found defects (outside the 3x3
erosion) and their inside; a false pixel is an edge error when it touches a defect (inside its 3x3 dilation).
Prints the counts, the Dice that forgiving edge errors would give, and Dice over a few logit thresholds (to
tell an edge-placement limit from a threshold bias). This is what showed that 58% of the session-4 model's
error pixels were on the edges of defects it had found (models/README.md, "Session 5").
"""
import argparse
import os
import sys

import numpy as np
import torch
from scipy import ndimage

sys.path.insert(0, os.path.dirname(__file__))
from evaluate import get_set  # noqa: E402
from model import build  # noqa: E402
from train import to_input  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    a = ap.parse_args()
    ck = torch.load(a.ckpt)
    model = build(ck["cfg"])
    model.load_state_dict(ck["state"])
    model.eval()
    X, Y, _ = get_set("gen-val")
    Y = Y > 0
    with torch.no_grad():
        L = np.concatenate([model(to_input(X[i:i + 20])).numpy()[:, 0] for i in range(0, len(X), 20)])
    P = L > 0
    tp, fp, fn = int((P & Y).sum()), int((P & ~Y).sum()), int((~P & Y).sum())
    near = np.ones((3, 3), bool)
    fp_edge = fn_edge = fn_missed = 0
    for p, y in zip(P, Y):
        fp_edge += int((p & ~y & ndimage.binary_dilation(y, near)).sum())
        lab, _ = ndimage.label(y, near)
        missed = y & ~np.isin(lab, lab[p & y])  # components without one predicted pixel
        fn_missed += int(missed.sum())
        fn_edge += int((~p & y & ~missed & ~ndimage.binary_erosion(y, near)).sum())
    fn_inside = fn - fn_missed - fn_edge
    print(f"Dice {2 * tp / (2 * tp + fp + fn):.4f}: {tp} true, {fp} false, {fn} missed pixels")
    print(f"false pixels touching a defect: {fp_edge}; elsewhere: {fp - fp_edge}")
    print(f"missed pixels in defects missed entirely: {fn_missed}; on the 1-px edge of found defects: {fn_edge}; "
          f"inside found defects: {fn_inside}")
    print(f"Dice with edge errors of found defects forgiven: {2 * tp / (2 * tp + (fp - fp_edge) + fn_missed + fn_inside):.4f}")
    for t in (-0.5, -0.25, 0.25, 0.5):
        Q = L > t
        print(f"logit threshold {t:+.2f}: Dice {2 * (Q & Y).sum() / (Q.sum() + Y.sum()):.4f}")


if __name__ == "__main__":
    main()
