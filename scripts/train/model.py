"""Tiny U-Nets for defect segmentation (dense 3x3 conv-BN-ReLU, MaxPool 2x2, nearest x2 upsample,
skip Concat, 1x1 head). See models/README.md for the candidates and why the shipped one was chosen.

- ``s2d``: an exact SpaceToDepth(N) at the input (exported as the ONNX op, float, no MACs), so every conv
  runs at 1/N resolution on 3*N*N channels; a 1 px scratch is still in the channels, not averaged away.
  (A learned 2x2 stride-2 stem conv was tried first: with 3 input channels it runs at ~1 GMAC/s in
  ORT-web int8, slower than the whole rest of the net.)
- ``raw_skip``: the space-to-depth pixels also feed the last decoder, so sub-pixel edges come from exact values;
- the 1x1 head predicts ``out_ch * N * N`` channels and DepthToSpace (pixel shuffle) puts them back at
  full resolution, so the output mask is per-pixel, not an upsampled coarse mask.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SpaceToDepth(torch.autograd.Function):
    """ONNX SpaceToDepth channel order (block row, block col, channel), exported as one op."""

    @staticmethod
    def forward(ctx, x, b):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4).reshape(n, b * b * c, h // b, w // b)

    @staticmethod
    def symbolic(g, x, b):
        return g.op("SpaceToDepth", x, blocksize_i=b)


def cbr(cin, cout, k=3):
    return nn.Sequential(nn.Conv2d(cin, cout, k, 1, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """s2d: space-to-depth factor at the input (1 = none); widths/enc: channels and 3x3 convs per level;
    dec_k: kernel of the single decoder conv after each skip concat (int, or a list from the coarsest
    level to the finest); raw_skip: if > 0, the last decoder also takes the space-to-depth input and outputs
    raw_skip channels; the 1x1 head predicts out_ch*s2d^2 channels and DepthToSpace restores full resolution."""

    def __init__(self, widths=(16, 32, 64), enc=(1, 2, 2), s2d=2, dec_k=3, out_ch=1, stem_k1=False, raw_skip=0):
        super().__init__()
        self.cfg = dict(widths=list(widths), enc=list(enc), s2d=s2d, dec_k=dec_k, out_ch=out_ch, stem_k1=stem_k1,
                        raw_skip=raw_skip)
        # The raw skip lets the head place edges from the exact pixels instead of from what survives the first
        # level's 3*s2d^2 -> widths[0] squeeze (58% of the plain design's gen-val error pixels lie on
        # the edges of defects it found: scripts/train/edge_errors.py).
        self.raw_skip = raw_skip
        self.s2d = s2d
        self.out_ch = out_ch
        cin = 3 * s2d * s2d
        self.enc = nn.ModuleList()
        for i, (w, n) in enumerate(zip(widths, enc)):
            # stem_k1: the first level starts with a 1x1 projection of the space-to-depth channels, so its
            # 3x3 runs on w channels instead of 3*s2d^2 (48 -> 24: 122 instead of 199 MMAC at 640x480).
            first = [cbr(cin, w, 1), cbr(w, w)] if (i == 0 and stem_k1) else [cbr(cin, w)]
            self.enc.append(nn.Sequential(*first, *[cbr(w, w) for _ in range(n - 1)]))
            cin = w
        self.dec = nn.ModuleList()
        ks = list(dec_k) if isinstance(dec_k, (list, tuple)) else [dec_k] * (len(widths) - 1)
        for j, i in enumerate(range(len(widths) - 2, -1, -1)):
            last = i == 0 and raw_skip
            self.dec.append(cbr(cin + widths[i] + (3 * s2d * s2d if last else 0), raw_skip if last else widths[i], ks[j]))
            cin = raw_skip if last else widths[i]
        self.head = nn.Conv2d(cin, out_ch * s2d * s2d, 1)

    @property
    def multiple_of(self):
        return 2 ** (len(self.enc) - 1) * self.s2d

    def forward(self, x):
        if self.s2d > 1:
            x = SpaceToDepth.apply(x, self.s2d)
        raw = x
        skips = []
        for i, e in enumerate(self.enc):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = e(x)
            skips.append(x)
        for j, d in enumerate(self.dec):
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            extra = [raw] if (self.raw_skip and j == len(self.dec) - 1) else []
            x = d(torch.cat([x, skips[-2 - j]] + extra, 1))
        x = self.head(x)
        if self.s2d > 1:
            x = F.pixel_shuffle(x, self.s2d)
        return x


def macs(model, h=480, w=640):
    """Multiply-accumulates of every conv for one h x w frame."""
    total = [0]

    def hook(m, i, o):
        total[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w))
    for x in hs:
        x.remove()
    return total[0]


CANDIDATES = {
    # name: constructor kwargs (dN = space-to-depth factor, then widths per level)
    "d2-12-24-48": dict(widths=(12, 24, 48), enc=(1, 2, 2), s2d=2),
    "d2-16-32-64": dict(widths=(16, 32, 64), enc=(1, 2, 2), s2d=2),
    "d2-8-16-32-64": dict(widths=(8, 16, 32, 64), enc=(1, 2, 2, 2), s2d=2),
    "d2-12-24-48-k1": dict(widths=(12, 24, 48), enc=(1, 2, 2), s2d=2, dec_k=1),
    "d4-32-48-64": dict(widths=(32, 48, 64), enc=(1, 2, 2), s2d=4),
    "d4-24-32-48-64": dict(widths=(24, 32, 48, 64), enc=(1, 1, 2, 2), s2d=4),
    "d4-32-32-64": dict(widths=(32, 32, 64), enc=(2, 2, 2), s2d=4),
    "d4-24-48-k1": dict(widths=(24, 48), enc=(2, 2), s2d=4, dec_k=1),
    "d4-24-32-48-64-mix": dict(widths=(24, 32, 48, 64), enc=(1, 2, 2, 2), s2d=4, dec_k=(3, 3, 1)),
    "d4-16-32-48-64-mix": dict(widths=(16, 32, 48, 64), enc=(1, 2, 2, 2), s2d=4, dec_k=(3, 3, 1)),
    "d4r24-16-32-48-64-mix": dict(widths=(16, 32, 48, 64), enc=(1, 2, 2, 2), s2d=4, dec_k=(3, 3, 1), raw_skip=24),
    "d4r24-16-32-48-64-k311": dict(widths=(16, 32, 48, 64), enc=(1, 2, 2, 2), s2d=4, dec_k=(3, 1, 1), raw_skip=24),
    "d4-24-32-48-mix": dict(widths=(24, 32, 48), enc=(1, 2, 2), s2d=4, dec_k=(3, 1)),
    "d4-24-32-64-mix": dict(widths=(24, 32, 64), enc=(1, 2, 2), s2d=4, dec_k=(3, 1)),
    "d4s-24-32-48-64-mix": dict(widths=(24, 32, 48, 64), enc=(1, 2, 2, 2), s2d=4, dec_k=(3, 3, 1), stem_k1=True),
    "d4-48-64-96": dict(widths=(48, 64, 96), enc=(2, 2, 2), s2d=4, dec_k=3),
    "d1-8-16-32-64": dict(widths=(8, 16, 32, 64), enc=(2, 2, 2, 2), s2d=1),
}


def build(name_or_cfg, out_ch=1):
    cfg = dict(CANDIDATES[name_or_cfg]) if isinstance(name_or_cfg, str) else dict(name_or_cfg)
    cfg["out_ch"] = out_ch
    return UNet(**cfg)


if __name__ == "__main__":
    for n in CANDIDATES:
        m = build(n)
        print(f"{n:20s} params {sum(p.numel() for p in m.parameters()):7d}  GMAC@640x480 {macs(m)/1e9:.3f}")
