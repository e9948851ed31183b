/** Random access to an object's bytes: Parquet is read from its footer back to its row groups. */
export interface ByteRanges {
  /** The object's length in bytes. */
  size: number;
  /** The bytes from `start` up to, not including, `end`. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/**
 * Reads ahead: a read shorter than `blockBytes` fetches that much from where it starts, and the
 * reads that fall within it are served from it. Parquet is read row group by row group in file
 * order, so a file written with many small row groups costs a request per block, not one per
 * row group (each request to S3 takes tens of milliseconds).
 */
export function readingAhead(ranges: ByteRanges, blockBytes: number): ByteRanges {
  let held: { start: number; bytes: Uint8Array } | undefined;
  return {
    size: ranges.size,
    async read(start, end) {
      if (held !== undefined && start >= held.start && end <= held.start + held.bytes.length)
        return held.bytes.subarray(start - held.start, end - held.start);
      if (end - start >= blockBytes) return ranges.read(start, end);
      const bytes = await ranges.read(start, Math.min(ranges.size, start + blockBytes));
      held = { start, bytes };
      return bytes.subarray(0, end - start);
    },
  };
}

/** A Blob over ranges, and a promise that rejects with the first error one of its reads meets. */
export interface RangeBlob {
  blob: Blob;
  failed: Promise<never>;
}

/**
 * The ranges as the Blob parquet-wasm reads a file from. It asks a Blob only for its `size` and
 * for `slice(start, end).arrayBuffer()`: the footer in three small reads, then one read per row
 * group, all its columns together. Nothing else of Blob is needed, so nothing else is built.
 *
 * A read that fails is never handed to parquet-wasm, which aborts the process ("unreachable")
 * when a row group's read rejects: that read stays pending instead, and `failed` rejects with
 * its error, for the caller to race against the reader.
 */
export function rangesAsBlob(ranges: ByteRanges): RangeBlob {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // rejected with no reader racing it yet is not unhandled: the reader will meet it
  failed.catch(() => undefined);
  const blob = {
    size: ranges.size,
    slice: (start = 0, end = ranges.size) => ({
      arrayBuffer: async (): Promise<ArrayBuffer> => {
        let bytes: Uint8Array;
        try {
          bytes = await ranges.read(start, end);
        } catch (error) {
          fail(error);
          return new Promise<never>(() => undefined);
        }
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    }),
  };
  return { blob: blob as unknown as Blob, failed };
}
