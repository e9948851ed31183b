import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

// Left behind, the suite's folders filled a CI machine's disk (some 6 GB a run).
describe('tempDir', () => {
  let made = '';

  it("makes a folder under the run's own temp folder", async () => {
    made = await tempDir();
    expect(existsSync(made)).toBe(true);
    expect(basename(dirname(made))).toMatch(/^sluice-test-run-/);
    expect(dirname(made)).toBe(tmpdir());
  });

  it('removed the folder when the test that made it ended', () => {
    expect(made).not.toBe('');
    expect(existsSync(made)).toBe(false);
  });
});
