// The edgeseg command line. Subcommands live in src/cli/<name>.ts.
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`edgeseg: command line not built yet (${argv.join(" ")})\n`);
  return 0;
}
