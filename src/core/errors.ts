/** Machine-readable reason attached to every error edgeseg throws. */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_IMAGE"
  | "UNSUPPORTED_FORMAT"
  | "NOT_INITIALIZED"
  | "NO_SIMD"
  | "DISPOSED"
  | "CORRUPT_FILE"
  | "BAD_MODEL"
  | "MODEL_MISMATCH"
  | "INFERENCE_FAILED"
  | "SOURCE_FAILED"
  | "MISSING_TOOL"
  | "BAD_CONFIG"
  | "IO_ERROR";

/**
 * The one error class edgeseg throws for anything that is not a programming bug in edgeseg itself.
 * `code` is stable and meant for `switch`; `message` names the argument, what was expected and what
 * was received.
 *
 * @example
 * try { threshold(img, { value: 300 }) } catch (e) { if (e instanceof EdgesegError) console.log(e.code) }
 */
export class EdgesegError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EdgesegError";
    this.code = code;
  }
}
