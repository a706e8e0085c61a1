// The MQTT sink against a real mosquitto broker on a loopback port: topics, QoS 1, and a broker
// that goes away and comes back without losing queued events (within the queue bound).
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttSink } from "../../src/sinks/mqtt.js";
import type { FrameRecord, LiveStatus } from "../../src/sinks/types.js";
import { type Broker, startBroker } from "../helpers/mosquitto.js";

let broker: Broker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.dispose();
});

function record(frame: number, defect = true): FrameRecord {
  return {
    frame,
    pts: frame / 30,
    time: new Date(0).toISOString(),
    width: 64,
    height: 48,
    defect,
    regions: defect ? [{ label: 1, area: 10 + frame, x: 1, y: 2, width: 3, height: 4, cx: 2, cy: 3 }] : [],
    latencyMs: { capture: 0, convert: 0, preprocess: 0, inference: 1, postprocess: 1, total: 2 },
  };
}
const view = { image: { width: 1, height: 1, channels: 1 as const, data: new Uint8Array(1) }, mask: { width: 1, height: 1, channels: 1 as const, data: new Uint8Array(1) } };

async function subscriber(topic: string): Promise<{ client: mqtt.MqttClient; messages: { topic: string; payload: string }[] }> {
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clean: true });
  const messages: { topic: string; payload: string }[] = [];
  client.on("message", (t, p) => messages.push({ topic: t, payload: p.toString() }));
  await client.subscribeAsync(topic, { qos: 1 });
  return { client, messages };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("MqttSink", () => {
  it("publishes defect events and stats on the documented topics, and retains its status", async () => {
    const sub = await subscriber("factory/#");
    const sink = new MqttSink({ url: broker.url, prefix: "factory", device: "line1", statsInterval: 0.1 });
    await sink.open();
    sink.write(record(1), view);
    sink.write(record(2, false), view); // no defect: no event
    sink.write(record(3), view);
    sink.status({ frames: 3, fps: 30, dropped: 0, corrupt: 0, reopens: 0, defects: 2, elapsedSeconds: 0.1, latency: { total: { p50: 2, p95: 2, p99: 2, max: 2 } }, sinks: [], source: "s", pipeline: "p" } as LiveStatus);
    await sink.flush();
    await until(() => sub.messages.filter((m) => m.topic !== "factory/line1/status").length === 3);
    const defects = sub.messages.filter((m) => m.topic === "factory/line1/defect").map((m) => JSON.parse(m.payload));
    expect(defects.map((d) => d.frame)).toEqual([1, 3]);
    expect(defects[1].regions[0]).toMatchObject({ area: 13, x: 1, y: 2 });
    const stats = JSON.parse(sub.messages.find((m) => m.topic === "factory/line1/stats")!.payload);
    expect(stats).toMatchObject({ frames: 3, fps: 30, defects: 2 });
    expect(sub.messages.find((m) => m.topic === "factory/line1/status")?.payload).toBe("online");
    await sink.close();
    await until(() => sub.messages.some((m) => m.topic === "factory/line1/status" && m.payload === "offline"));
    expect(sink.stats()).toMatchObject({ dropped: 0, errors: 0 });
    await sub.client.endAsync();
  });

  it("keeps events while the broker is down and delivers them after it restarts; beyond the bound the oldest are dropped and counted", async () => {
    const sink = new MqttSink({ url: broker.url, device: "cam9", queue: 20, reconnectMs: 1000, statsInterval: 0 });
    await sink.open();
    const sub1 = await subscriber("edgeseg/cam9/defect");
    for (let i = 0; i < 5; i++) sink.write(record(i), view);
    await sink.flush();
    await until(() => sub1.messages.length === 5);
    await sub1.client.endAsync(true);

    await broker.stop();
    await until(() => !sink.connected);
    // 25 events while offline: the queue holds 20, so the 5 oldest are dropped (and counted).
    for (let i = 100; i < 125; i++) sink.write(record(i), view);
    expect(sink.stats()).toMatchObject({ dropped: 5, detail: { queued: 20, connected: false } });

    await broker.start();
    // The subscriber is back before the sink's next reconnect attempt (1 s period).
    const sub2 = await subscriber("edgeseg/cam9/defect");
    await until(() => sink.connected, 4000);
    await sink.flush();
    await until(() => sub2.messages.length >= 20);
    const frames = sub2.messages.map((m) => JSON.parse(m.payload).frame as number);
    expect(frames).toEqual(Array.from({ length: 20 }, (_, i) => 105 + i));
    expect(sink.stats()).toMatchObject({ dropped: 5, detail: { queued: 0 } });
    await sink.close();
    await sub2.client.endAsync();
  });
});
