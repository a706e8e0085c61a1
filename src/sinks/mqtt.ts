// MQTT: defect events and periodic stats, QoS 1, reconnecting, with a bounded offline queue.
//
// Topic scheme (`prefix` defaults to "edgeseg", `device` to "cam0"):
//   <prefix>/<device>/defect  one message per frame with a defect: { frame, time, pts, source, regions: [...] }
//   <prefix>/<device>/stats   every `statsInterval` s: { frames, fps, dropped, defects, latency: { stage: { p50, p99 } }, … }
//   <prefix>/<device>/status  "online" / "offline" (retained; "offline" is also the last will)
//
// Delivery: while the broker is unreachable, messages wait in a queue of at most `queue` entries;
// when it is full the OLDEST message is dropped and counted (`dropped`). Messages already sent and
// not yet acknowledged when the connection breaks stay in mqtt.js's store and are resent on
// reconnect (at-least-once, as QoS 1 promises), so within the queue bound nothing is lost.
import { EdgesegError } from "../core/errors.js";
import { optionalPackage } from "../sources/node.js";
import type { FrameRecord, FrameView, LiveStatus, Sink, SinkStats } from "./types.js";

type MqttModule = typeof import("mqtt");
type MqttClient = import("mqtt").MqttClient;

export interface MqttSinkOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  /** Topic prefix; topics are `<prefix>/<device>/defect`, `…/stats` and `…/status`. @default "edgeseg" */
  prefix?: string;
  /** Device name in topics. @default "cam0" */
  device?: string;
  /** Seconds between stats messages (0 = none). @default 5 */
  statsInterval?: number;
  /** Events kept while the broker is unreachable; older ones are dropped and counted. @default 1000 */
  queue?: number;
  /** Milliseconds between reconnect attempts. @default 1000 */
  reconnectMs?: number;
  clientId?: string;
  /** Publishes awaiting their PUBACK before new ones wait in the queue. @default 64 */
  maxInFlight?: number;
  /** How long `open()` waits for the first connection before going on offline. @default 3000 */
  connectTimeoutMs?: number;
}

interface Message {
  topic: string;
  payload: string;
  retain: boolean;
}

/** The topics a sink publishes to. */
export function mqttTopics(prefix = "edgeseg", device = "cam0"): { defect: string; stats: string; status: string } {
  return { defect: `${prefix}/${device}/defect`, stats: `${prefix}/${device}/stats`, status: `${prefix}/${device}/status` };
}

export class MqttSink implements Sink {
  readonly name: string;
  readonly topics: ReturnType<typeof mqttTopics>;
  private client: MqttClient | null = null;
  private readonly queue: Message[] = [];
  private inFlight = 0;
  private written = 0;
  private dropped = 0;
  private errors = 0;
  private lastError: string | undefined;
  private connects = 0;
  private lastStatsAt = -Infinity;
  private closing = false;
  private idle: (() => void)[] = [];

  constructor(private readonly options: MqttSinkOptions) {
    this.name = `mqtt:${options.url}`;
    this.topics = mqttTopics(options.prefix, options.device);
  }

  async open(): Promise<void> {
    const mqtt = await optionalPackage<MqttModule>("mqtt", "the MQTT sink");
    const o = this.options;
    let client: MqttClient;
    try {
      client = mqtt.connect(o.url, {
        clientId: o.clientId ?? `edgeseg-${o.device ?? "cam0"}-${process.pid}`,
        reconnectPeriod: o.reconnectMs ?? 1000,
        connectTimeout: 5000,
        clean: true,
        queueQoSZero: false,
        will: { topic: this.topics.status, payload: Buffer.from("offline"), qos: 1, retain: true },
      });
    } catch (e) {
      throw new EdgesegError("INVALID_ARGUMENT", `Cannot use MQTT broker URL ${o.url}: ${(e as Error).message}`, { cause: e });
    }
    this.client = client;
    client.on("connect", () => {
      this.connects++;
      this.publish({ topic: this.topics.status, payload: "online", retain: true });
      this.drain();
    });
    client.on("error", (e) => {
      this.errors++;
      this.lastError = e.message;
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.connectTimeoutMs ?? 3000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  private enqueue(message: Message): void {
    const bound = this.options.queue ?? 1000;
    this.queue.push(message);
    while (this.queue.length > bound) {
      this.queue.shift();
      this.dropped++;
    }
    this.drain();
  }

  private publish(message: Message): void {
    const client = this.client!;
    this.inFlight++;
    client.publish(message.topic, message.payload, { qos: 1, retain: message.retain }, (err) => {
      this.inFlight--;
      if (err) {
        // Only when the client is being ended: the message could not be delivered.
        this.errors++;
        this.lastError = err.message;
        if (!this.closing) this.queue.unshift(message);
      } else this.written++;
      this.drain();
    });
  }

  private drain(): void {
    const client = this.client;
    const max = this.options.maxInFlight ?? 64;
    while (client?.connected && this.queue.length > 0 && this.inFlight < max) this.publish(this.queue.shift()!);
    if (this.queue.length === 0 && this.inFlight === 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const w of waiting) w();
    }
  }

  write(record: FrameRecord, _view?: FrameView): void {
    if (!record.defect) return;
    this.enqueue({
      topic: this.topics.defect,
      payload: JSON.stringify({ frame: record.frame, time: record.time, pts: record.pts, width: record.width, height: record.height, regions: record.regions }),
      retain: false,
    });
  }

  status(s: LiveStatus): void {
    const every = (this.options.statsInterval ?? 5) * 1000;
    if (every <= 0) return;
    const now = performance.now();
    if (now - this.lastStatsAt < every) return;
    this.lastStatsAt = now;
    this.enqueue({
      topic: this.topics.stats,
      payload: JSON.stringify({ ...s, sinks: undefined, time: new Date().toISOString() }),
      retain: false,
    });
  }

  /** Waits until every queued message is acknowledged, or `timeoutMs` passes (then they stay counted as queued). */
  flush(timeoutMs = 5000): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await this.flush(client.connected ? 5000 : 0);
    this.closing = true;
    // Anything still queued now is lost: count it.
    this.dropped += this.queue.length;
    this.queue.length = 0;
    if (client.connected) {
      await new Promise<void>((resolve) => client.publish(this.topics.status, "offline", { qos: 1, retain: true }, () => resolve()));
    }
    await client.endAsync(true).catch(() => undefined);
    this.client = null;
  }

  stats(): SinkStats {
    return {
      name: this.name,
      written: this.written,
      dropped: this.dropped,
      errors: this.errors,
      lastError: this.lastError,
      detail: { connected: this.connected, queued: this.queue.length, inFlight: this.inFlight, connects: this.connects },
    };
  }
}
