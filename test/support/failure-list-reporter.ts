import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Lists what failed, one line each, as the very last lines of a run: the default reporter prints
 * each failure with its diff and stack before its summary, and a CI log shown only in part (its
 * end) can lose the names of the failed tests above a long one.
 */
export default class FailureListReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    const lines = failureLines(testModules, unhandledErrors);
    if (lines.length === 0) return;
    process.stdout.write(`\nfailed (${lines.length}):\n${lines.map((line) => `  ${line}\n`).join('')}`);
  }
}

/** `file > suite > test: first line of the error` for each failed test, hook or file. */
function failureLines(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError> = [],
): string[] {
  const lines: string[] = [];
  for (const module of testModules) {
    const file = module.relativeModuleId;
    // errors of the file itself: failing to load, or a beforeAll/afterAll of the file
    for (const error of module.errors()) lines.push(`${file}: ${firstLine(error)}`);
    for (const suite of module.children.allSuites())
      for (const error of suite.errors()) lines.push(`${file} > ${suite.fullName}: ${firstLine(error)}`);
    for (const test of module.children.allTests('failed')) {
      const result = test.result();
      const error = result.state === 'failed' ? result.errors[0] : undefined;
      lines.push(`${file} > ${test.fullName}: ${error === undefined ? 'failed' : firstLine(error)}`);
    }
  }
  for (const error of unhandledErrors) lines.push(`unhandled: ${firstLine(error)}`);
  return lines;
}

function firstLine(error: SerializedError): string {
  const text = `${error.name ?? 'Error'}: ${error.message ?? ''}`.split('\n')[0]!;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
