// A minimal protobuf reader for ONNX files: just enough to list a graph's nodes
// (ModelProto.graph = 7, GraphProto.node = 1 / input = 11 / output = 12,
//  NodeProto.input = 1 / output = 2 / name = 3 / op_type = 4 / domain = 7, ValueInfoProto.name = 1).

export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: string[];
  outputs: string[];
}

type Field = { no: number; wire: number; value: number | Uint8Array };

const utf8 = new TextDecoder();

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error("onnxproto: truncated varint");
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
}

/** Every top-level field of one protobuf message, in order. */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v: number;
      [v, pos] = readVarint(buf, pos);
      out.push({ no, wire, value: v });
    } else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      if (pos + len > buf.length) throw new Error(`onnxproto: field ${no} runs past the end of the message`);
      out.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else {
      throw new Error(`onnxproto: unsupported wire type ${wire} (field ${no})`);
    }
  }
  return out;
}

const bytesOf = (fs: Field[], no: number): Uint8Array[] =>
  fs.filter((f) => f.no === no && f.wire === 2).map((f) => f.value as Uint8Array);
const strOf = (fs: Field[], no: number): string[] => bytesOf(fs, no).map((b) => utf8.decode(b));

/** The nodes and graph input/output names of an ONNX ModelProto. */
export function parseOnnxGraph(model: Uint8Array): OnnxGraph {
  const graph = bytesOf(fields(model), 7)[0];
  if (!graph) throw new Error("onnxproto: the model has no graph (field 7)");
  const g = fields(graph);
  const nodes = bytesOf(g, 1).map((nb) => {
    const n = fields(nb);
    return {
      opType: strOf(n, 4)[0] ?? "",
      domain: strOf(n, 7)[0] ?? "",
      name: strOf(n, 3)[0] ?? "",
      inputs: strOf(n, 1),
      outputs: strOf(n, 2),
    };
  });
  const valueNames = (no: number) => bytesOf(g, no).map((v) => strOf(fields(v), 1)[0] ?? "");
  return { nodes, inputs: valueNames(11), outputs: valueNames(12) };
}

/** op_type -> count ("domain:op" for non-default domains). */
export function opCounts(g: OnnxGraph): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of g.nodes) {
    const k = n.domain && n.domain !== "ai.onnx" ? `${n.domain}:${n.opType}` : n.opType;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
