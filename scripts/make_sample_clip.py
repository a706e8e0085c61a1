"""Render samples/conveyor.mp4: textured panels with painted defects passing on a conveyor belt.

  /usr/bin/python3 scripts/make_sample_clip.py [--out samples/conveyor.mp4] [--seconds 10] [--fps 15]

640x480, H.264 (yuv420p, CRF tuned to stay <= ~1.5 MB), made with the training generator
(scripts/train/data.py) on a fixed seed. Panels use both training and held-out textures; a few are
defect-free. The ground-truth masks are not written (pass --masks DIR to dump them as PNGs).
"""
import argparse
import os
import subprocess
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "train"))
from data import add_defects, photometric, surface  # noqa: E402

W, H = 640, 480


def belt(rng, length):
    """Dark rubber belt with faint cross ribs, length x H."""
    g = 0.16 + 0.03 * rng.standard_normal((H, length)).astype(np.float32)
    g = cv2.GaussianBlur(g, (0, 0), 1.2)
    g[:, ::24] += 0.05
    img = np.repeat(g[..., None], 3, 2)
    img[:30] = img[-30:] = 0.32  # rails
    return img


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "samples", "conveyor.mp4"))
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--speed", type=int, default=14, help="belt speed in px/frame")
    ap.add_argument("--masks")
    ap.add_argument("--crf", type=int, default=22)
    a = ap.parse_args()
    rng = np.random.default_rng(2024)
    n = int(a.seconds * a.fps)
    length = W + n * a.speed + W
    strip = belt(rng, length)
    mstrip = np.zeros((H, length), np.uint8)
    x = W // 2
    i = 0
    while x < length - 420:
        pw, ph = int(rng.integers(320, 420)), int(rng.integers(340, 400))
        src = "heldout" if i % 3 == 2 else "train"
        img, _ = surface(rng, ph, pw, src)
        mask = np.zeros((ph, pw), np.uint8)
        if i % 4 != 3:
            mask, _ = add_defects(rng, img, int(rng.integers(2, 5)))
        img = photometric(rng, img)
        y = (H - ph) // 2 + int(rng.integers(-15, 16))
        strip[y:y + ph, x:x + pw] = img
        mstrip[y:y + ph, x:x + pw] = mask
        x += pw + int(rng.integers(40, 120))
        i += 1
    # uneven, fixed overhead lighting (does not move with the belt)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = (1.05 - 0.25 * (((xx - W * 0.4) / W) ** 2 + ((yy - H * 0.3) / H) ** 2))[..., None]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    cmd = ["ffmpeg", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", str(a.fps),
           "-i", "-", "-c:v", "libx264", "-preset", "slow", "-crf", str(a.crf), "-pix_fmt", "yuv420p",
           "-movflags", "+faststart", "-threads", "2", a.out]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    frng = np.random.default_rng(7)
    for f in range(n):
        off = f * a.speed
        fr = strip[:, off:off + W] * light
        fr = fr + frng.normal(0, 0.01, fr.shape).astype(np.float32)  # sensor noise
        p.stdin.write((np.clip(fr, 0, 1) * 255 + 0.5).astype(np.uint8).tobytes())
        if a.masks:
            os.makedirs(a.masks, exist_ok=True)
            cv2.imwrite(os.path.join(a.masks, f"{f:04d}.png"), mstrip[:, off:off + W] * 255)
    p.stdin.close()
    if p.wait():
        raise SystemExit("ffmpeg failed")
    print(f"{a.out}: {n} frames, {os.path.getsize(a.out) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
