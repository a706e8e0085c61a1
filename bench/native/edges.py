import cv2

CASES = {
    "Sobel dx 3x3": lambda i, a: (lambda img=i["img"]: cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3)),
    "Canny(50,150)": lambda i, a: (lambda img=i["img"]: cv2.Canny(img, 50, 150, apertureSize=3, L2gradient=False)),
}
