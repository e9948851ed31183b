let last = 0;

/**
 * dlt's load id: Unix seconds with a fractional part (µs), strictly increasing in this process,
 * so packages sort in creation order as strings of equal integer width.
 */
export function newLoadId(now: () => number = Date.now): string {
  let micros = Math.max(now() * 1000, last + 1);
  micros = Math.floor(micros);
  last = micros;
  return (micros / 1_000_000).toFixed(6);
}

/** The creation time of a package, from its load id. */
export function loadIdTime(loadId: string): Date {
  return new Date(Math.floor(Number(loadId) * 1000));
}
