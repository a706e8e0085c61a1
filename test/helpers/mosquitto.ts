// Starts a real mosquitto broker on a free loopback port for a test (toolchain notes §6).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MOSQUITTO = "/usr/sbin/mosquitto";

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Broker {
  port: number;
  url: string;
  /** Stops the broker (SIGTERM, waits for exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its config folder. */
  dispose(): Promise<void>;
}

/** Starts mosquitto on `port` (default: a free one) with a throw-away config. */
export async function startBroker(port?: number): Promise<Broker> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "edgeseg-mosquitto-"));
  const conf = join(dir, "mosquitto.conf");
  // log_dest stderr: a piped stdout is block-buffered and the "running" line would never arrive.
  writeFileSync(conf, `listener ${p} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type information\n`);
  let proc: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
      proc = child;
      let log = "";
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`mosquitto did not start on port ${p}: ${log}`));
      }, 5000);
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (t: string) => {
        log += t;
        if (/running/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited with ${code}: ${log}`));
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });

  const stop = async () => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };

  await start();
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    start,
    async stop() {
      await stop();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
