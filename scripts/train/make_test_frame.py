"""Writes test/fixtures/model/gravel_defects.png: a 256x256 frame of a held-out real texture (scikit-image's
gravel, never trained on) with painted defects, for test/model/quantization.test.ts (web vs node agreement)."""
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from data import sample  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
rng = np.random.default_rng(12)
img, mask, _, _ = sample(rng, 256, 256, "skimage:gravel", p_clean=0.0, n_defects=4)
os.makedirs(os.path.join(ROOT, "test/fixtures/model"), exist_ok=True)
cv2.imwrite(os.path.join(ROOT, "test/fixtures/model/gravel_defects.png"), img[..., ::-1])
print("defect pixels:", int(mask.sum()))
