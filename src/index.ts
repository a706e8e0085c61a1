// Public API of edgeseg. Every export here is documented with TSDoc.
export { init, hasSimd, type WasmSource } from "./core/wasm.js";
export { EdgesegError, type ErrorCode } from "./core/errors.js";
export { type Image, type Mask, type Channels, createImage } from "./core/image.js";
export { allocImage, WasmImage, WasmBuffer, memoryStats, releaseScratch } from "./core/memory.js";

export * from "./kernels/threshold.js";
export * from "./kernels/morphology.js";
export * from "./kernels/color.js";
export * from "./kernels/resize.js";
export * from "./kernels/normalize.js";
export * from "./kernels/components.js";
export * from "./kernels/regions.js";
export * from "./kernels/distance.js";
export * from "./kernels/edges.js";
export * from "./kernels/contours.js";
export * from "./kernels/watershed.js";
export * from "./kernels/metrics.js";
export { detectionMetrics, type DetectionOptions, type DetectionResult } from "./eval/detection.js";
export { evaluatePair, summarize, type EvaluateOptions, type EvaluationSummary, type ImageResult } from "./eval/evaluate.js";
export * from "./model/index.js";

// The runtime: frame sources, the real-time loop, sinks. Node-only parts load Node modules lazily,
// so the browser bundle still loads (it just cannot open a camera through ffmpeg).
export * from "./sources/index.js";
export * from "./pipeline/index.js";
export * from "./sinks/index.js";
