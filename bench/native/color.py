import cv2

CASES = {
    "cvtColor": lambda i, a: (lambda img=i["img"], code=getattr(cv2, a["code"]): cv2.cvtColor(img, code)),
}
