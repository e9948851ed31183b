import { setFlagsFromString } from 'node:v8';

/**
 * Node 20's V8 (11.3) is the last of Node's to tier up by an interrupt budget; from Node 21's
 * (11.8) on, V8 counts invocations and refuses the flag, printing an error to stderr (the
 * Lambdas run Node 24). There, four times the TurboFan invocation count
 * (`--invocation-count-for-turbofan=12000`) measured within noise: two workers 6.54 s against
 * 6.70 s, medians of four interleaved pairs that spread over 6.1-7.3 s. So it is not set.
 */
const HAS_INTERRUPT_BUDGET = Number(process.versions.node.split('.')[0]) <= 20;

/**
 * V8 settings for normalize, set at run time: both flags are process-wide and read as they are
 * used, so they take effect for the heap already running as for the workers' isolates to come.
 *
 * The heap grows to six times what a full GC leaves before the next full GC. Normalize streams
 * hundreds of MB through Buffers (gunzipped lines, chunks for the workers, Arrow batches) over a
 * heap of 8-20 MB, whose limit V8 set at 20-24 MB in the coordinating thread and 35-67 MB in the
 * workers (`--trace-incremental-marking`), and it started full GCs with the heap well under them:
 * the Buffers allocated since the last one count too. So a million items took 30-40 full GCs in
 * one thread and in the coordinating thread of two workers, about 10 in each worker; now 2-3.
 *
 * On Node 20, functions tier up to TurboFan after four times V8's default interrupt budget
 * (270,336 bytes of bytecode run, not 67,584): fewer lukewarm functions are compiled. Each
 * isolate compiles its own code on the helper threads (about 1 s of a 1M-item run in one thread,
 * `--trace-opt`), which two workers on two cores pay for in their own time. Interleaved medians
 * of 5, 1M items: two workers 6.15 s against 6.38 s and 6.36 against 6.52, one thread 9.18
 * against 9.18 (CPU 10.72 s against 10.97); 250k items: two workers 2.40 s against 2.51, one
 * thread 2.80 against 2.80.
 */
export function tuneV8ForNormalize(): void {
  setFlagsFromString('--heap-growing-percent=500');
  if (HAS_INTERRUPT_BUDGET) setFlagsFromString('--interrupt-budget=270336');
}
