import cv2

CASES = {
    "blobFromImage": lambda i, a: (lambda img=i["img"], size=(a["width"], a["height"]), mean=a["mean"], s=a["scale"]:
                                   cv2.dnn.blobFromImage(img, s, size, mean, swapRB=False, crop=False)),
}
