import { setFlagsFromString } from 'node:v8';

/**
 * Lets the V8 heap grow to six times what a full GC leaves before the next full GC. Normalize
 * streams hundreds of MB through Buffers (gunzipped lines, chunks for the workers, Arrow batches)
 * over a heap of 8-20 MB, whose limit V8 set at 20-24 MB in the coordinating thread and 35-67 MB
 * in the workers (`--trace-incremental-marking`), and it started full GCs with the heap well under
 * them: the Buffers allocated since the last one count too. So a million items took 30-40 full GCs
 * in one thread and in the coordinating thread of two workers, about 10 in each worker; now 2-3.
 * The flag is process-wide and read at each full GC: it takes effect for the heap already running
 * as for the workers' heaps to come.
 */
export function growHeapForStreaming(): void {
  setFlagsFromString('--heap-growing-percent=500');
}
