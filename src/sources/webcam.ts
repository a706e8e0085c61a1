// `webcam:` stills through node-webcam (fswebcam on Linux): one fswebcam process per shot, so this
// is for snapshots on a trigger or a slow interval (about 20–90 ms per shot), NOT for video rate:
// use `v4l2:///dev/video0` for that. node-webcam builds a shell command by string concatenation,
// so every option that reaches it is validated here and nothing else is passed.
import { EdgesegError } from "../core/errors.js";
import * as v from "../core/validate.js";
import { builtin, optionalPackage } from "./node.js";
import { PullSource, sleep } from "./pull.js";
import type { FrameSlot } from "./slots.js";
import { requireTool } from "./tools.js";
import type { PixelFormat, SourceOptions } from "./types.js";

type Sharp = typeof import("sharp").default;

/** Options of a `webcam:` source. Every one is checked before anything reaches a shell. */
export interface WebcamOptions {
  /** `/dev/videoN`, or fswebcam's built-in test picture `TEST:`. @default "/dev/video0" */
  device?: string;
  /** Still size in pixels. @default 640×480 */
  width?: number;
  height?: number;
  /** JPEG quality, 0–95 (fswebcam's range). @default 90 */
  quality?: number;
  /** Milliseconds between stills; 0 takes a still whenever the loop asks (a trigger). @default 1000 */
  interval?: number;
  /** Frames fswebcam skips before the still (lets auto-exposure settle), 0–100. @default 0 */
  skip?: number;
}

const DEVICE = /^(\/dev\/video\d{1,3}|TEST:)$/;
const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

/** Validates webcam options; returns a complete, frozen copy. Rejects anything a shell could misread. */
export function validateWebcamOptions(o: WebcamOptions): Required<WebcamOptions> {
  v.options("webcam options", o, ["device", "width", "height", "quality", "interval", "skip"]);
  const device = o.device ?? "/dev/video0";
  if (typeof device !== "string" || !DEVICE.test(device)) v.invalidParameter("webcam device", '"/dev/videoN" or "TEST:"', device);
  return Object.freeze({
    device,
    width: v.integer("webcam width", o.width ?? 640, 16, 4096),
    height: v.integer("webcam height", o.height ?? 480, 16, 4096),
    quality: v.integer("webcam quality", o.quality ?? 90, 0, 95),
    interval: v.integer("webcam interval", o.interval ?? 1000, 0, 86_400_000),
    skip: v.integer("webcam skip", o.skip ?? 0, 0, 100),
  });
}

interface NodeWebcamInstance {
  capture(location: string, cb: (err: Error | null, data: unknown) => void): void;
}

/** Stills from a webcam, one fswebcam run per frame. */
export class WebcamSource extends PullSource {
  private readonly shot: string;
  private lastShot = -Infinity;

  private constructor(
    readonly uri: string,
    private readonly cam: NodeWebcamInstance,
    private readonly sharp: Sharp,
    private readonly dir: string,
    readonly settings: Required<WebcamOptions>,
    format: PixelFormat,
    options: SourceOptions,
  ) {
    super(settings.width, settings.height, format, 0, options, false);
    this.shot = `${dir}/shot`;
  }

  static async open(uri: string, webcam: WebcamOptions, options: SourceOptions = {}): Promise<WebcamSource> {
    const settings = validateWebcamOptions(webcam);
    const format = options.format ?? "gray";
    if (format !== "gray" && format !== "rgb") throw new EdgesegError("INVALID_ARGUMENT", `Expected "gray" or "rgb" for the format of webcam: but received "${format}"`);
    requireTool("fswebcam", `${uri} (node-webcam captures stills with it)`);
    if (settings.device !== "TEST:" && !builtin("node:fs").existsSync(settings.device)) {
      throw new EdgesegError("SOURCE_FAILED", `Cannot open webcam ${settings.device}: no such device (\`edgeseg info\` lists the cameras found)`);
    }
    const NodeWebcam = await optionalPackage<{ create(o: object): NodeWebcamInstance }>("node-webcam", "webcam: stills");
    const sharp = await optionalPackage<Sharp>("sharp", "decoding webcam stills");
    const fs = builtin("node:fs");
    const os = builtin("node:os");
    const dir = fs.mkdtempSync(`${os.tmpdir()}/edgeseg-webcam-`);
    if (!SAFE_PATH.test(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new EdgesegError("INVALID_ARGUMENT", `The temporary folder ${dir} has characters that are unsafe in a shell command; set TMPDIR to a plain path`);
    }
    // Only validated numbers and the device pattern reach node-webcam; no title, no setValues.
    const cam = NodeWebcam.create({
      width: settings.width,
      height: settings.height,
      quality: settings.quality,
      delay: 0,
      skip: settings.skip || false,
      device: settings.device,
      output: "jpeg",
      callbackReturn: "location",
      saveShots: false,
      verbose: false,
      greyscale: false,
      title: false,
      subtitle: false,
      timestamp: false,
    });
    return new WebcamSource(uri, cam, sharp, dir, settings, format, options);
  }

  protected async produce(slot: FrameSlot): Promise<boolean> {
    const wait = this.lastShot + this.settings.interval - performance.now();
    if (wait > 0) await sleep(wait);
    if (this.closed) return false;
    this.lastShot = performance.now();
    const file = await new Promise<string>((resolve, reject) => {
      this.cam.capture(this.shot, (err, location) => (err ? reject(err) : resolve(String(location))));
    }).catch((e: Error) => {
      throw new EdgesegError("SOURCE_FAILED", `${this.uri}: ${e.message}`, { cause: e });
    });
    try {
      let img = this.sharp(file).removeAlpha().resize(this.width, this.height, { fit: "fill" });
      img = this.format === "gray" ? img.grayscale() : img.toColourspace("srgb");
      const { data } = await img.raw().toBuffer({ resolveWithObject: true });
      if (data.length !== slot.byteLength) throw new Error(`decoded ${data.length} bytes, expected ${slot.byteLength}`);
      slot.data.set(data);
      return true;
    } catch (e) {
      throw new EdgesegError("SOURCE_FAILED", `${this.uri}: could not decode the still: ${(e as Error).message}`, { cause: e });
    } finally {
      builtin("node:fs").rmSync(file, { force: true });
    }
  }

  protected override release(): void {
    builtin("node:fs").rmSync(this.dir, { recursive: true, force: true });
  }
}
