// The edgeseg command line: `edgeseg <command> [options]`. Each command is a module in src/cli/
// exporting `command: Command`; this file only dispatches.
import { EdgesegError } from "../core/errors.js";

/** One subcommand. `run` returns the process exit code. */
export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  OK: 0,
  /** The work ran but found or reported a failure (e.g. evaluation below a bar). */
  FAILED: 1,
  /** Bad command line, config or input. */
  USAGE: 2,
  /** A source, model or tool could not be used. */
  UNAVAILABLE: 3,
  /** Stopped by SIGINT/SIGTERM after a clean shutdown. */
  INTERRUPTED: 130,
} as const;

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  run: () => import("./run.js"),
  info: () => import("./info.js"),
  eval: () => import("./eval.js"),
  bench: () => import("./bench.js"),
};

async function usage(): Promise<string> {
  const lines = ["Usage: edgeseg <command> [options]", "", "Commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then((m) => m.command.summary, () => "(not available in this build)");
    lines.push(`  ${name.padEnd(8)} ${summary}`);
  }
  lines.push("", "Run `edgeseg <command> --help` for a command's options.");
  return lines.join("\n") + "\n";
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(await usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === "--version" || name === "-v") {
    const { createRequire } = await import("node:module");
    process.stdout.write(createRequire(import.meta.url)("../../package.json").version + "\n");
    return EXIT.OK;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`edgeseg: unknown command "${name}"\n\n${await usage()}`);
    return EXIT.USAGE;
  }
  const { command } = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help.endsWith("\n") ? command.help : command.help + "\n");
    return EXIT.OK;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof EdgesegError) {
      process.stderr.write(`edgeseg ${name}: ${e.message} [${e.code}]\n`);
      return e.code === "BAD_CONFIG" || e.code === "INVALID_ARGUMENT" || e.code === "INVALID_IMAGE" ? EXIT.USAGE : EXIT.UNAVAILABLE;
    }
    // node:util parseArgs rejects unknown or malformed flags with ERR_PARSE_ARGS_* codes.
    if (typeof (e as { code?: unknown }).code === "string" && (e as { code: string }).code.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`edgeseg ${name}: ${(e as Error).message}\nRun \`edgeseg ${name} --help\` for the options.\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
