"""Train a defect-segmentation U-Net on the project's generator (scripts/train/data.py).

  /usr/bin/python3 scripts/train/train.py --arch d4-24-32-48-mix --minutes 25 --out /tmp/run
  /usr/bin/python3 scripts/train/train.py --arch ... --classes 4 ...   # multi-class (bg/scratch/spot/crack)

Binary loss: BCE + soft Dice. Multi-class: cross-entropy + soft Dice over the defect classes.
The learning rate follows a cosine over the wall-clock budget, so the run ends on time on a shared
machine. Logs train loss/Dice and validation Dice (generator held-out split, seed 1) as it goes.
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from data import generator_version, parallel_dataset  # noqa: E402
from export import NORMALIZE, export  # noqa: E402
from model import build  # noqa: E402

MEAN = torch.tensor(NORMALIZE["mean"]).view(1, 3, 1, 1)
STD = torch.tensor(NORMALIZE["std"]).view(1, 3, 1, 1)


def to_input(x_uint8_nhwc):
    x = torch.from_numpy(x_uint8_nhwc).permute(0, 3, 1, 2).float() / 255.0
    return (x - MEAN) / STD


def dice_counts(pred, gt):
    inter = float((pred & gt).sum())
    return inter, float(pred.sum() + gt.sum())


def evaluate(model, X, Y, C, classes, bs=16):
    model.eval()
    if classes == 1:
        inter = tot = 0.0
    else:
        inter = np.zeros(classes)
        tot = np.zeros(classes)
    with torch.no_grad():
        for i in range(0, len(X), bs):
            lo = model(to_input(X[i:i + bs]))
            if classes == 1:
                p = (lo[:, 0] > 0).numpy()
                a, b = dice_counts(p, Y[i:i + bs] > 0)
                inter += a
                tot += b
            else:
                p = lo.argmax(1).numpy()
                for c in range(classes):
                    a, b = dice_counts(p == c, C[i:i + bs] == c)
                    inter[c] += a
                    tot[c] += b
    model.train()
    d = 2 * inter / np.maximum(tot, 1e-9)
    return float(d) if classes == 1 else [float(v) for v in d]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="d4-24-32-48-mix")
    ap.add_argument("--minutes", type=float, default=25)
    ap.add_argument("--steps", type=int, default=0, help="budget in steps instead of minutes (reproducible on a busy machine)")
    ap.add_argument("--clean", type=float, default=0.25, help="fraction of defect-free training crops (hard negatives)")
    ap.add_argument("--pool", type=int, default=5000)
    ap.add_argument("--crop", type=int, default=160)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--classes", type=int, default=1)
    ap.add_argument("--val", type=int, default=240)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2, help="torch threads; use 1 when other jobs share the cores (2 contended threads crawl)")
    ap.add_argument("--workers", type=int, default=2, help="processes generating the data pool")
    ap.add_argument("--init", help="start from this checkpoint's weights (layers whose shapes differ, e.g. the head, stay fresh)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    t0 = time.time()
    P = a.crop + 16
    # The pool is cached by generator version and arguments, so runs that differ only in the model reuse it.
    cache = os.path.join(tempfile.gettempdir(), f"edgeseg-pool-{generator_version()}-{a.seed}-{a.pool}-{P}-{a.clean}-{a.val}.npz")
    if os.path.exists(cache):
        d = np.load(cache)
        X, Y, C, Xv, Yv, Cv, Xr, Yr, Cr = (d[k] for k in ("X", "Y", "C", "Xv", "Yv", "Cv", "Xr", "Yr", "Cr"))
    else:
        X, Y, C, _ = parallel_dataset(a.seed, a.pool, P, P, "train", a.clean, workers=a.workers)
        Xv, Yv, Cv, _ = parallel_dataset(a.seed + 1, a.val, 192, 192, "train", 0.15, workers=a.workers)
        Xr, Yr, Cr, _ = parallel_dataset(a.seed + 2, a.val // 2, 192, 192, "heldout", 0.0, workers=a.workers)
        np.savez(cache, X=X, Y=Y, C=C, Xv=Xv, Yv=Yv, Cv=Cv, Xr=Xr, Yr=Yr, Cr=Cr)
    print(f"data: {a.pool} train crops, {a.val} val, {a.val // 2} real held-out in {time.time() - t0:.0f}s", flush=True)

    model = build(a.arch, out_ch=a.classes)
    if a.init:
        own = model.state_dict()
        src = torch.load(a.init)["state"]
        keep = {k: v for k, v in src.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(keep, strict=False)
        print(f"init from {a.init}: {len(keep)}/{len(own)} tensors", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    rng = np.random.default_rng(a.seed)
    budget = a.minutes * 60
    start = time.time()
    log = []
    step = 0
    run_loss = run_i = run_t = 0.0
    best = -1
    next_eval = 60
    cw = None
    if a.classes > 1:  # defect classes are rare: weight them up in the cross-entropy
        freq = np.bincount(C[:500].ravel(), minlength=a.classes).astype(np.float64) + 1
        cw = torch.tensor((freq.sum() / freq) ** 0.5 / ((freq.sum() / freq) ** 0.5).min(), dtype=torch.float32)
        cw = cw.clamp(max=10)
    while True:
        el = time.time() - start
        if (a.steps and step >= a.steps) or (not a.steps and el > budget):
            break
        frac = step / a.steps if a.steps else el / budget
        lr = a.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        if step < 100:
            lr *= (step + 1) / 100
        for g in opt.param_groups:
            g["lr"] = lr
        idx = rng.integers(0, a.pool, a.batch)
        oy, ox = rng.integers(0, P - a.crop + 1, 2)
        xb = X[idx, oy:oy + a.crop, ox:ox + a.crop]
        yb = (Y if a.classes == 1 else C)[idx, oy:oy + a.crop, ox:ox + a.crop]
        k = int(rng.integers(0, 4))
        xb = np.ascontiguousarray(np.rot90(xb, k, (1, 2)))
        yb = np.ascontiguousarray(np.rot90(yb, k, (1, 2)))
        x = to_input(xb)
        lo = model(x)
        if a.classes == 1:
            y = torch.from_numpy(yb).float().unsqueeze(1)
            bce = F.binary_cross_entropy_with_logits(lo, y)
            p = torch.sigmoid(lo)
            inter = (p * y).sum()
            dice = (2 * inter + 1) / (p.sum() + y.sum() + 1)
            loss = bce + (1 - dice)
            hard = ((lo > 0).float() * y).sum().item(), ((lo > 0).float().sum() + y.sum()).item()
        else:
            y = torch.from_numpy(yb).long()
            ce = F.cross_entropy(lo, y, weight=cw)
            p = torch.softmax(lo, 1)
            oh = F.one_hot(y, a.classes).permute(0, 3, 1, 2).float()
            inter = (p * oh).sum((0, 2, 3))[1:]
            den = (p + oh).sum((0, 2, 3))[1:]
            dice = ((2 * inter + 1) / (den + 1)).mean()
            loss = ce + (1 - dice)
            am = lo.argmax(1)
            hard = ((am > 0) & (y > 0)).sum().item(), ((am > 0).sum() + (y > 0).sum()).item()  # defect vs bg
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        run_loss += loss.item()
        run_i += hard[0]
        run_t += hard[1]
        if el > next_eval:
            next_eval += 120
            vd = evaluate(model, Xv, Yv, Cv, a.classes)
            rd = evaluate(model, Xr, Yr, Cr, a.classes)
            rec = dict(step=step, min=round(el / 60, 2), lr=round(lr, 6), loss=run_loss / max(1, rec_steps(log, step)),
                       train_dice=2 * run_i / max(run_t, 1e-9), val_dice=vd, real_heldout_dice=rd)
            run_loss = run_i = run_t = 0.0
            log.append(rec)
            print(json.dumps(rec), flush=True)
            torch.save({"cfg": model.cfg, "state": model.state_dict(), "step": step}, os.path.join(a.out, "last.pt"))
    vd = evaluate(model, Xv, Yv, Cv, a.classes)
    rd = evaluate(model, Xr, Yr, Cr, a.classes)
    final = dict(step=step, min=round((time.time() - start) / 60, 2), val_dice=vd, real_heldout_dice=rd, final=True)
    log.append(final)
    print(json.dumps(final), flush=True)
    torch.save({"cfg": model.cfg, "state": model.state_dict(), "step": step, "arch": a.arch}, os.path.join(a.out, "last.pt"))
    json.dump(dict(args=vars(a), log=log), open(os.path.join(a.out, "log.json"), "w"), indent=1)
    export(model, os.path.join(a.out, "fp32.onnx"))
    print(f"done in {(time.time() - t0) / 60:.1f} min wall, {step} steps", flush=True)


def rec_steps(log, step):
    prev = log[-1]["step"] if log else 0
    return step - prev


if __name__ == "__main__":
    main()
