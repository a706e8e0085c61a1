// The real-time loop and its configuration.
export { runPipeline, type RunPipelineOptions, type RunSummary, type EndReason } from "./loop.js";
export { createProcessor, acceptedFormats, Converter, Refiner, type Processor, type ProcessResult, type ProcessTimings } from "./processors.js";
export { validateConfig, loadConfig } from "./config.js";
export type {
  RunConfig,
  PipelineConfig,
  ClassicalPipelineConfig,
  ModelPipelineConfig,
  ThresholdConfig,
  RefineConfig,
  SourceConfig,
  SinksConfig,
  LoopConfig,
  JsonlSinkConfig,
  OverlaySinkConfig,
  MqttSinkConfig,
  PreviewSinkConfig,
} from "./config.js";
export { labelRegions, filterRegions, type DetectedRegion, type RegionFilter } from "./regions.js";
export { LatencyHistogram, StageStats, STAGES, type Stage, type LatencySummary } from "./stats.js";
