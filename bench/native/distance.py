import cv2

CASES = {
    "distance exact L2": lambda i, a: (lambda m=i["mask"]: cv2.distanceTransform(m, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)),
}
