// The model path: Segmenter, sidecar schema and parser.
export {
  Segmenter,
  type SegmenterOptions,
  type SegmentOptions,
  type SegmentResult,
  type SegmentRegion,
  type SegmentTimings,
  type TileOptions,
} from "./segmenter.js";
export type { RefineOptions } from "./refine.js";
export { parseSidecar, type Sidecar, type SidecarClass, type InputDtype, type OutputKind } from "./sidecar.js";
export type { Backend } from "./runtime.js";
