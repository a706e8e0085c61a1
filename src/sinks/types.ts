// The one interface every output implements. Sinks never block the loop: `write` hands work off
// (a bounded queue, an async encoder, a socket) and counts what it had to drop.
import type { Image, Mask } from "../core/image.js";
import type { DetectedRegion } from "../pipeline/regions.js";

/** Stage latencies of one frame, in ms. `total` is frame read → regions out. */
export interface FrameLatency {
  capture: number;
  convert: number;
  preprocess: number;
  inference: number;
  postprocess: number;
  total: number;
}

/** The record of one processed frame (one JSON line). */
export interface FrameRecord {
  /** Sequence number at the source (gaps = dropped frames). */
  frame: number;
  /** Position in the stream, seconds. */
  pts: number;
  /** Wall-clock time the frame was read, ISO 8601. */
  time: string;
  width: number;
  height: number;
  /** True when at least one region passed the filters. */
  defect: boolean;
  regions: DetectedRegion[];
  latencyMs: FrameLatency;
}

/** Pixels that go with a record, valid only during `write()`: copy what you keep. */
export interface FrameView {
  /** The frame as the pipeline saw it (gray or RGB). */
  image: Image;
  mask: Mask;
}

/** Live figures the loop shares with sinks that report them (MQTT stats, the preview page). */
export interface LiveStatus {
  source: string;
  pipeline: string;
  frames: number;
  fps: number;
  dropped: number;
  corrupt: number;
  reopens: number;
  defects: number;
  elapsedSeconds: number;
  /** Per stage, over the last status window. */
  latency: Record<string, { p50: number; p95: number; p99: number; max: number }>;
  sinks: SinkStats[];
}

/** What a sink did. */
export interface SinkStats {
  name: string;
  /** Items written (records, files, messages). */
  written: number;
  /** Items dropped because the sink was slow or unavailable. Never silent: reported in the summary. */
  dropped: number;
  errors: number;
  lastError?: string;
  /** Sink-specific figures (queue length, clients, broker state…). */
  detail?: Record<string, number | string | boolean>;
}

export interface Sink {
  readonly name: string;
  /** Connects, opens files, binds ports. Errors here stop the run before the first frame. */
  open?(): Promise<void>;
  /** Takes one frame's record. Must return quickly; never throws. */
  write(record: FrameRecord, view: FrameView): void;
  /** Called once per status interval. */
  status?(status: LiveStatus): void;
  /** Waits until what was accepted is written (or dropped, and counted). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SinkStats;
}
