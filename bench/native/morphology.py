import cv2

OPS = {"erode": cv2.MORPH_ERODE, "dilate": cv2.MORPH_DILATE, "open": cv2.MORPH_OPEN, "close": cv2.MORPH_CLOSE}
SHAPES = {"rect": cv2.MORPH_RECT, "ellipse": cv2.MORPH_ELLIPSE, "cross": cv2.MORPH_CROSS}


def morphology(i, a):
    img = i["img"]
    element = cv2.getStructuringElement(SHAPES[a["shape"]], (a["size"], a["size"]))
    op = OPS[a["op"]]
    return lambda: cv2.morphologyEx(img, op, element)


CASES = {"morphology": morphology}
