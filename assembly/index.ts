// The single WebAssembly module: every kernel family is re-exported here.
// Kernels take pointers into linear memory and sizes, never managed arrays:
// memory is owned by the host allocator (src/core/memory.ts), see assembly/util/memory.ts.
export { heapBase } from "./util/memory";
export * from "./threshold";
export * from "./morphology";
export * from "./color";
export * from "./resize";
export * from "./normalize";
export * from "./components";
export * from "./distance";
export * from "./edges";
export * from "./contours";
export * from "./watershed";
export * from "./metrics";
export * from "./postprocess";
