// Benchmark cases for the morphology family, side by side with opencv.js and native OpenCV.
import { allocImage, morphology, type MorphOp, type MorphShape } from "../../src/index.js";
import { type BenchCase, type BenchContext, fillRealistic } from "../harness.js";

const SIZES = [[640, 480], [1920, 1080]] as const;
const CASES: ReadonlyArray<{ kernel: string; op: MorphOp; shape: MorphShape; size: number }> = [
  { kernel: "erode 3x3", op: "erode", shape: "rect", size: 3 },
  { kernel: "dilate 3x3", op: "dilate", shape: "rect", size: 3 },
  { kernel: "erode 15x15", op: "erode", shape: "rect", size: 15 },
  { kernel: "dilate 15x15", op: "dilate", shape: "rect", size: 15 },
  { kernel: "open 5x5 ellipse", op: "open", shape: "ellipse", size: 5 },
  { kernel: "close 5x5 ellipse", op: "close", shape: "ellipse", size: 5 },
];

export function cases({ cv, results }: BenchContext): BenchCase[] {
  const cvOp: Record<string, number> = { erode: cv.MORPH_ERODE, dilate: cv.MORPH_DILATE, open: cv.MORPH_OPEN, close: cv.MORPH_CLOSE };
  const cvShape: Record<string, number> = { rect: cv.MORPH_RECT, ellipse: cv.MORPH_ELLIPSE };
  return SIZES.flatMap(([w, h]) =>
    CASES.map(({ kernel, op, shape, size }) => {
      const img = allocImage(w, h, 1);
      fillRealistic(img.data, w);
      const out = allocImage(w, h, 1);
      const src = cv.matFromArray(h, w, cv.CV_8UC1, img.data);
      const dst = new cv.Mat();
      const element = cv.getStructuringElement(cvShape[shape], new cv.Size(size, size));
      const targets: BenchCase["targets"] = [];
      if (w === 1920) {
        targets.push({ label: "≥5× opencv.js", check: (r) => (r.vsOpencvjs ?? 0) >= 5 });
        if (size === 3) targets.push({ label: "≤3× memcpy", check: (r) => r.vsFloor <= 3 });
        if (size === 15) {
          const small = `${op} 3x3@${w}x${h}`;
          targets.push({ label: `≤2× ${op} 3x3`, check: (r) => r.ours.median <= 2 * (results.get(small)?.ours.median ?? 0) });
        }
      }
      return {
        kernel,
        size: `${w}x${h}`,
        ours: () => morphology(img, { op, shape, size, out }),
        opencvjs: {
          run: () => cv.morphologyEx(src, dst, cvOp[op], element),
          dispose: () => (src.delete(), dst.delete(), element.delete()),
        },
        native: { name: "morphology", args: { op, shape, size }, inputs: { img: { width: w, height: h, channels: 1, data: img.data.slice() } } },
        floorBytes: w * h,
        targets,
        dispose: () => (img.dispose(), out.dispose()),
      } satisfies BenchCase;
    }),
  );
}
