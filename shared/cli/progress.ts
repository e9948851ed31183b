/** Prints a one-line progress display to stderr at most once a second, on terminals only. */
export class Progress {
  private last = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  update(stage: string, rows: number, bytes?: number): void {
    const now = Date.now();
    if (!this.enabled || now - this.last < 1000) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${format(rows / seconds)} rows/s`;
    const mb = bytes === undefined ? '' : `, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
    process.stderr.write(`\r${stage}: ${format(rows)} rows (${rate}${mb})\u001b[K`);
  }

  done(): void {
    if (this.enabled && this.last > 0) process.stderr.write('\r\u001b[K');
  }
}

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
