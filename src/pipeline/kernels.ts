// The kernels the loop calls, looked up by name in the kernel families. The loop is written
// against the public kernel names (toGray, yuyvToRgb, nv12ToRgb, i420ToRgb, otsuThreshold,
// adaptiveThreshold, morphology, fillHoles, removeSmallRegions, connectedComponents, selectRegions);
// a family that is not in this build leaves its names undefined, and the loop then either asks the
// source for a format it can use directly or says which kernel is missing.
import { EdgesegError } from "../core/errors.js";
import type { Image, Mask } from "../core/image.js";
import * as color from "../kernels/color.js";
import * as components from "../kernels/components.js";
import * as contours from "../kernels/contours.js";
import * as morphology from "../kernels/morphology.js";
import * as regions from "../kernels/regions.js";
import * as resize from "../kernels/resize.js";
import * as threshold from "../kernels/threshold.js";

type Fn = (...args: never[]) => unknown;
let table: Record<string, unknown> | null = null;

function all(): Record<string, unknown> {
  table ??= Object.assign({}, color, components, contours, morphology, regions, resize, threshold) as Record<string, unknown>;
  return table;
}

/** The kernel function `name`, or undefined when its family is not in this build. */
export function kernel<T extends Fn>(name: string): T | undefined {
  const f = all()[name];
  return typeof f === "function" ? (f as T) : undefined;
}

/** The kernel function `name`, or an error saying what needs it. */
export function requireKernel<T extends Fn>(name: string, purpose: string): T {
  const f = kernel<T>(name);
  if (!f) throw new EdgesegError("UNSUPPORTED_FORMAT", `${purpose} needs the ${name} kernel, which is not in this build of edgeseg`);
  return f;
}

/** Whether every named kernel is available. */
export function hasKernels(...names: string[]): boolean {
  return names.every((n) => kernel(n) !== undefined);
}

/** A mask-producing kernel call; some kernels return `{ mask, … }`, others the mask itself. */
export function maskOf(result: unknown): Mask {
  if (result && typeof result === "object" && "mask" in result) return (result as { mask: Mask }).mask;
  return result as Mask;
}

export type { Image, Mask };
