// Memory layout
// -------------
// [0, __heap_base)       static data of this module (constant tables only)
// [__heap_base, end)     owned by the host: src/core/memory.ts runs a first-fit
//                        allocator there and grows memory itself.
// The module is built with the `stub` runtime and never allocates: a kernel only
// reads and writes the pointers it is given, so steady-state calls cost no memory.

/** First byte the host allocator may use. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
