// Keccak-f[1600] as WebAssembly functions, generated here from FIPS 202 (§3.2) rather than
// shipped as a binary. The module exports `absorb(ptr, blocks)`: it XORs `blocks` blocks of 168
// bytes (SHAKE128's rate) from `ptr` into a zeroed state, permuting after each, and stores the
// state at offset 0; and `absorbPair`, which hashes two one-block messages at once in SIMD lanes.
// Node's createHash costs about a microsecond per call for short inputs; dlt hashes every nested
// row key, so this is what normalize spends most of its time on otherwise.

const RATE_LANES = 21;
const ROUND_CONSTANTS_AT = 200;
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
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32Add: [0x6a],
  i32Sub: [0x6b],
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
  emit(op.get(0), op.i32(RATE_LANES * 8), op.i32Add, op.set(0));
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

/** The module's bytes: two functions, one page of memory, all exported. */
function keccakModule(rotations: readonly number[]): Uint8Array {
  const bodies = [absorbBody(rotations), absorbPairBody(rotations)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[0x7f], [0x7f]]), ...vector([])]])),
    ...section(3, vector([[0], [0]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('absorb'), 0x00, 0],
        [...name('absorbPair'), 0x00, 1],
      ]),
    ),
    ...section(10, vector(bodies.map((body) => [...leb(body.length), ...body]))),
  ]);
}

export interface KeccakInstance {
  memory: { buffer: ArrayBuffer };
  absorb: (ptr: number, blocks: number) => void;
  absorbPair: (first: number, second: number) => void;
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

/** Compiles the module (synchronously: it is a few kilobytes) and loads the round constants. */
export function createKeccak(): KeccakInstance {
  const { rotations, roundConstants } = keccakConstants();
  const instance = new wasm.Instance(new wasm.Module(keccakModule(rotations)));
  const { memory, absorb, absorbPair } = instance.exports as KeccakInstance;
  new BigUint64Array(memory.buffer, ROUND_CONSTANTS_AT, ROUNDS).set(roundConstants);
  return { memory, absorb, absorbPair };
}
