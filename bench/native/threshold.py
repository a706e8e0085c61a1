import cv2

METHODS = {"mean": cv2.ADAPTIVE_THRESH_MEAN_C, "gaussian": cv2.ADAPTIVE_THRESH_GAUSSIAN_C}

CASES = {
    "threshold binary": lambda i, a: (lambda img=i["img"]: cv2.threshold(img, a["value"], 255, cv2.THRESH_BINARY)),
    "threshold Otsu": lambda i, a: (lambda img=i["img"]: cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)),
    "threshold triangle": lambda i, a: (lambda img=i["img"]: cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_TRIANGLE)),
    "adaptive": lambda i, a: (lambda img=i["img"]: cv2.adaptiveThreshold(
        img, 255, METHODS[a["method"]], cv2.THRESH_BINARY, a["blockSize"], a["c"])),
}
