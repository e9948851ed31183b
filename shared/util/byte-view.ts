/**
 * A DataView of the bytes asked for last, made again only when other bytes are asked for: DataViews
 * copy short runs four bytes at a time (faster than byte by byte, and than a call into C++), and
 * their callers read or write the same bytes many times over.
 */
export class LastView {
  private bytes: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  of(bytes: Uint8Array): DataView {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }
}
