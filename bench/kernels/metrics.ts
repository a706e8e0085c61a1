// Benchmark cases for the metrics family: the confusion pass against a memcpy of the same bytes,
// and boundary metrics (Hausdorff + HD95) against MONAI's scipy formulation (two exact EDTs).
import { allocImage, boundaryMetrics, confusion } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;

/** A prediction/truth pair: two nearby thresholds of a smooth image, so boundaries are close like a real prediction's. */
function maskPair(w: number, h: number) {
  const base = allocImage(w, h, 1);
  fillRealistic(base.data, w);
  const pred = allocImage(w, h, 1);
  const truth = allocImage(w, h, 1);
  const b = base.data;
  const p = pred.data;
  const t = truth.data;
  for (let i = 0; i < b.length; i++) {
    t[i] = b[i]! > 150 ? 255 : 0;
    p[i] = b[i]! > 146 ? 255 : 0;
  }
  base.dispose();
  return { pred, truth };
}

export function cases({ cv }: BenchContext): BenchCase[] {
  return SIZES.flatMap(([w, h]) => {
    const { pred, truth } = maskPair(w, h);
    const cvPred = cv.matFromArray(h, w, cv.CV_8UC1, pred.data);
    const cvTruth = cv.matFromArray(h, w, cv.CV_8UC1, truth.data);
    const tmp = new cv.Mat();
    const nativeInputs = {
      pred: { width: w, height: h, channels: 1, data: pred.data.slice() },
      truth: { width: w, height: h, channels: 1, data: truth.data.slice() },
    };
    const big = w === 1920;
    const confusionCase: BenchCase = {
      kernel: "confusion (tp/fp/fn/tn)",
      size: `${w}x${h}`,
      ours: () => confusion(pred, truth),
      opencvjs: {
        // The same counts with opencv.js: two ANDs and three countNonZero.
        run: () => {
          cv.bitwise_and(cvPred, cvTruth, tmp);
          const tp = cv.countNonZero(tmp);
          const p = cv.countNonZero(cvPred);
          const t = cv.countNonZero(cvTruth);
          return { tp, fp: p - tp, fn: t - tp };
        },
      },
      native: { name: "confusion", inputs: nativeInputs },
      // The pass reads both masks: a memcpy of the same bytes copies w*h*2.
      floorBytes: w * h * 2,
      targets: big ? [{ label: "≤3× memcpy of the same bytes", check: (r) => r.vsFloor <= 3 }] : [],
    };
    const boundaryCase: BenchCase = {
      kernel: "Hausdorff + HD95 + ASSD",
      size: `${w}x${h}`,
      ours: () => boundaryMetrics(pred, truth, { percentile: 95 }),
      native: { name: "boundary (scipy EDT, MONAI)", inputs: nativeInputs },
      floorBytes: w * h * 2,
      targets: big ? [{ label: "< 10 ms", check: (r) => r.ours.median < 10 }] : [],
      dispose: () => {
        pred.dispose();
        truth.dispose();
        cvPred.delete();
        cvTruth.delete();
        tmp.delete();
      },
    };
    return [confusionCase, boundaryCase];
  });
}
