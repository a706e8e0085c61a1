// Host-side owner of the kernels' linear memory (layout: assembly/util/memory.ts).
//
// A first-fit free-list allocator over [heapBase, memory end). Frame buffers are allocated once and
// reused; `scratch()` hands out grow-only per-purpose buffers so that a kernel called again with the
// same frame size allocates nothing. Typed-array views are re-created only when memory grows
// (growth detaches every old view).
import { EdgesegError } from "./errors.js";
import type { Channels, Image } from "./image.js";
import { kernels } from "./wasm.js";

const ALIGN = 16;
const PAGE = 65536;

interface Block {
  ptr: number;
  size: number;
}

class Heap {
  private free: Block[] = [];
  private top = 0;
  private inUse = new Map<number, number>();
  private _memory: WebAssembly.Memory | null = null;

  get memory(): WebAssembly.Memory {
    if (!this._memory) {
      const k = kernels();
      this._memory = k.memory;
      this.top = k.heapBase() >>> 0;
    }
    return this._memory;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const memory = this.memory;
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size >= size) {
        const ptr = block.ptr;
        if (block.size === size) this.free.splice(i, 1);
        else {
          block.ptr += size;
          block.size -= size;
        }
        this.inUse.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > memory.buffer.byteLength) {
      const pages = Math.ceil((end - memory.buffer.byteLength) / PAGE);
      try {
        memory.grow(pages);
      } catch (e) {
        throw new EdgesegError("INVALID_ARGUMENT", `Out of WebAssembly memory allocating ${bytes} bytes (${memory.buffer.byteLength} in use)`, { cause: e });
      }
    }
    this.top = end;
    this.inUse.set(ptr, size);
    return ptr;
  }

  release(ptr: number): void {
    const size = this.inUse.get(ptr);
    if (size === undefined) return;
    this.inUse.delete(ptr);
    // Insert sorted and coalesce with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i]!.ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.ptr) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
      i--;
    }
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  stats(): { memoryBytes: number; allocatedBytes: number; blocks: number } {
    let allocated = 0;
    for (const size of this.inUse.values()) allocated += size;
    return { memoryBytes: this.memory.buffer.byteLength, allocatedBytes: allocated, blocks: this.inUse.size };
  }
}

const heap = new Heap();

/** The kernels' memory (for zero-copy checks). */
export function wasmMemory(): WebAssembly.Memory {
  return heap.memory;
}

/** Bytes of linear memory and bytes handed out, for leak checks and `edgeseg bench`. */
export function memoryStats(): { memoryBytes: number; allocatedBytes: number; blocks: number } {
  return heap.stats();
}

/**
 * Which WasmBuffer made a view. Growing memory detaches every view (length 0, byteOffset 0), so a
 * view a caller took from a WasmImage before a kernel grew memory can only be traced back here.
 */
const viewOwners = new WeakMap<ArrayBufferView, WasmBuffer>();

type ViewCtor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * A buffer in WASM memory with an explicit lifetime. Its views stay valid when memory grows
 * (they are re-created on access); they are invalid after `dispose()`.
 */
export class WasmBuffer {
  readonly ptr: number;
  readonly byteLength: number;
  private disposed = false;
  private cachedBuffer: ArrayBuffer | null = null;
  private cachedViews = new Map<unknown, ArrayBufferView>();

  constructor(byteLength: number) {
    this.byteLength = byteLength;
    this.ptr = heap.alloc(byteLength);
  }

  /** A view of the buffer as `ctor` elements; cached until memory grows. */
  view<T extends ArrayBufferView>(ctor: ViewCtor<T>): T {
    if (this.disposed) throw new EdgesegError("DISPOSED", "This WASM buffer was disposed and can no longer be used");
    const buffer = heap.memory.buffer;
    if (buffer !== this.cachedBuffer) {
      this.cachedViews.clear();
      this.cachedBuffer = buffer;
    }
    let v = this.cachedViews.get(ctor) as T | undefined;
    if (!v) {
      v = new ctor(buffer, this.ptr, Math.floor(this.byteLength / ctor.BYTES_PER_ELEMENT));
      this.cachedViews.set(ctor, v);
      viewOwners.set(v, this);
    }
    return v;
  }

  get u8(): Uint8Array {
    return this.view(Uint8Array);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cachedViews.clear();
    heap.release(this.ptr);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * An image whose pixels live in WASM memory: kernels read and write it without copying.
 * Use it for frame buffers that are reused every frame; call `dispose()` when done.
 *
 * @example
 * const frame = allocImage(1920, 1080, 1);
 * frame.data.set(pixels);                 // one copy in
 * threshold(frame, { value: 128, out: mask }); // no copies
 */
export class WasmImage implements Image {
  readonly width: number;
  readonly height: number;
  readonly channels: Channels;
  readonly buffer: WasmBuffer;

  constructor(width: number, height: number, channels: Channels) {
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.buffer = new WasmBuffer(width * height * channels);
  }

  /** The pixels; a fresh view after memory growth, so do not keep it across kernel calls. */
  get data(): Uint8Array {
    return this.buffer.u8;
  }

  get ptr(): number {
    return this.buffer.ptr;
  }

  dispose(): void {
    this.buffer.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Allocates an image in WASM memory (see {@link WasmImage}). */
export function allocImage(width: number, height: number, channels: Channels = 1): WasmImage {
  return new WasmImage(width, height, channels);
}

// ---- scratch: grow-only, keyed by purpose, reused across calls ----

const scratchBuffers = new Map<string, WasmBuffer>();

/** A reusable buffer of at least `bytes` for one purpose (e.g. "threshold.in"). Contents are undefined. */
export function scratch(key: string, bytes: number): WasmBuffer {
  const existing = scratchBuffers.get(key);
  if (existing && existing.byteLength >= bytes) return existing;
  existing?.dispose();
  const created = new WasmBuffer(Math.max(bytes, 16));
  scratchBuffers.set(key, created);
  return created;
}

/** Releases every scratch buffer (after processing a very large frame once, say). */
export function releaseScratch(): void {
  for (const b of scratchBuffers.values()) b.dispose();
  scratchBuffers.clear();
}

/**
 * The WASM address of `data` if it is a view of WASM memory, else -1. Views made by a
 * `WasmBuffer`/`WasmImage` are recognized even after memory growth detached them.
 */
export function addressOf(data: ArrayBufferView): number {
  const owner = viewOwners.get(data);
  if (owner && !owner.isDisposed) return owner.ptr;
  return data.buffer === heap.memory.buffer ? data.byteOffset : -1;
}

/** A live view for `data`: itself, or a fresh view of its WasmBuffer if memory growth detached it. */
export function refreshView<T extends ArrayBufferView>(data: T): T {
  const owner = viewOwners.get(data);
  if (!owner || owner.isDisposed || data.buffer === heap.memory.buffer) return data;
  return owner.view(data.constructor as ViewCtor<T>);
}

/**
 * Pointer to the packed pixels of `img` in WASM memory: zero-copy when the image already lives
 * there with packed rows, otherwise copied (and unpadded) into the scratch slot `key`.
 */
export function inputPointer(img: Image, key: string): number {
  const rowBytes = img.width * img.channels;
  const stride = img.stride ?? rowBytes;
  const direct = addressOf(img.data);
  if (direct >= 0 && stride === rowBytes) return direct;
  const buf = scratch(key, rowBytes * img.height);
  const dst = buf.u8;
  if (stride === rowBytes) dst.set(img.data.subarray(0, rowBytes * img.height));
  else for (let y = 0; y < img.height; y++) dst.set(img.data.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
  return buf.ptr;
}

/**
 * Where a kernel should write `bytes` of output: directly into `out` when it lives in WASM
 * memory, otherwise into the scratch slot `key`. Call `finish()` after the kernel to copy out
 * (into `out` when given, or into a new array).
 */
export function outputTarget(bytes: number, out: Uint8Array | undefined, key: string): { ptr: number; finish(): Uint8Array } {
  if (out) {
    const direct = addressOf(out);
    if (direct >= 0) return { ptr: direct, finish: () => refreshView(out) };
    const buf = scratch(key, bytes);
    return { ptr: buf.ptr, finish: () => (out.set(buf.u8.subarray(0, bytes)), out) };
  }
  const buf = scratch(key, bytes);
  return { ptr: buf.ptr, finish: () => buf.u8.slice(0, bytes) };
}

/** Like outputTarget for typed arrays other than bytes (Int32Array labels, Float32Array distances). */
export function typedOutputTarget<T extends Int16Array | Int32Array | Float32Array | Uint32Array | Float64Array>(
  ctor: ViewCtor<T> & { new (n: number): T },
  length: number,
  out: T | undefined,
  key: string,
): { ptr: number; finish(): T } {
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (out) {
    const direct = addressOf(out);
    if (direct >= 0) return { ptr: direct, finish: () => refreshView(out) };
    const buf = scratch(key, bytes);
    return { ptr: buf.ptr, finish: () => (out.set(buf.view(ctor).subarray(0, length) as never), out) };
  }
  const buf = scratch(key, bytes);
  return { ptr: buf.ptr, finish: () => buf.view(ctor).slice(0, length) as T };
}
