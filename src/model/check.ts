// Checks a created session's real inputs and outputs against the sidecar, once, at create.
// Every difference is listed, in the sidecar's terms, so the fix is obvious from the message.
import { EdgesegError } from "../core/errors.js";
import type { OrtSession } from "./runtime.js";
import type { Sidecar } from "./sidecar.js";

interface ValueMeta {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

const q = (s: string): string => `'${s}'`;
const list = (names: readonly string[]): string => names.map(q).join(", ");
const dim = (d: number | string | undefined): string => (typeof d === "number" && d >= 0 ? String(d) : `dynamic (${d ?? "?"})`);
const isFixed = (d: number | string | undefined): d is number => typeof d === "number" && d > 0;

/** What the checks learned about the model's input: whether H/W are fixed. */
export interface ModelShape {
  /** Fixed [height, width] when the model's input has numeric spatial dims. */
  fixedSize: [number, number] | null;
}

/** Throws MODEL_MISMATCH listing every difference between the sidecar and the session. */
export function checkModel(session: OrtSession, sidecar: Sidecar, modelName: string, sidecarName: string): ModelShape {
  const problems: string[] = [];
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  const inputMeta = (session as unknown as { inputMetadata?: ValueMeta[] }).inputMetadata ?? [];
  const outputMeta = (session as unknown as { outputMetadata?: ValueMeta[] }).outputMetadata ?? [];
  const s = sidecar;
  let fixedSize: [number, number] | null = null;

  if (!inputs.includes(s.input.name)) {
    problems.push(`sidecar says input ${q(s.input.name)} but the model's input${inputs.length === 1 ? " is" : "s are"} ${list(inputs)}`);
  } else {
    if (inputs.length > 1) problems.push(`the model has ${inputs.length} inputs (${list(inputs)}); edgeseg feeds exactly one`);
    const meta = inputMeta.find((m) => m.name === s.input.name);
    if (meta && meta.isTensor !== false) {
      if (meta.type && meta.type !== s.input.dtype) problems.push(`sidecar says input.dtype ${q(s.input.dtype)} but the model's input ${q(meta.name)} is ${q(meta.type)}`);
      const shape = meta.shape ?? [];
      if (shape.length !== 4) {
        problems.push(`sidecar says input layout 'nchw' (rank 4) but the model's input ${q(meta.name)} has rank ${shape.length} [${shape.join(", ")}]`);
      } else {
        if (isFixed(shape[0]) && shape[0] !== 1) problems.push(`the model's input batch dimension is ${shape[0]}; edgeseg feeds batches of 1`);
        if (isFixed(shape[1]) && shape[1] !== s.input.channels) problems.push(`sidecar says input.channels ${s.input.channels} but the model's input has ${shape[1]} channels`);
        const [h, w] = [shape[2], shape[3]];
        if (s.input.size === null) {
          if (isFixed(h) || isFixed(w)) problems.push(`sidecar says input.size null (dynamic) but the model's input is fixed ${dim(h)}×${dim(w)} (height×width)`);
        } else {
          const [sh, sw] = s.input.size;
          if ((isFixed(h) && h !== sh) || (isFixed(w) && w !== sw)) problems.push(`sidecar says input.size [${sh}, ${sw}] but the model's input is ${dim(h)}×${dim(w)} (height×width)`);
          fixedSize = [sh, sw];
        }
      }
    }
  }

  if (!outputs.includes(s.output.name)) {
    problems.push(`sidecar says output ${q(s.output.name)} but the model's output${outputs.length === 1 ? " is" : "s are"} ${list(outputs)}`);
  } else {
    const meta = outputMeta.find((m) => m.name === s.output.name);
    if (meta && meta.isTensor !== false) {
      if (meta.type && meta.type !== "float32") problems.push(`the model's output ${q(meta.name)} is ${q(meta.type)}; edgeseg reads float32 outputs`);
      const shape = meta.shape ?? [];
      if (shape.length !== 4) problems.push(`the model's output ${q(meta.name)} has rank ${shape.length} [${shape.join(", ")}]; edgeseg reads NCHW outputs (rank 4)`);
      else if (isFixed(shape[1]) && shape[1] !== s.output.channels) {
        problems.push(`sidecar says output.channels ${s.output.channels} but the model's output ${q(meta.name)} has ${shape[1]} channels`);
      }
    }
  }

  if (problems.length > 0) {
    throw new EdgesegError(
      "MODEL_MISMATCH",
      `The sidecar ${sidecarName} does not match the model ${modelName}:\n  - ${problems.join("\n  - ")}`,
    );
  }
  return { fixedSize };
}
