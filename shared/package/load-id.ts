let last = 0;

/**
 * dlt's load id: Unix seconds with a fractional part (µs), strictly increasing in this process,
 * so packages sort in creation order as strings of equal integer width.
 */
export function newLoadId(now: () => number = Date.now): string {
  // the clock gives milliseconds; random microseconds make two processes' ids rarely equal
  const micros = Math.max(Math.floor(now()) * 1000 + Math.floor(Math.random() * 1000), last + 1);
  last = micros;
  return (micros / 1_000_000).toFixed(6);
}

/** The creation time of a package, from its load id. */
export function loadIdTime(loadId: string): Date {
  return new Date(Math.floor(Number(loadId) * 1000));
}
