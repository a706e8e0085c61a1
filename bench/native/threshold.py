import cv2

CASES = {
    "threshold binary": lambda i, a: (lambda img=i["img"]: cv2.threshold(img, a["value"], 255, cv2.THRESH_BINARY)),
}
