/** Random access to an object's bytes: Parquet is read from its footer back to its row groups. */
export interface ByteRanges {
  /** The object's length in bytes. */
  size: number;
  /** The bytes from `start` up to, not including, `end`. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/**
 * The ranges as the Blob parquet-wasm reads a file from. It asks a Blob only for its `size` and
 * for `slice(start, end).arrayBuffer()`: the footer in three small reads, then one read per row
 * group, all its columns together. Nothing else of Blob is needed, so nothing else is built.
 */
export function rangesAsBlob(ranges: ByteRanges): Blob {
  const blob = {
    size: ranges.size,
    slice: (start = 0, end = ranges.size) => ({
      arrayBuffer: async (): Promise<ArrayBuffer> => {
        const bytes = await ranges.read(start, end);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    }),
  };
  return blob as unknown as Blob;
}
