// Keccak-f[1600] as WebAssembly functions, generated here from FIPS 202 (§3.2) rather than
// shipped as a binary. The module exports `absorb(ptr, blocks)`: it XORs `blocks` blocks of 168
// bytes (SHAKE128's rate) from `ptr` into a zeroed state, permuting after each, and stores the
// state at offset 0; and `nestedKeys`, which makes the keys of an item's nested rows (dlt's
// SHAKE128 of `${parent key}_${table}_${list index}`, in base64) from a table of the rows, end to
// end, hashing two one-block messages at once in SIMD lanes where it can.
// Node's createHash costs about a microsecond per call for short inputs; dlt hashes every nested
// row key, so this is what normalize spends most of its time on otherwise.

/** Nested rows one call of nestedKeys takes at most. */
export const MAX_KEYED_ROWS = 8192;
/** SHAKE128's rate: the bytes of a block. */
export const RATE = 168;
/** A row key's length: base64 of a 10-byte digest, without padding. */
export const KEY_LENGTH = 14;
/** A nested row's entry in the rows' table: its parent row, its name, its list index (i32 each). */
export const ROW_ENTRY_BYTES = 12;

/** Where things are in the module's memory. */
export const LAYOUT = {
  /** The state after absorb; after absorbPair, the first 16 bytes of each at 0 and 16. */
  state: 0,
  roundConstants: 200,
  /** The two one-block messages of a pair. */
  pairFirst: 512,
  pairSecond: 512 + RATE,
  /** The 64 characters of standard base64. */
  base64: 896,
  /** One message of any length that fits, up to inputEnd. */
  input: 1024,
  inputEnd: 65_536,
  /** Table names as `_${name}_`, which nestedKeys copies into its messages. */
  names: 65_536,
  namesEnd: 131_072,
  /** Per nested row its entry (ROW_ENTRY_BYTES): parent row, name (where << 8 | length), list index. */
  rows: 131_072,
  /** Per row its key, KEY_LENGTH ASCII bytes: the root's written before nestedKeys, the others by it. */
  keys: 131_072 + ROW_ENTRY_BYTES * MAX_KEYED_ROWS,
} as const;

const PAGES = Math.ceil((LAYOUT.keys + KEY_LENGTH * MAX_KEYED_ROWS) / 65_536);
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const RATE_LANES = RATE / 8;
const ROUND_CONSTANTS_AT = LAYOUT.roundConstants;
const ROUNDS = 24;

/** ρ offsets and ι constants, computed as the standard defines them. */
function keccakConstants(): { rotations: number[]; roundConstants: bigint[] } {
  const rotations = new Array<number>(25).fill(0);
  let [x, y] = [1, 0];
  for (let t = 0; t < 24; t++) {
    rotations[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  // rc(t): the LFSR x^8 + x^6 + x^5 + x^4 + 1
  let r = 1;
  const rc = () => {
    const bit = r & 1;
    r = (r << 1) ^ (r & 0x80 ? 0x71 : 0);
    r &= 0xff;
    return bit;
  };
  const roundConstants: bigint[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let value = 0n;
    for (let j = 0; j <= 6; j++) if (rc()) value |= 1n << BigInt((1 << j) - 1);
    roundConstants.push(value);
  }
  return { rotations, roundConstants };
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (text: string): number[] => vector([...Buffer.from(text)].map((b) => [b]));

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...leb(depth)],
  brIf: (depth: number) => [0x0d, ...leb(depth)],
  get: (local: number) => [0x20, ...leb(local)],
  set: (local: number) => [0x21, ...leb(local)],
  tee: (local: number) => [0x22, ...leb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i64: (value: number) => [0x42, ...sleb(value)],
  load64: (offset: number) => [0x29, 3, ...leb(offset)],
  store64: (offset: number) => [0x37, 3, ...leb(offset)],
  // loads and stores of a row table and of text, at any alignment
  load32: (offset: number) => [0x28, 0, ...leb(offset)],
  store32: (offset: number) => [0x36, 0, ...leb(offset)],
  load64Unaligned: (offset: number) => [0x29, 0, ...leb(offset)],
  store64Unaligned: (offset: number) => [0x37, 0, ...leb(offset)],
  load8: (offset: number) => [0x2d, 0, ...leb(offset)],
  store8: (offset: number) => [0x3a, 0, ...leb(offset)],
  load16: (offset: number) => [0x2f, 0, ...leb(offset)],
  store16: (offset: number) => [0x3b, 0, ...leb(offset)],
  call: (index: number) => [0x10, ...leb(index)],
  if: [0x04, 0x40],
  ifI32: [0x04, 0x7f],
  else: [0x05],
  memoryCopy: [0xfc, 10, 0, 0],
  memoryFill: [0xfc, 11, 0],
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32LtU: [0x49],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32DivU: [0x6e],
  i32RemU: [0x70],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  and64: [0x83],
  xor64: [0x85],
  rotl64: [0x89],
};

/** The instructions one round needs, on i64 lanes or on two lanes at once (i64x2). */
interface LaneOps {
  xor: number[];
  /** rotate the value on the stack left by r */
  rotl: (r: number) => number[];
  /** χ of one lane: b0 ^ (¬b1 ∧ b2), from the locals b0, b1, b2 */
  chi: (b0: number, b1: number, b2: number) => number[];
  /** the round constant at the address on the stack */
  roundConstant: number[];
}

const SCALAR: LaneOps = {
  xor: op.xor64,
  rotl: (r) => [...op.i64(r), ...op.rotl64],
  chi: (b0, b1, b2) => [
    ...op.get(b0),
    ...op.get(b1),
    ...op.i64(-1),
    ...op.xor64,
    ...op.get(b2),
    ...op.and64,
    ...op.xor64,
  ],
  roundConstant: op.load64(0),
};

// i64x2 has no rotate: a rotation is two shifts and an or, on a copy kept in TEMP
const simd = (code: number) => [0xfd, ...leb(code)];
const TEMP = 59;
const PAIR: LaneOps = {
  xor: simd(81),
  rotl: (r) =>
    r === 0
      ? []
      : [
          ...op.tee(TEMP),
          ...op.i32(r),
          ...simd(203), // i64x2.shl
          ...op.get(TEMP),
          ...op.i32(64 - r),
          ...simd(205), // i64x2.shr_u
          ...simd(80), // v128.or
        ],
  // v128.andnot is a ∧ ¬b
  chi: (b0, b1, b2) => [...op.get(b0), ...op.get(b2), ...op.get(b1), ...simd(79), ...simd(81)],
  roundConstant: [...op.load64(0), ...simd(18)], // i64x2.splat
};

/** A function body's instructions, appended part by part. */
function codeBuilder(): { code: number[]; emit: (...parts: number[][]) => void } {
  const code: number[] = [];
  return {
    code,
    emit: (...parts) => {
      for (const part of parts) code.push(...part);
    },
  };
}

// locals of both functions: 0 and 1 params; ROUND the round-constant pointer; then state A,
// scratch B, column parities C, D (and TEMP in the pair function)
const ROUND = 2;
const A = (i: number) => 3 + i;
const B = (i: number) => 28 + i;
const C = (i: number) => 53 + i;
const D = 58;

/** The 24 rounds of Keccak-f[1600] on the state in locals A, as a loop over the round constants. */
function rounds(rotations: readonly number[], ops: LaneOps): number[] {
  const { code, emit } = codeBuilder();
  emit(op.i32(ROUND_CONSTANTS_AT), op.set(ROUND), op.loop);
  // θ
  for (let x = 0; x < 5; x++) {
    emit(op.get(A(x)));
    for (let y = 1; y < 5; y++) emit(op.get(A(x + 5 * y)), ops.xor);
    emit(op.set(C(x)));
  }
  for (let x = 0; x < 5; x++) {
    emit(op.get(C((x + 4) % 5)), op.get(C((x + 1) % 5)), ops.rotl(1), ops.xor, op.set(D));
    for (let y = 0; y < 5; y++) emit(op.get(A(x + 5 * y)), op.get(D), ops.xor, op.set(A(x + 5 * y)));
  }
  // ρ and π: B[y, 2x+3y] = rot(A[x, y], r[x, y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const target = y + 5 * ((2 * x + 3 * y) % 5);
      emit(op.get(A(x + 5 * y)), ops.rotl(rotations[x + 5 * y]!), op.set(B(target)));
    }
  }
  // χ: A[x] = B[x] ^ (¬B[x+1] ∧ B[x+2])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      emit(ops.chi(B(x + 5 * y), B(((x + 1) % 5) + 5 * y), B(((x + 2) % 5) + 5 * y)), op.set(A(x + 5 * y)));
    }
  }
  // ι, then the next round
  emit(op.get(A(0)), op.get(ROUND), ops.roundConstant, ops.xor, op.set(A(0)));
  emit(op.get(ROUND), op.i32(8), op.i32Add, op.tee(ROUND), op.i32(ROUND_CONSTANTS_AT + 8 * ROUNDS), op.i32Ne);
  emit(op.brIf(0), op.end);
  return code;
}

/** absorb(ptr, blocks): XORs `blocks` blocks from ptr into a zeroed state, permuting after each. */
function absorbBody(rotations: readonly number[]): number[] {
  const { code, emit } = codeBuilder();
  emit(op.block, op.loop);
  emit(op.get(1), op.i32Eqz, op.brIf(1));
  for (let i = 0; i < RATE_LANES; i++)
    emit(op.get(A(i)), op.get(0), op.load64(8 * i), op.xor64, op.set(A(i)));
  emit(rounds(rotations, SCALAR));
  emit(op.get(0), op.i32(RATE), op.i32Add, op.set(0));
  emit(op.get(1), op.i32(1), op.i32Sub, op.set(1), op.br(0), op.end, op.end);
  for (let i = 0; i < 25; i++) emit(op.i32(0), op.get(A(i)), op.store64(8 * i));
  emit(op.end);
  return [
    ...vector([
      [1, 0x7f],
      [56, 0x7e],
    ]),
    ...code,
  ];
}

/**
 * absorbPair(first, second): two single-block messages permuted side by side, one per i64x2 lane
 * (about 1.4 times the hashes per second of two calls of absorb: 265 against 378 ns a hash).
 * Their first two state lanes (16 bytes, enough for a 10-byte digest) are stored at 0 and 16.
 */
function absorbPairBody(rotations: readonly number[]): number[] {
  const { code, emit } = codeBuilder();
  const memarg = (offset: number) => [3, ...leb(offset)];
  for (let i = 0; i < 25; i++) {
    if (i < RATE_LANES) {
      // v128.load64_zero from the first message, then v128.load64_lane 1 from the second
      emit(op.get(0), simd(93), memarg(8 * i), op.set(A(i)));
      emit(op.get(1), op.get(A(i)), simd(87), memarg(8 * i), [1], op.set(A(i)));
    } else emit([0xfd, 0x0c, ...new Array<number>(16).fill(0)], op.set(A(i)));
  }
  emit(rounds(rotations, PAIR));
  for (const [message, lane] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const)
    emit(op.i32(16 * message), op.get(A(lane)), simd(29), [message], op.store64(8 * lane)); // i64x2.extract_lane
  emit(op.end);
  return [
    ...vector([
      [1, 0x7f],
      [57, 0x7b],
    ]),
    ...code,
  ];
}

// the module's functions, by index
const ABSORB = 0;
const ABSORB_PAIR = 1;
const MESSAGE = 2;
const BASE64 = 3;
const NESTED_KEYS = 4;

/**
 * message(area, row): writes nested row `row`'s one-block message, `${parent key}_${name}_${index}`,
 * padded, at `area`, from its entry in the rows' table (see LAYOUT.rows). The caller made sure it
 * fits (14 bytes of key, at most 143 of name, at most 10 digits).
 */
function messageBody(): number[] {
  // params area and row, then one local per value (WebAssembly locals cost nothing to name)
  const [area, row, entry, parentKey, name, indexAt, end, index, rest, cursor] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const { code, emit } = codeBuilder();
  emit(op.get(row), op.i32(ROW_ENTRY_BYTES), op.i32Mul, op.i32(LAYOUT.rows), op.i32Add, op.set(entry));
  // the parent's key, copied 8 + 4 + 2 bytes
  emit(op.get(entry), op.load32(0), op.i32(KEY_LENGTH), op.i32Mul, op.i32(LAYOUT.keys), op.i32Add);
  emit(op.set(parentKey));
  emit(op.get(area), op.get(parentKey), op.load64Unaligned(0), op.store64Unaligned(0));
  emit(op.get(area), op.get(parentKey), op.load32(8), op.store32(8));
  emit(op.get(area), op.get(parentKey), op.load16(12), op.store16(12));
  // `_${name}_`, stored once at (reference >> 8), (reference & 255) bytes long
  emit(op.get(entry), op.load32(4), op.set(name));
  emit(op.get(area), op.i32(KEY_LENGTH), op.i32Add);
  emit(op.get(name), op.i32(8), op.i32ShrU, op.get(name), op.i32(255), op.i32And, op.memoryCopy);
  emit(op.get(area), op.i32(KEY_LENGTH), op.i32Add, op.get(name), op.i32(255), op.i32And, op.i32Add);
  emit(op.set(indexAt));
  // the list index: count its digits, then write them from the last one back
  emit(op.get(entry), op.load32(8), op.tee(index), op.set(rest), op.get(indexAt), op.i32(1), op.i32Add);
  emit(op.set(end), op.block, op.loop, op.get(rest), op.i32(10), op.i32LtU, op.brIf(1));
  emit(op.get(rest), op.i32(10), op.i32DivU, op.set(rest));
  emit(op.get(end), op.i32(1), op.i32Add, op.set(end), op.br(0), op.end, op.end);
  emit(op.get(end), op.set(cursor), op.loop, op.get(cursor), op.i32(1), op.i32Sub, op.tee(cursor));
  emit(op.get(index), op.i32(10), op.i32RemU, op.i32(0x30), op.i32Add, op.store8(0));
  emit(op.get(index), op.i32(10), op.i32DivU, op.set(index));
  emit(op.get(cursor), op.get(indexAt), op.i32Ne, op.brIf(0), op.end);
  // SHAKE's padding: the domain bits 1111 then pad10*1, the rest of the block zeroed
  emit(op.get(end), op.i32(0), op.get(area), op.i32(RATE), op.i32Add, op.get(end), op.i32Sub, op.memoryFill);
  emit(op.get(end), op.i32(0x1f), op.store8(0));
  emit(op.get(area), op.get(area), op.load8(RATE - 1), op.i32(0x80), op.i32Or, op.store8(RATE - 1));
  emit(op.end);
  return [...vector([[8, 0x7f]]), ...code];
}

/** base64(from, to): the 10 bytes at `from` as 14 characters of base64 (no padding) at `to`. */
function base64Body(): number[] {
  const [from, to, bits] = [0, 1, 2];
  const { code, emit } = codeBuilder();
  const character = (out: number, shift: number, mask: number, left = 0) => {
    emit(op.get(to), op.get(bits));
    if (shift > 0) emit(op.i32(shift), op.i32ShrU);
    emit(op.i32(mask), op.i32And);
    if (left > 0) emit(op.i32(left), op.i32Shl);
    emit(op.load8(LAYOUT.base64), op.store8(out));
  };
  for (let group = 0; group < 3; group++) {
    emit(op.get(from), op.load8(3 * group), op.i32(16), op.i32Shl);
    emit(op.get(from), op.load8(3 * group + 1), op.i32(8), op.i32Shl, op.i32Or);
    emit(op.get(from), op.load8(3 * group + 2), op.i32Or, op.set(bits));
    for (let k = 0; k < 4; k++) character(4 * group + k, 18 - 6 * k, 63);
  }
  emit(op.get(from), op.load8(9), op.set(bits));
  character(12, 2, 63);
  character(13, 0, 3, 4);
  emit(op.end);
  return [...vector([[1, 0x7f]]), ...code];
}

/**
 * nestedKeys(count): the keys of rows 1 to count - 1 from the rows' table, parents first (the
 * root's key, row 0, is the caller's). Two rows in a row are hashed in one permutation unless
 * the second is the first's child, whose message needs the first's key.
 */
function nestedKeysBody(): number[] {
  const [count, row] = [0, 1];
  const { code, emit } = codeBuilder();
  const keyAt = (plus: number) => [
    ...op.get(row),
    ...op.i32(KEY_LENGTH),
    ...op.i32Mul,
    ...op.i32(LAYOUT.keys + plus),
    ...op.i32Add,
  ];
  emit(op.i32(1), op.set(row), op.block, op.loop);
  emit(op.get(row), op.get(count), op.i32GeU, op.brIf(1));
  // a pair when there is a next row and its parent is not this one
  emit(op.get(row), op.i32(1), op.i32Add, op.get(count), op.i32LtU, op.ifI32);
  emit(op.get(row), op.i32(ROW_ENTRY_BYTES), op.i32Mul, op.load32(LAYOUT.rows + ROW_ENTRY_BYTES));
  emit(op.get(row), op.i32Ne);
  emit(op.else, op.i32(0), op.end, op.if);
  emit(op.i32(LAYOUT.pairFirst), op.get(row), op.call(MESSAGE));
  emit(op.i32(LAYOUT.pairSecond), op.get(row), op.i32(1), op.i32Add, op.call(MESSAGE));
  emit(op.i32(LAYOUT.pairFirst), op.i32(LAYOUT.pairSecond), op.call(ABSORB_PAIR));
  emit(op.i32(0), keyAt(0), op.call(BASE64));
  emit(op.i32(16), keyAt(KEY_LENGTH), op.call(BASE64));
  emit(op.get(row), op.i32(2), op.i32Add, op.set(row));
  emit(op.else);
  emit(op.i32(LAYOUT.pairFirst), op.get(row), op.call(MESSAGE));
  emit(op.i32(LAYOUT.pairFirst), op.i32(1), op.call(ABSORB));
  emit(op.i32(0), keyAt(0), op.call(BASE64));
  emit(op.get(row), op.i32(1), op.i32Add, op.set(row));
  emit(op.end, op.br(0), op.end, op.end, op.end);
  return [...vector([[1, 0x7f]]), ...code];
}

/** The module's bytes: five functions and its memory; absorb, nestedKeys and the memory exported. */
function keccakModule(rotations: readonly number[]): Uint8Array {
  const bodies = [
    absorbBody(rotations),
    absorbPairBody(rotations),
    messageBody(),
    base64Body(),
    nestedKeysBody(),
  ];
  const twoParams = [0x60, ...vector([[0x7f], [0x7f]]), ...vector([])];
  const oneParam = [0x60, ...vector([[0x7f]]), ...vector([])];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([twoParams, oneParam])),
    ...section(3, vector([[0], [0], [0], [0], [1]])),
    ...section(5, vector([[0x00, PAGES]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('absorb'), 0x00, ABSORB],
        [...name('nestedKeys'), 0x00, NESTED_KEYS],
      ]),
    ),
    ...section(10, vector(bodies.map((body) => [...leb(body.length), ...body]))),
  ]);
}

export interface KeccakInstance {
  memory: { buffer: ArrayBuffer };
  absorb: (ptr: number, blocks: number) => void;
  nestedKeys: (count: number) => void;
}

// The WebAssembly JS API is a Node global, but this project's type libraries leave it out.
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: unknown };
    };
  }
).WebAssembly;

/** Compiles the module (synchronously: it is a few kilobytes) and loads its constants. */
export function createKeccak(): KeccakInstance {
  const { rotations, roundConstants } = keccakConstants();
  const instance = new wasm.Instance(new wasm.Module(keccakModule(rotations)));
  const { memory, absorb, nestedKeys } = instance.exports as KeccakInstance;
  new BigUint64Array(memory.buffer, ROUND_CONSTANTS_AT, ROUNDS).set(roundConstants);
  new Uint8Array(memory.buffer).set(Buffer.from(BASE64_ALPHABET, 'latin1'), LAYOUT.base64);
  return { memory, absorb, nestedKeys };
}
