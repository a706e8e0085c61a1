// Shared helpers of the edgeseg commands: flag parsing, the live status line, number formatting
// and the --json output. `eval` and `bench` use these too.
import { EdgesegError } from "../core/errors.js";

/** How one flag is parsed. */
export interface FlagSpec {
  type: "string" | "number" | "integer" | "boolean";
  /** One-letter alias, e.g. "q" for --quiet. */
  short?: string;
  /** For strings: the allowed values. */
  choices?: readonly string[];
  /** For booleans that may take a value (`--preview` or `--preview 8081`): parse the next token as this type if it looks like one. */
  optionalValue?: "integer";
}

export interface ParsedArgs {
  values: Record<string, string | number | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `--flag value`, `--flag=value`, `-f value`, `--no-flag` and positionals. Unknown flags and
 * bad values throw INVALID_ARGUMENT naming the flag, so the command exits with EXIT.USAGE.
 *
 * @example
 * const { values, positionals } = parseArgs(["clip.mp4", "--fps", "30"], { fps: { type: "number" } }, "run");
 */
export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const values: ParsedArgs["values"] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      positionals.push(token);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
    } else {
      const key = byShort.get(token.slice(1));
      if (!key) throw new EdgesegError("INVALID_ARGUMENT", `Unknown option ${token} for edgeseg ${command}; see edgeseg ${command} --help`);
      name = key;
    }
    let s = spec[name];
    if (!s && name.startsWith("no-") && spec[name.slice(3)]?.type === "boolean") {
      values[name.slice(3)] = false;
      continue;
    }
    if (!s) throw new EdgesegError("INVALID_ARGUMENT", `Unknown option --${name} for edgeseg ${command}; see edgeseg ${command} --help`);
    if (s.type === "boolean") {
      if (s.optionalValue && inline === undefined && argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]!)) {
        values[name] = Number(argv[++i]);
      } else if (inline !== undefined) {
        if (s.optionalValue && /^\d+$/.test(inline)) values[name] = Number(inline);
        else if (inline === "true" || inline === "false") values[name] = inline === "true";
        else throw new EdgesegError("INVALID_ARGUMENT", `Expected true or false for --${name} but received "${inline}"`);
      } else values[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new EdgesegError("INVALID_ARGUMENT", `Expected a value after --${name}`);
    if (s.type === "string") {
      if (s.choices && !s.choices.includes(raw)) throw new EdgesegError("INVALID_ARGUMENT", `Expected one of ${s.choices.join(", ")} for --${name} but received "${raw}"`);
      values[name] = raw;
    } else {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || (s.type === "integer" && !Number.isInteger(n))) {
        throw new EdgesegError("INVALID_ARGUMENT", `Expected ${s.type === "integer" ? "an integer" : "a number"} for --${name} but received "${raw}"`);
      }
      values[name] = n;
    }
    s = undefined;
  }
  return { values, positionals };
}

/** Milliseconds with sensible precision. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/**
 * A one-line live status on a TTY (rewritten in place on stderr); silent when stderr is not a
 * terminal, so logs and pipes stay clean.
 */
export class StatusLine {
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, readonly enabled = stream.isTTY === true) {}

  update(text: string): void {
    if (!this.enabled) return;
    const width = this.stream.columns || 120;
    this.stream.write(`\r\x1b[2K${text.length > width - 1 ? text.slice(0, width - 2) + "…" : text}`);
    this.shown = true;
  }

  /** Prints a message above the status line (or plainly when there is none). */
  log(text: string): void {
    if (this.shown) this.stream.write("\r\x1b[2K");
    this.stream.write(text.endsWith("\n") ? text : text + "\n");
    this.shown = false;
  }

  clear(): void {
    if (this.shown) this.stream.write("\r\x1b[2K");
    this.shown = false;
  }
}

/** Writes a value as JSON on stdout (the `--json` output of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2) + "\n");
}

/** Left-aligned text table. */
export function table(rows: (string | number)[][], align: ("l" | "r")[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows
    .map((row) => row.map((c, i) => (align[i] === "r" ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join("  ").trimEnd())
    .join("\n");
}
