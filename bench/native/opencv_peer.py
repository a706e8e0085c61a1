#!/usr/bin/python3
"""Native OpenCV peer for `npm run bench`: times the same kernels in one thread.

Reads a JSON list [{"id", "name", "args", "inputs": {key: {"path", "width", "height", "channels", "dtype"}}}]
on stdin and prints {"id": {"first", "median", "p10", "p90", "runs"}} on stdout. Each kernel family
registers cases in bench/native/<family>.py as CASES = {"name": make(inputs, args) -> callable}.
"""
import importlib
import json
import os
import pkgutil
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

CASES = {}
for m in pkgutil.iter_modules([HERE]):
    if m.name in ("opencv_peer",):
        continue
    CASES.update(importlib.import_module(f"native.{m.name}").CASES)


def load(spec):
    dtype = np.int32 if spec.get("dtype") == "int32" else np.uint8
    arr = np.fromfile(spec["path"], dtype=dtype)
    shape = (spec["height"], spec["width"]) if spec["channels"] == 1 else (spec["height"], spec["width"], spec["channels"])
    return arr.reshape(shape)


def timeit(fn, min_runs=30, min_s=0.3, max_runs=2000):
    t = time.perf_counter()
    fn()
    first = (time.perf_counter() - t) * 1000
    for _ in range(3):
        fn()
    samples = []
    start = time.perf_counter()
    while (len(samples) < min_runs or time.perf_counter() - start < min_s) and len(samples) < max_runs:
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
    return {"first": first, "median": q(0.5), "p10": q(0.1), "p90": q(0.9), "runs": len(samples)}


def main():
    jobs = json.load(sys.stdin)
    out = {}
    for job in jobs:
        make = CASES.get(job["name"])
        if make is None:
            out[job["id"]] = {"error": f"no native case {job['name']}"}
            continue
        inputs = {k: load(v) for k, v in job["inputs"].items()}
        out[job["id"]] = timeit(make(inputs, job.get("args") or {}))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
