/**
 * A JSON number written with a fraction or exponent whose value is integral (`1.0`, `1e3`).
 * JavaScript would read it as an integer; dlt (Python) reads it as a float, so we keep the
 * distinction to infer `double` like dlt does.
 */
export class JsonFloat {
  constructor(readonly value: number) {}

  toJSON(): number {
    return this.value;
  }

  /** Where it is used as a number or text (a cursor, a page token), it is its value. */
  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return String(this.value);
  }
}
