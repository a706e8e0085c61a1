import cv2
import numpy as np
from scipy import ndimage

CROSS = ndimage.generate_binary_structure(2, 1)


def confusion(i, a):
    p, t = i["pred"], i["truth"]
    tmp = np.empty_like(p)

    def run():
        cv2.bitwise_and(p, t, dst=tmp)
        tp = cv2.countNonZero(tmp)
        return tp, cv2.countNonZero(p) - tp, cv2.countNonZero(t) - tp

    return run


def boundary(i, a):
    p, t = i["pred"] > 0, i["truth"] > 0

    def run():
        ep = p & ~ndimage.binary_erosion(p, structure=CROSS, border_value=0)
        et = t & ~ndimage.binary_erosion(t, structure=CROSS, border_value=0)
        da = ndimage.distance_transform_edt(~et)[ep]
        db = ndimage.distance_transform_edt(~ep)[et]
        return max(da.max(), db.max()), max(np.percentile(da, 95), np.percentile(db, 95)), np.concatenate([da, db]).mean()

    return run


CASES = {"confusion": confusion, "boundary (scipy EDT, MONAI)": boundary}
