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
  return (store[key] ?? []).filter(
    (line) =>
      UNREDACTED_KEYS.test(line) || secrets.some((secret) => secret.length >= 8 && line.includes(secret)),
  );
}
