"""Native OpenCV peers for bench/kernels/contours.ts.

Two timings of findContours:
- "findContours ... (cv2)": cv2.findContours, which spends much of its time building Python lists
  when there are many contours;
- "findContours ... core": OpenCV's own C entry point cvFindContours through ctypes on the same
  zero-padded copy cv::findContours makes, results left in OpenCV's memory storage (the
  Suzuki–Abe scan and tracing without any Python or vector<vector<Point>> conversion). This is the
  fairest (strictest) native anchor and the one the targets use.
"""
import ctypes

import cv2

_imgproc = ctypes.CDLL("libopencv_imgproc.so.406")
_core = ctypes.CDLL("libopencv_core.so.406")


class _CvMat(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("step", ctypes.c_int), ("refcount", ctypes.c_void_p), ("hdr_refcount", ctypes.c_int),
                ("data", ctypes.c_void_p), ("rows", ctypes.c_int), ("cols", ctypes.c_int)]


class _CvPoint(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


_core.cvCreateMemStorage.restype = ctypes.c_void_p
_core.cvCreateMemStorage.argtypes = [ctypes.c_int]
_core.cvClearMemStorage.argtypes = [ctypes.c_void_p]
_imgproc.cvFindContours.restype = ctypes.c_int
_imgproc.cvFindContours.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int,
                                    ctypes.c_int, _CvPoint]
_CV_MAT_MAGIC = 0x42420000 | (1 << 14)  # CV_MAT_MAGIC_VAL | CV_MAT_CONT_FLAG, type CV_8UC1
_SIZEOF_CVCONTOUR = 128


def _core_find(mask, mode, method):
    storage = _core.cvCreateMemStorage(0)
    first = ctypes.c_void_p()
    offset = _CvPoint(-1, -1)

    def run():
        _core.cvClearMemStorage(storage)
        padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)  # as cv::findContours does
        mat = _CvMat(_CV_MAT_MAGIC, padded.strides[0], None, 0, padded.ctypes.data, padded.shape[0], padded.shape[1])
        return _imgproc.cvFindContours(ctypes.byref(mat), storage, ctypes.byref(first), _SIZEOF_CVCONTOUR, mode, method, offset)

    # Sanity check: the C entry point finds as many contours as cv2.findContours.
    assert run() == len(cv2.findContours(mask, mode, method)[0])
    return run


CASES = {
    "findContours external (cv2)": lambda i, a: (lambda m=i["mask"]: cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)),
    "findContours external core": lambda i, a: _core_find(i["mask"], cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE),
    "findContours all simple core": lambda i, a: _core_find(i["mask"], cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE),
}
