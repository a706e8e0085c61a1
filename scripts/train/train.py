"""Train a defect-segmentation U-Net on the project's generator (scripts/train/data.py).

  /usr/bin/python3 scripts/train/train.py --arch d4-24-32-48-mix --minutes 25 --out /tmp/run
  /usr/bin/python3 scripts/train/train.py --arch ... --classes 4 ...   # multi-class (bg/scratch/spot/crack)

Binary loss: BCE + soft Dice. Multi-class: cross-entropy + soft Dice over the defect classes.
The learning rate follows a cosine over the wall-clock budget, so the run ends on time on a shared
machine. Logs train loss/Dice and validation Dice (generator held-out split, seed 1) as it goes.

Throughput on this 2-core machine: one 1-thread process trains ~1.5x faster per core than one 2-thread
process, so ``--procs 2`` runs two 1-thread data-parallel processes (torch DDP over gloo, forked so the
data pool is shared, each with its own crops; the effective batch is procs x batch). Tensors are
channels-last (mkldnn convolutions ~20% faster on CPU) and ``--bf16`` runs the forward pass in
bfloat16 autocast (another ~1.4x where the CPU has AVX512-BF16). ``--ema`` validates and exports an exponential
moving average of the weights; ``--deep-sup`` adds training-only coarse heads (see Trainer).
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
import torch.distributed as dist
import torch.nn as nn
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


def evaluate_splits(model, data, classes):
    """Dice on the val split and on the real held-out textures."""
    return (evaluate(model, data["Xv"], data["Yv"], data["Cv"], classes),
            evaluate(model, data["Xr"], data["Yr"], data["Cr"], classes))


class Trainer(nn.Module):
    """The model plus training-only deep-supervision heads: the bottleneck and every decoder level but the
    last get a 1x1 head predicting whether their cell holds any defect pixel, so the gradient reaches the
    coarse layers directly. Only ``self.model`` is saved and exported."""

    def __init__(self, model, deep_sup):
        super().__init__()
        self.model = model
        self.aux = nn.ModuleList()
        self._feats = []
        if deep_sup:
            w = model.cfg["widths"]
            stages = [model.enc[-1]] + list(model.dec[:-1])
            self.aux = nn.ModuleList(nn.Conv2d(c, 1, 1) for c in [w[-1]] + w[-2:0:-1])
            for st in stages:
                # keyed on the hooked module's mode, so evaluate() (model.eval()) and EMA copies record nothing
                st.register_forward_hook(lambda m, _i, out: self._feats.append(out) if m.training else None)

    def forward(self, x):
        self._feats.clear()
        lo = self.model(x)
        return lo, [h(f) for h, f in zip(self.aux, self._feats)]


def load_data(a):
    P = a.crop + 16
    # The pool is cached by generator version and arguments, so runs that differ only in the model reuse it.
    cache = os.path.join(tempfile.gettempdir(), f"edgeseg-pool-{generator_version()}-{a.seed}-{a.pool}-{P}-{a.clean}-{a.val}.npz")
    if os.path.exists(cache):
        d = np.load(cache)
        return {k: d[k] for k in ("X", "Y", "C", "Xv", "Yv", "Cv", "Xr", "Yr", "Cr")}
    X, Y, C, _ = parallel_dataset(a.seed, a.pool, P, P, "train", a.clean, workers=a.workers)
    Xv, Yv, Cv, _ = parallel_dataset(a.seed + 1, a.val, 192, 192, "train", 0.15, workers=a.workers)
    Xr, Yr, Cr, _ = parallel_dataset(a.seed + 2, a.val // 2, 192, 192, "heldout", 0.0, workers=a.workers)
    d = dict(X=X, Y=Y, C=C, Xv=Xv, Yv=Yv, Cv=Cv, Xr=Xr, Yr=Yr, Cr=Cr)
    np.savez(cache, **d)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="d4-24-32-48-mix")
    ap.add_argument("--minutes", type=float, default=25)
    ap.add_argument("--steps", type=int, default=0, help="budget in steps instead of minutes (reproducible on a busy machine)")
    ap.add_argument("--clean", type=float, default=0.25, help="fraction of defect-free training crops (hard negatives)")
    ap.add_argument("--pool", type=int, default=5000)
    ap.add_argument("--crop", type=int, default=160)
    ap.add_argument("--batch", type=int, default=16, help="crops per step and process")
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--classes", type=int, default=1)
    ap.add_argument("--val", type=int, default=240)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--procs", type=int, default=1, help="data-parallel training processes (1 torch thread each)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    ap.add_argument("--workers", type=int, default=2, help="processes generating the data pool")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="validate, save and export an exponential moving average of the weights (e.g. 0.999)")
    ap.add_argument("--deep-sup", type=float, default=0.0,
                    help="weight of the training-only coarse 'any defect in this cell' losses (binary only; 0 = off)")
    ap.add_argument("--bf16", action="store_true",
                    help="bfloat16 autocast for the forward pass (~1.4x faster on CPUs with AVX512-BF16; weights stay fp32)")
    ap.add_argument("--init", help="start from this checkpoint's weights (layers whose shapes differ, e.g. the head, stay fresh)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    data = load_data(a)
    print(f"data: {a.pool} train crops, {a.val} val, {a.val // 2} real held-out in {time.time() - t0:.0f}s", flush=True)
    if a.procs == 1:
        train(0, a, data, t0)
    else:
        import torch.multiprocessing as tmp
        a.rendezvous = os.path.join(tempfile.mkdtemp(prefix="edgeseg-ddp-"), "rendezvous")
        tmp.start_processes(train, args=(a, data, t0), nprocs=a.procs, start_method="fork")


def train(rank, a, data, t0):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)  # same initial weights in every process
    if a.procs > 1:
        dist.init_process_group("gloo", init_method=f"file://{a.rendezvous}", rank=rank, world_size=a.procs)
    X, Y, C = data["X"], data["Y"], data["C"]
    P = X.shape[1]
    model = build(a.arch, out_ch=a.classes)
    if a.init:
        own = model.state_dict()
        src = torch.load(a.init)["state"]
        keep = {k: v for k, v in src.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(keep, strict=False)
        if rank == 0:
            print(f"init from {a.init}: {len(keep)}/{len(own)} tensors", flush=True)
    trainer = Trainer(model, a.deep_sup if a.classes == 1 else 0).to(memory_format=torch.channels_last)
    net = nn.parallel.DistributedDataParallel(trainer) if a.procs > 1 else trainer
    ema = ema_pairs = None
    if a.ema:
        import copy
        ema = copy.deepcopy(model)
        ema_pairs = list(zip(ema.state_dict().values(), model.state_dict().values()))  # live tensors, paired once
    kept = ema if ema is not None else model  # what is validated, saved and exported
    opt = torch.optim.AdamW(trainer.parameters(), lr=a.lr, weight_decay=1e-4)
    rng = np.random.default_rng((a.seed, rank))  # each process draws its own crops
    budget = a.minutes * 60
    start = time.time()
    log = []
    step = 0
    run_loss = run_i = run_t = 0.0
    next_eval = 60
    cw = None
    if a.classes > 1:  # defect classes are rare: weight them up in the cross-entropy
        freq = np.bincount(C[:500].ravel(), minlength=a.classes).astype(np.float64) + 1
        cw = torch.tensor((freq.sum() / freq) ** 0.5 / ((freq.sum() / freq) ** 0.5).min(), dtype=torch.float32)
        cw = cw.clamp(max=10)
    clock = torch.zeros(2)
    while True:
        el = time.time() - start
        clock[:] = torch.tensor([el, float(el > next_eval)])
        if a.procs > 1:  # rank 0's clock decides the schedule, the end and the evaluations for everyone
            dist.broadcast(clock, 0)
        el, do_eval = float(clock[0]), bool(clock[1])
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
        x = to_input(xb).contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            lo, aux = net(x)
        lo, aux = lo.float(), [al.float() for al in aux]
        if a.classes == 1:
            y = torch.from_numpy(yb).float().unsqueeze(1)
            bce = F.binary_cross_entropy_with_logits(lo, y)
            p = torch.sigmoid(lo)
            inter = (p * y).sum()
            dice = (2 * inter + 1) / (p.sum() + y.sum() + 1)
            loss = bce + (1 - dice)
            for al in aux:
                loss = loss + a.deep_sup * F.binary_cross_entropy_with_logits(al, F.max_pool2d(y, a.crop // al.shape[-1]))
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
        if ema is not None:
            with torch.no_grad():
                d = min(a.ema, (1 + step) / (10 + step))  # short warm-up so early checkpoints are not stale
                for e_t, m_t in ema_pairs:
                    if e_t.dtype.is_floating_point:
                        e_t.mul_(d).add_(m_t, alpha=1 - d)
                    else:
                        e_t.copy_(m_t)
        run_loss += loss.item()
        run_i += hard[0]
        run_t += hard[1]
        if do_eval:
            next_eval += 120
            if rank == 0:
                vd, rd = evaluate_splits(kept, data, a.classes)
                rec = dict(step=step, min=round(el / 60, 2), lr=round(lr, 6), loss=run_loss / max(1, rec_steps(log, step)),
                           train_dice=2 * run_i / max(run_t, 1e-9), val_dice=vd, real_heldout_dice=rd)
                log.append(rec)
                print(json.dumps(rec), flush=True)
                torch.save({"cfg": model.cfg, "state": kept.state_dict(), "step": step}, os.path.join(a.out, "last.pt"))
            run_loss = run_i = run_t = 0.0
    if rank != 0:
        return
    model = kept
    vd, rd = evaluate_splits(model, data, a.classes)
    final = dict(step=step, min=round((time.time() - start) / 60, 2), val_dice=vd, real_heldout_dice=rd, final=True)
    log.append(final)
    print(json.dumps(final), flush=True)
    model = model.to(memory_format=torch.contiguous_format)
    torch.save({"cfg": model.cfg, "state": model.state_dict(), "step": step, "arch": a.arch}, os.path.join(a.out, "last.pt"))
    json.dump(dict(args=vars(a), log=log), open(os.path.join(a.out, "log.json"), "w"), indent=1)
    export(model, os.path.join(a.out, "fp32.onnx"))
    print(f"done in {(time.time() - t0) / 60:.1f} min wall, {step} steps x {a.procs} processes", flush=True)


def rec_steps(log, step):
    prev = log[-1]["step"] if log else 0
    return step - prev


if __name__ == "__main__":
    main()
