import { setFlagsFromString } from 'node:v8';

/**
 * Lets the V8 heap grow to six times what a full GC leaves before the next full GC. V8 counts the
 * Buffers allocated since its last full GC against that limit, which for a heap this small it sets
 * at 1.1-2 times the live heap: normalize streams hundreds of MB through Buffers (gunzipped lines,
 * chunks for the workers, Arrow batches) over a heap of 10-20 MB, and so ran a full GC every
 * 10-20 MB of them, 30-40 a million items in one thread and in the coordinating thread of two
 * workers, about 10 in each worker; now 2-3. The flag is process-wide and read at each full GC: it
 * takes effect for the heap already running as for the workers' heaps to come.
 */
export function growHeapForStreaming(): void {
  setFlagsFromString('--heap-growing-percent=500');
}
