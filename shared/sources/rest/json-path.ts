/**
 * Reads a value at a simple JSON path: `data.items`, `$.meta.next`, `results[0].id`. This is the
 * subset of JSONPath that APIs' record and pagination paths use; anything else is refused.
 */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    // own members only: a path step `constructor` must not find every object's constructor
    current = Object.hasOwn(current, step) ? (current as Record<string | number, unknown>)[step] : undefined;
  }
  return current;
}

const STEP = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']+)'\])/;

function parsePath(path: string): (string | number)[] {
  let rest = path.trim().replace(/^\$\.?/, '');
  const steps: (string | number)[] = [];
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (match === null) throw new Error(`unsupported JSON path '${path}' (use dotted names and [n])`);
    steps.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]!));
    rest = rest.slice(match[0].length);
  }
  return steps;
}
