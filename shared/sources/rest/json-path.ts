/**
 * Reads a value at a simple JSON path: `data.items`, `$.meta.next`, `results[0].id`, and `[*]`
 * for every element (`$.data[*]`, `pages[*].items`: the list of what each element holds). This is
 * the subset of JSONPath that APIs' record and pagination paths use; anything else is refused.
 */
export function readPath(value: unknown, path: string): unknown {
  return readSteps(value, parsePath(path));
}

/** Reads the value at a list of keys (own members only), as a path of plain names does. */
export function readKeys(value: unknown, keys: readonly string[]): unknown {
  return readSteps(value, keys);
}

const EVERY = Symbol('every element');
type Step = string | number | typeof EVERY;

function readSteps(value: unknown, steps: readonly Step[]): unknown {
  let current = value;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (current === null || typeof current !== 'object') return undefined;
    if (step === EVERY) {
      const elements = Array.isArray(current) ? current : Object.values(current);
      // as JSONPath finds them: the matches of the rest of the path, in order, missing ones left out
      return elements.map((element) => readSteps(element, steps.slice(i + 1))).filter((v) => v !== undefined);
    }
    // own members only: a path step `constructor` must not find every object's constructor
    current = Object.hasOwn(current, step) ? (current as Record<string | number, unknown>)[step] : undefined;
  }
  return current;
}

const STEP = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']+)'\]|(\[\*\]|\.\*))/;

function parsePath(path: string): Step[] {
  let rest = path.trim().replace(/^\$(?=\.|\[|$)\.?/, '');
  const steps: Step[] = [];
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (match === null) throw new Error(`unsupported JSON path '${path}' (use dotted names, [n] and [*])`);
    steps.push(
      match[4] !== undefined ? EVERY : (match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]!)),
    );
    rest = rest.slice(match[0].length);
  }
  return steps;
}
