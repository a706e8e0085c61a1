// Prints the plain closing line CI reads: "N passed, N failed, N skipped".
// A file whose import or beforeAll failed counts as failed (vitest would mark its tests skipped).
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      const moduleFailed = mod.state() === "failed" || mod.errors().length > 0;
      let counted = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (moduleFailed) failed++;
        else skipped++;
        counted++;
      }
      if (moduleFailed && counted === 0) failed++;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
