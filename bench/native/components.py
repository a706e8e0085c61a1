import cv2
import numpy as np


def _fill_holes(mask):
    """OpenCV's usual hole filling: flood the background from a padded border, invert, OR."""
    h, w = mask.shape
    padded = np.zeros((h + 2, w + 2), np.uint8)
    ff = np.zeros((h + 4, w + 4), np.uint8)

    def run():
        padded[1:-1, 1:-1] = mask
        ff[:] = 0
        cv2.floodFill(padded, ff, (0, 0), 255, flags=4)
        return cv2.bitwise_or(cv2.bitwise_not(padded[1:-1, 1:-1]), mask)

    return run


CASES = {
    "connectedComponentsWithStats": lambda i, a: (
        lambda m=i["mask"]: cv2.connectedComponentsWithStats(m, connectivity=a["connectivity"], ltype=cv2.CV_32S)),
    "fillHoles floodFill": lambda i, a: _fill_holes(i["mask"]),
}
