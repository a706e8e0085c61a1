import cv2

CASES = {
    "resize": lambda i, a: (lambda img=i["img"], size=(a["width"], a["height"]), flag=getattr(cv2, a["flag"]):
                            cv2.resize(img, size, interpolation=flag)),
}
