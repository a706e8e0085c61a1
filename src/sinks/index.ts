// Sinks: where frame records go. Each implements `Sink`; `createSinks` builds them from a config.
import type { SinksConfig } from "../pipeline/config.js";
import { JsonlSink } from "./jsonl.js";
import { MqttSink } from "./mqtt.js";
import { OverlaySink } from "./overlay.js";
import { PreviewSink } from "./preview.js";
import type { Sink } from "./types.js";

export * from "./types.js";
export { JsonlSink, recordToJson, type JsonlSinkOptions } from "./jsonl.js";
export { OverlaySink, type OverlaySinkOptions } from "./overlay.js";
export { MqttSink, mqttTopics, type MqttSinkOptions } from "./mqtt.js";
export { PreviewSink, type PreviewSinkOptions } from "./preview.js";
export { drawOverlay } from "./draw.js";

/** Builds (but does not open) the sinks a validated config lists. */
export function createSinks(config: SinksConfig): Sink[] {
  const sinks: Sink[] = [];
  if (config.jsonl) sinks.push(new JsonlSink(config.jsonl));
  if (config.overlays) sinks.push(new OverlaySink(config.overlays));
  if (config.mqtt) sinks.push(new MqttSink(config.mqtt));
  if (config.preview) sinks.push(new PreviewSink(config.preview));
  return sinks;
}
