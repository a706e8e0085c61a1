// Frame sources: one interface (`FrameSource`), opened from a URI by `openSource`.
export * from "./types.js";
export { FrameSlot } from "./slots.js";
export { openSource, parseSourceUri, SOURCE_SCHEMES, type SourceSpec, type SourceKind, type OpenSourceOptions } from "./open.js";
export { FfmpegSource, type FfmpegInput } from "./ffmpeg.js";
export { Y4mSource, parseY4mHeader, type Y4mHeader } from "./y4m.js";
export { ImageFolderSource, expandImages } from "./images.js";
export { SyntheticSource, SYNTHETIC_LEVELS, type SyntheticOptions } from "./synthetic.js";
export { WebcamSource, validateWebcamOptions, type WebcamOptions } from "./webcam.js";
export { toolVersion, requireTool, probe, type ProbeResult } from "./tools.js";
