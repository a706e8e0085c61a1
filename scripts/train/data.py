"""Synthetic surface-defect data: textured surfaces (procedural + real photographs shipped by Debian
packages / scikit-image) with painted defects and exact masks.

Surfaces
- procedural: wood grain, brushed metal, fabric weave, paper fibres, stone/noise, plastic, circuit board;
- real: GIMP's texture photographs (Debian package ``gimp-data``: /usr/share/gimp/2.0/patterns/*.pat)
  and scikit-image's data (brick, grass, gravel). They are split: REAL_TRAIN is used for training,
  REAL_HELDOUT is never trained on (the "never seen" check: heavy stone, gravel and fabric among them).
  Natural-crack textures (cracked, drymud, ground1, terra) are used in neither: their natural cracks
  would be unlabeled defects.
Defects (mask = 1): scratches (1-3 px lines/curves, light or dark), cracks (branching random walks),
spots and stains (soft blobs), pits (small dark dots). Mask = pixels where the blend weight is >= 0.5
AND the paint changed the pixel visibly (>= VISIBLE, and >= RELATIVE_VISIBLE x the texture's local contrast),
so a dark scratch over a dark gap, or a faint one lost in the grain of gravel, is not labelled.
Defects mostly take the visible direction (dark on bright surfaces, light on dark ones).
Augmentation: flips, 90-degree rotations, texture scale, lighting gradients, contrast, noise, blur.
A caller-chosen fraction of images is defect-free (training: 25%, hard negatives on every texture). Everything is driven by a numpy Generator seeded by the caller.
"""
import glob
import os
import struct
import zipfile

import cv2
import numpy as np

GIMP = "/usr/share/gimp/2.0/patterns"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"

REAL_TRAIN = [
    "Animal/leather", "Paper/crinklepaper", "Paper/paper", "Stone/Moonfoot", "Stone/brick", "Stone/granite1",
    "Stone/marble1", "Stone/marble2", "Stone/marble3", "Stone/slate", "Stone/Craters", "Wood/corkboard",
    "Wood/parque1", "Wood/parque2", "Wood/pine", "Wood/walnut", "Wood/wood1", "Wood/wood2", "Wood/wood3",
    "Wood/wood4", "Wood/wood5", "Wood/burlwood", "circuit", "dirt", "granite2", "greyweave", "rust",
    "sandytext", "mhuerock", "metallica", "silver", "Legacy/fibers", "lathe", "wax",
    "skimage:brick", "skimage:grass",
]
REAL_HELDOUT = [
    "skimage:gravel", "Stone/rock", "Stone/stone33", "pebbles", "colored_rock", "Fabric/burlap",
    "greyweave2", "goldcloth", "Wood/bark", "worn_metal_chex",
]
PROCEDURAL = ["wood", "metal", "fabric", "paper", "stone", "plastic", "circuit"]

# Game texture photographs (concrete, asphalt, rock, sand, bark, rust, metal plates, grates, wood, grass...)
# from Debian's ufoai-textures and openarena-081-textures (zip archives). The list (scripts/train/textures.txt)
# was picked by eye from their nature/material/terrain/street/wall/floor folders, leaving out road markings,
# signs, flat colour swatches, drawn cracks and dried-mud cracks (natural cracks would be unlabelled defects).
# Every 5th entry is held out: GAME_HELDOUT is never trained on (a second "never seen" check).
PK3 = {"ufoai": "/usr/share/games/ufoai/base/0textures.pk3",
       "openarena": "/usr/share/games/openarena/baseoa/pak4-textures.pk3"}
_GAME = [ln.strip() for ln in open(os.path.join(os.path.dirname(__file__), "textures.txt")) if ln.strip()]
GAME_TRAIN = [n for i, n in enumerate(_GAME) if i % 5 != 2]
GAME_HELDOUT = [n for i, n in enumerate(_GAME) if i % 5 == 2]
_zips = {}

_cache = {}


def load_pat(path):
    """GIMP .pat: big-endian header (size, version, width, height, bytes/pixel, 'GPAT', name), raw pixels."""
    b = open(path, "rb").read()
    hs, _ver, w, h, bpp = struct.unpack(">5I", b[:20])
    px = np.frombuffer(b[hs:hs + w * h * bpp], np.uint8).reshape(h, w, bpp)
    if bpp in (1, 2):
        px = np.repeat(px[..., :1], 3, 2)
    return np.ascontiguousarray(px[..., :3])


def real_texture(name):
    if name not in _cache:
        if name.startswith("skimage:"):
            im = cv2.imread(os.path.join(SKIMAGE, name[8:] + ".png"), cv2.IMREAD_COLOR)[..., ::-1]
        elif name.split(":", 1)[0] in PK3:
            pack, entry = name.split(":", 1)
            if pack not in _zips:
                _zips[pack] = zipfile.ZipFile(PK3[pack])
            im = cv2.imdecode(np.frombuffer(_zips[pack].read(entry), np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
        else:
            im = load_pat(os.path.join(GIMP, name + ".pat"))
        _cache[name] = np.ascontiguousarray(im).astype(np.float32) / 255.0
    return _cache[name]


# ---------------------------------------------------------------- procedural surfaces
def _noise(rng, h, w, scale):
    """Smooth value noise in [0,1] with feature size ~scale px."""
    gh, gw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    g = rng.random((gh, gw)).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _fbm(rng, h, w, base, octaves=4):
    out = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    for o in range(octaves):
        out += amp * _noise(rng, h, w, max(1.5, base / 2 ** o))
        tot += amp
        amp *= 0.5
    return out / tot


def _tint(rng, g, lo=0.15, hi=0.9):
    c0 = rng.uniform(lo, hi, 3).astype(np.float32)
    c1 = np.clip(c0 + rng.normal(0, 0.15, 3), 0, 1).astype(np.float32)
    return g[..., None] * c1 + (1 - g[..., None]) * c0


def procedural(rng, kind, h, w):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "wood":
        warp = _fbm(rng, h, w, rng.uniform(20, 80)) * rng.uniform(10, 40)
        f = rng.uniform(0.05, 0.25)
        g = 0.5 + 0.5 * np.sin((xx * rng.uniform(0.0, 0.2) + yy + warp) * f)
        g = 0.7 * g ** rng.uniform(0.5, 3) + 0.3 * _noise(rng, h, w, 2)
        col = np.array([rng.uniform(0.35, 0.8), rng.uniform(0.2, 0.55), rng.uniform(0.05, 0.3)], np.float32)
        return g[..., None] * col * 0.6 + col * 0.45
    if kind == "metal":
        n = rng.random((h, w)).astype(np.float32)
        k = int(rng.integers(15, 61))
        g = cv2.blur(n, (k, 1))
        g = (g - g.mean()) * rng.uniform(3, 8) + 0.5 + 0.2 * (_noise(rng, h, w, 100) - 0.5)
        base = rng.uniform(0.4, 0.8)
        return np.repeat(np.clip(base + (g - 0.5) * 0.4, 0, 1)[..., None], 3, 2) * rng.uniform(0.9, 1.05, 3)
    if kind == "fabric":
        p = rng.uniform(3, 9)
        a = np.sin(xx * 2 * np.pi / p) * np.sin(yy * 2 * np.pi / p)
        b = np.sign(np.sin(xx * np.pi / p)) * np.sign(np.sin(yy * np.pi / p))
        g = 0.5 + 0.25 * a * b + 0.15 * (rng.random((h, w)) - 0.5) + 0.2 * (_noise(rng, h, w, 40) - 0.5)
        return _tint(rng, np.clip(g, 0, 1).astype(np.float32), 0.2, 0.85)
    if kind == "paper":
        g = np.full((h, w), 0.0, np.float32)
        for _ in range(int(h * w / 150)):
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            ang, ln = rng.uniform(0, np.pi), rng.uniform(3, 15)
            cv2.line(g, (int(x0), int(y0)), (int(x0 + ln * np.cos(ang)), int(y0 + ln * np.sin(ang))),
                     float(rng.uniform(-1, 1)), 1)
        g = cv2.GaussianBlur(g, (0, 0), 0.7) * rng.uniform(0.03, 0.08) + 0.08 * (_noise(rng, h, w, 30) - 0.5)
        base = rng.uniform(0.7, 0.95)
        return np.clip(base + g[..., None] * np.ones(3, np.float32), 0, 1) * rng.uniform(0.9, 1.0, 3)
    if kind == "stone":
        g = _fbm(rng, h, w, rng.uniform(8, 60), 5)
        g = (g - g.min()) / (np.ptp(g) + 1e-6)
        speck = (rng.random((h, w)) < rng.uniform(0.0, 0.08)).astype(np.float32)
        speck = cv2.GaussianBlur(speck, (0, 0), rng.uniform(0.5, 1.2)) * rng.uniform(-1, 1)
        g = np.clip(g * rng.uniform(0.4, 1.0) + speck + 0.1 * (rng.random((h, w)) - 0.5), 0, 1)
        return _tint(rng, g.astype(np.float32), 0.2, 0.8)
    if kind == "plastic":
        g = 0.5 + 0.1 * (_noise(rng, h, w, 120) - 0.5) + 0.03 * (rng.random((h, w)) - 0.5)
        return np.clip(g[..., None] * 2 * rng.uniform(0.1, 0.9, 3), 0, 1)
    if kind == "circuit":
        img = np.zeros((h, w, 3), np.float32)
        img[:] = np.array([rng.uniform(0, 0.15), rng.uniform(0.25, 0.5), rng.uniform(0.1, 0.25)], np.float32)
        trace = np.array([rng.uniform(0.6, 0.9), rng.uniform(0.6, 0.8), rng.uniform(0.2, 0.5)], np.float32)
        step = int(rng.integers(6, 14))
        for _ in range(int(h * w / 1500)):
            x, y = int(rng.integers(0, w) // step * step), int(rng.integers(0, h) // step * step)
            for _s in range(int(rng.integers(2, 6))):
                d = rng.integers(0, 4)
                ln = int(rng.integers(1, 6)) * step
                nx, ny = x + [ln, -ln, 0, 0][d], y + [0, 0, ln, -ln][d]
                cv2.line(img, (x, y), (nx, ny), trace.tolist(), int(rng.integers(2, 5)))
                x, y = nx, ny
            cv2.circle(img, (x, y), int(rng.integers(2, 5)), trace.tolist(), -1)
        return np.clip(cv2.GaussianBlur(img, (0, 0), 0.6) + 0.03 * rng.standard_normal((h, w, 1)), 0, 1)
    raise ValueError(kind)


def real_surface(rng, name, h, w):
    tex = real_texture(name)
    s = rng.uniform(0.8, 2.2) if min(tex.shape[:2]) < 200 else rng.uniform(0.6, 1.4)
    t = cv2.resize(tex, None, fx=s, fy=s, interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        t = t.transpose(1, 0, 2)
    th, tw = t.shape[:2]
    # tile (GIMP patterns are seamless tiles) then crop at a random offset
    reps = (h // th + 2, w // tw + 2, 1)
    big = np.tile(t, reps)
    oy, ox = rng.integers(0, th), rng.integers(0, tw)
    return np.ascontiguousarray(big[oy:oy + h, ox:ox + w])


def surface(rng, h, w, source):
    """source: 'procedural', 'train' (procedural, REAL_TRAIN or GAME_TRAIN), 'heldout' (REAL_HELDOUT),
    'game-heldout' (GAME_HELDOUT) or a texture name."""
    if source == "train":
        u = rng.random()
        if u < 0.3:
            source = "procedural"
        elif u < 0.55:
            source = REAL_TRAIN[rng.integers(len(REAL_TRAIN))]
        else:
            source = GAME_TRAIN[rng.integers(len(GAME_TRAIN))]
    elif source == "heldout":
        source = REAL_HELDOUT[rng.integers(len(REAL_HELDOUT))]
    elif source == "game-heldout":
        source = GAME_HELDOUT[rng.integers(len(GAME_HELDOUT))]
    if source == "procedural":
        source = PROCEDURAL[rng.integers(len(PROCEDURAL))]
    if source in PROCEDURAL:
        img = procedural(rng, source, h, w)
    else:
        img = real_surface(rng, source, h, w)
    return np.clip(img, 0, 1).astype(np.float32), source


# ---------------------------------------------------------------- defects
def _local_contrast_color(rng, img, dark):
    m = float(img.mean())
    amt = rng.uniform(0.18, 0.5)
    v = max(0.0, m - amt) if dark else min(1.0, m + amt)
    return v


VISIBLE = 0.06  # a painted pixel is labelled only where it changed the image by >= this (0..1, channel mean)
RELATIVE_VISIBLE = 0.6  # ... and by >= this times the surface's own local contrast there


def _local_contrast(img, sigma=2.0):
    """Standard deviation of the gray surface in a Gaussian window: how much the texture itself varies."""
    g = img.mean(2)
    m = cv2.GaussianBlur(g, (0, 0), sigma)
    return np.sqrt(np.maximum(cv2.GaussianBlur(g * g, (0, 0), sigma) - m * m, 0))


def _label(before, img, layer, mask, classes, kind_id):
    """Exact mask: pixels covered by the defect (blend weight >= 0.5) that it visibly changed -- by an
    absolute amount and relative to the texture's own local variation, so a faint stroke lost in the grain
    of gravel or bark is not labelled (nobody could see it there, and a model trained to find it learns to
    hallucinate defects in busy textures)."""
    change = np.abs(img - before).mean(2)
    m = (layer >= 0.5) & (change >= np.maximum(VISIBLE, RELATIVE_VISIBLE * _local_contrast(before)))
    mask[m] = 1
    classes[m] = kind_id


def _stroke(rng, img, mask, pts, width, dark, kind_id, classes):
    layer = np.zeros(img.shape[:2], np.float32)
    cv2.polylines(layer, [np.round(pts * 16).astype(np.int32)], False, 1.0, width, cv2.LINE_AA, shift=4)
    if dark is None:  # mostly the visible direction: dark on bright surfaces, light on dark ones
        dark = (img.mean() > 0.45) == (rng.random() < 0.85)
    amt = rng.uniform(0.25, 0.6)
    target = np.clip(img - amt, 0, 1) if dark else np.clip(img + amt, 0, 1)
    before = img.copy()
    a = (layer * rng.uniform(0.8, 1.0))[..., None]
    img[:] = img * (1 - a) + target * a
    _label(before, img, layer, mask, classes, kind_id)


def scratch(rng, img, mask, classes, kid=1):
    h, w = mask.shape
    n = int(rng.integers(2, 6))
    p0 = rng.uniform([0, 0], [w, h])
    ang = rng.uniform(0, 2 * np.pi)
    ln = rng.uniform(0.15, 0.7) * max(h, w)
    curv = rng.uniform(-0.4, 0.4)
    pts = [p0]
    for i in range(n * 6):
        ang += curv / 6 + rng.normal(0, 0.02)
        pts.append(pts[-1] + ln / (n * 6) * np.array([np.cos(ang), np.sin(ang)]))
    _stroke(rng, img, mask, np.array(pts), int(rng.choice([1, 1, 2, 2, 3])), None, kid, classes)


def crack(rng, img, mask, classes, kid=3):
    h, w = mask.shape
    stack = [(rng.uniform([0, 0], [w, h]), rng.uniform(0, 2 * np.pi), int(rng.integers(25, 80)), 0)]
    width = int(rng.choice([1, 2, 2, 3]))
    while stack:
        p, ang, steps, depth = stack.pop()
        pts = [p]
        for _ in range(steps):
            ang += rng.normal(0, 0.35)
            pts.append(pts[-1] + rng.uniform(1.5, 3.0) * np.array([np.cos(ang), np.sin(ang)]))
            if depth < 2 and rng.random() < 0.03:
                stack.append((pts[-1].copy(), ang + rng.choice([-1, 1]) * rng.uniform(0.4, 1.2),
                              int(steps * 0.5), depth + 1))
        _stroke(rng, img, mask, np.array(pts), max(1, width - depth), True, kid, classes)


def spot(rng, img, mask, classes, kid=2):
    h, w = mask.shape
    r = rng.uniform(4, 22)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, np.pi)
    ax, ay = r, r * rng.uniform(0.4, 1.0)
    dx, dy = xx - cx, yy - cy
    u = (dx * np.cos(ang) + dy * np.sin(ang)) / ax
    v = (-dx * np.sin(ang) + dy * np.cos(ang)) / ay
    d = np.sqrt(u * u + v * v)
    d = d + 0.35 * (_noise(rng, h, w, max(3.0, r / 2)) - 0.5)  # irregular border
    soft = rng.uniform(0.1, 0.4)
    a = np.clip((1 - d) / soft, 0, 1).astype(np.float32)
    dark = (img.mean() > 0.4) == (rng.random() < 0.8)
    amt = rng.uniform(0.25, 0.55)
    before = img.copy()
    if rng.random() < 0.5:  # stain: coloured tint
        col = rng.uniform(0, 1, 3).astype(np.float32)
        target = np.clip(img * (1 - amt) + col * amt - (amt * 0.5 if dark else -amt * 0.3), 0, 1)
    else:
        target = np.clip(img - amt, 0, 1) if dark else np.clip(img + amt, 0, 1)
    img[:] = img * (1 - a[..., None]) + target * a[..., None]
    _label(before, img, a, mask, classes, kid)


def pit(rng, img, mask, classes, kid=2):
    h, w = mask.shape
    for _ in range(int(rng.integers(1, 5))):
        r = rng.uniform(1.2, 3.5)
        c = rng.uniform([0, 0], [w, h])
        layer = np.zeros((h, w), np.float32)
        cv2.circle(layer, (int(c[0] * 16), int(c[1] * 16)), int(r * 16), 1.0, -1, cv2.LINE_AA, shift=4)
        a = layer[..., None] * rng.uniform(0.8, 1.0)
        target = np.clip(img * rng.uniform(0.1, 0.4), 0, 1)
        before = img.copy()
        img[:] = img * (1 - a) + target * a
        _label(before, img, layer, mask, classes, kid)


DEFECTS = [(scratch, 0.35), (crack, 0.25), (spot, 0.25), (pit, 0.15)]


def add_defects(rng, img, n=None):
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    classes = np.zeros((h, w), np.uint8)
    if n is None:
        n = int(rng.integers(1, 4))
    fns, ps = zip(*DEFECTS)
    for _ in range(n):
        fns[rng.choice(len(fns), p=np.array(ps) / sum(ps))](rng, img, mask, classes)
    return mask, classes


# ---------------------------------------------------------------- augmentation
def augment_geometry(rng, img):
    if rng.random() < 0.5:
        img = img[:, ::-1]
    if rng.random() < 0.5:
        img = img[::-1]
    return np.ascontiguousarray(img)


def photometric(rng, img):
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    # lighting gradient (linear or radial)
    if rng.random() < 0.7:
        if rng.random() < 0.5:
            ang = rng.uniform(0, 2 * np.pi)
            g = (xx * np.cos(ang) + yy * np.sin(ang)) / max(h, w)
            g = 1 + rng.uniform(-0.5, 0.5) * (g - g.mean())
        else:
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(h, w)
            g = 1 + rng.uniform(0.1, 0.6) * (0.5 - d)
        img = img * g[..., None]
    # contrast / brightness
    c = rng.uniform(0.6, 1.3)
    img = (img - img.mean()) * c + img.mean() + rng.uniform(-0.12, 0.12)
    if rng.random() < 0.4:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.0))
    if rng.random() < 0.6:
        img = img + rng.normal(0, rng.uniform(0.005, 0.04), img.shape).astype(np.float32)
    return np.clip(img, 0, 1).astype(np.float32)


def sample(rng, h, w, source="train", p_clean=0.15, n_defects=None):
    """One (rgb uint8 HxWx3, mask uint8 HxW {0,1}, classes uint8 HxW {0 bg,1 scratch,2 spot/pit,3 crack}, source)."""
    img, src = surface(rng, h, w, source)
    img = augment_geometry(rng, img)
    if rng.random() < p_clean:
        mask = np.zeros((h, w), np.uint8)
        classes = mask.copy()
    else:
        mask, classes = add_defects(rng, img, n_defects)
    img = photometric(rng, img)
    return (img * 255 + 0.5).astype(np.uint8), mask, classes, src


def dataset(seed, n, h, w, source="train", p_clean=0.15):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, h, w, 3), np.uint8)
    Y = np.zeros((n, h, w), np.uint8)
    C = np.zeros((n, h, w), np.uint8)
    srcs = []
    for i in range(n):
        X[i], Y[i], C[i], s = sample(rng, h, w, source, p_clean)
        srcs.append(s)
    return X, Y, C, srcs


def parallel_dataset(seed, n, h, w, source="train", p_clean=0.15, workers=2, chunk=200):
    """dataset() in chunks of `chunk` samples (chunk k seeded with (seed, k)) over `workers` processes:
    the same arrays whatever the worker count."""
    import multiprocessing as mp
    jobs = [((seed, k), min(chunk, n - i), h, w, source, p_clean) for k, i in enumerate(range(0, n, chunk))]
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(dataset, jobs)
    else:
        parts = [dataset(*j) for j in jobs]
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]), sum((p[3] for p in parts), []))


def generator_version():
    """Hash of the generator's code and texture list: caches of generated sets are keyed by it."""
    import hashlib
    d = os.path.dirname(os.path.abspath(__file__))
    hsh = hashlib.sha1()
    for f in ("data.py", "textures.txt"):
        hsh.update(open(os.path.join(d, f), "rb").read())
    return hsh.hexdigest()[:10]


if __name__ == "__main__":
    import sys
    import time
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/data_preview.png"
    t = time.time()
    X, Y, C, S = dataset(0, 24, 192, 192, "train")
    Xh, Yh, _, Sh = dataset(1, 12, 192, 192, "heldout")
    print(f"{(time.time() - t) / 36 * 1000:.1f} ms/sample", S[:8], Sh[:6])
    tiles = []
    for x, y in list(zip(X, Y)) + list(zip(Xh, Yh)):
        ov = x.copy()
        ov[y > 0] = (0.5 * ov[y > 0] + [127, 0, 0]).astype(np.uint8)
        tiles.append(np.hstack([x, ov]))
    rows = [np.hstack(tiles[i:i + 4]) for i in range(0, len(tiles), 4)]
    cv2.imwrite(out, np.vstack(rows)[..., ::-1])
