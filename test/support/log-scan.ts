/**
 * Every console line the test run prints is kept here (vitest's onConsoleLog runs in the main
 * process); the global teardown scans them for secrets. Shared through globalThis because the
 * config and the global setup are loaded as separate module instances.
 */
const key = Symbol.for('sluice.capturedLogs');
const store = globalThis as unknown as Record<symbol, string[]>;

export function captureLog(line: string): void {
  (store[key] ??= []).push(line);
}

// forwarded keys in SQL that were not redacted
const UNREDACTED_KEYS = /AWS_(?:ACCESS_KEY|SECRET_KEY|SESSION_TOKEN)\s*=\s*'(?!\*\*\*')/;

/** Lines that show one of the known secrets, or a forwarded key that escaped redaction. */
export function leakedSecrets(secrets: readonly string[]): string[] {
  return leaksIn(store[key] ?? [], secrets);
}

export function leaksIn(lines: readonly string[], secrets: readonly string[]): string[] {
  return lines.filter(
    (line) =>
      UNREDACTED_KEYS.test(line) || secrets.some((secret) => secret.length >= 8 && line.includes(secret)),
  );
}

const written: string[] = [];
let capturing = false;

/**
 * Keeps what this process writes to stdout and stderr, as well as writing it. The handlers log
 * through Powertools, whose Console of its own writes there directly: vitest's onConsoleLog
 * never sees those lines, so each test worker scans them itself.
 */
export function captureProcessOutput(): void {
  if (capturing) return;
  capturing = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/** What this process wrote to stdout and stderr since captureProcessOutput, or was handed. */
export function processOutput(): readonly string[] {
  return written;
}

/** Output that a test took off stdout for itself, kept for the scan all the same. */
export function keepProcessOutput(lines: readonly string[]): void {
  written.push(...lines);
}
