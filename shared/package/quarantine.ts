import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { FileStorage } from '../storage/file-storage.js';

/** The quarantine objects of a package and how many records each holds (manifest and jobs.json). */
export const quarantinedFilesSchema = z.array(z.object({ key: z.string(), records: z.number().int() }));

/** A malformed record set aside: where it came from, why, and its text. */
export interface QuarantinedRecord {
  source: string;
  line?: number;
  reason: string;
  raw: string;
}

/**
 * Streams malformed records into one JSONL object of the package (`quarantine/…`), created only
 * when the first one arrives, so a clean file leaves nothing behind.
 */
export class QuarantineWriter {
  private stream: PassThrough | undefined;
  private upload: Promise<number> | undefined;
  records = 0;

  constructor(
    private readonly storage: FileStorage,
    readonly key: string,
  ) {}

  add(record: QuarantinedRecord): void {
    if (this.stream === undefined) {
      this.stream = new PassThrough();
      this.upload = this.storage.putStream(this.key, this.stream);
      this.upload.catch(() => undefined);
    }
    this.records++;
    this.stream.write(`${JSON.stringify(record)}\n`);
  }

  /** Finishes the object; undefined when nothing was set aside. */
  async close(): Promise<z.infer<typeof quarantinedFilesSchema>[number] | undefined> {
    if (this.stream === undefined) return undefined;
    this.stream.end();
    await this.upload;
    return { key: this.key, records: this.records };
  }
}
