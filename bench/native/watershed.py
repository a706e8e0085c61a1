"""Native OpenCV peer for bench/kernels/watershed.ts: cv2.watershed on a copy of the markers
(it labels in place), one thread. The copy (~1 ms at 1080p) is part of every peer's work."""
import cv2


def _watershed(i, a):
    img = cv2.cvtColor(i["img"], cv2.COLOR_RGB2BGR)
    markers = i["markers"]

    def run():
        labels = markers.copy()
        cv2.watershed(img, labels)
        return labels

    return run


CASES = {"watershed": _watershed}
