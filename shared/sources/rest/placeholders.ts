// dlt's rest_api placeholders in a request's path, params, headers and json: the incremental
// cursor's values (`{incremental.start_value}`) and a field of the parent resource's record
// (`{resources.issues.number}`); in the path, also a parent field by its bare name (`{number}`).

import { own } from '../../util/own.js';

const INCREMENTAL = /^incremental\.(start_value|initial_value|last_value|end_value)$/;
const PARENT_FIELD = /^resources\.([^.{}]+)\.([^{}]+)$/;
const ANY = /\{([^{}]+)\}/g;

/** The cursor's values by dlt's names (`start_value` and so on). */
export type IncrementalValues = Record<'start_value' | 'initial_value' | 'last_value' | 'end_value', unknown>;

/** What placeholders are filled from: the cursor's values and the parent record's fields. */
export interface PlaceholderValues {
  incremental: IncrementalValues | undefined;
  /** The parent record's fields by name (the fields its children's placeholders name). */
  parent: Record<string, unknown>;
}

/** Every text in a value, keys of objects included (dlt looks for placeholders in both). */
function* textsIn(value: unknown): Iterable<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const element of value) yield* textsIn(element);
  else if (value !== null && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      yield key;
      yield* textsIn(inner);
    }
}

/** The names inside `{...}` in a value's texts. */
function namesIn(value: unknown): string[] {
  return [...textsIn(value)].flatMap((text) => [...text.matchAll(ANY)].map((match) => match[1]!));
}

/** The cursor's values a value's incremental placeholders name (`start_value`, `end_value`...). */
export function incrementalPlaceholders(value: unknown): string[] {
  return namesIn(value).flatMap((name) => INCREMENTAL.exec(name)?.[1] ?? []);
}

/** The parent resources and fields `{resources.<parent>.<field>}` placeholders in a value name. */
export function parentFieldReferences(value: unknown): { resource: string; field: string }[] {
  return namesIn(value).flatMap((name) => {
    const match = PARENT_FIELD.exec(name);
    return match === null ? [] : [{ resource: match[1]!, field: match[2]! }];
  });
}

/** Whether a path's last segment holds a placeholder (`users/{id}`), which dlt takes for one entity. */
export function endsInPlaceholder(path: string): boolean {
  return /\{[\w.-]+\}[^/]*\/?$/.test(path);
}

/** The parent fields a path names by their bare name (`{number}`), as dlt's older configurations do. */
export function barePathFields(path: string): string[] {
  return namesIn(path).filter((name) => !INCREMENTAL.test(name) && !PARENT_FIELD.test(name));
}

/**
 * A params, headers or json value with its placeholders filled: a text that is one placeholder
 * and nothing else takes the value itself (a number stays a number in json), text around one
 * keeps it as text. Braces that are no placeholder of dlt's stay as they are.
 */
export function fillPlaceholders(value: unknown, values: PlaceholderValues): unknown {
  if (typeof value === 'string') {
    const whole = /^\{([^{}]+)\}$/.exec(value)?.[1];
    if (whole !== undefined && isPlaceholder(whole)) return placeholderValue(whole, values);
    return value.replace(ANY, (text, name: string) =>
      isPlaceholder(name) ? String(placeholderValue(name, values)) : text,
    );
  }
  if (Array.isArray(value)) return value.map((element) => fillPlaceholders(element, values));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      // keys too, as dlt fills them (`{"{resources.repos.id}": true}`)
      Object.entries(value).map(([key, inner]) => [
        String(fillPlaceholders(key, values)),
        fillPlaceholders(inner, values),
      ]),
    );
  return value;
}

/** A path with every placeholder filled and URL-encoded; bare names are the parent's fields. */
export function fillPathPlaceholders(path: string, values: PlaceholderValues): string {
  return path.replace(ANY, (_, name: string) => {
    const value = isPlaceholder(name) ? placeholderValue(name, values) : own(values.parent, name);
    if (value === undefined || value === null) throw new Error(`no value for {${name}} in path ${path}`);
    return encodeURIComponent(String(value));
  });
}

function isPlaceholder(name: string): boolean {
  return INCREMENTAL.test(name) || PARENT_FIELD.test(name);
}

function placeholderValue(name: string, values: PlaceholderValues): unknown {
  const field = PARENT_FIELD.exec(name)?.[2];
  if (field !== undefined) {
    const value = own(values.parent, field);
    if (value === undefined) throw new Error(`{${name}}: the parent record has no field ${field}`);
    return value;
  }
  const { incremental } = values;
  if (incremental === undefined) throw new Error(`{${name}} is used without an incremental cursor`);
  const value = own(incremental, name.slice('incremental.'.length));
  if (value === undefined) throw new Error(`{${name}} is used without an endValue`);
  return value;
}
