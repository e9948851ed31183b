// Keccak-f[1600] as a WebAssembly function, generated here from FIPS 202 (§3.2) rather than
// shipped as a binary. The module exports `absorb(ptr, blocks)`: it XORs `blocks` blocks of 168
// bytes (SHAKE128's rate) from `ptr` into a zeroed state, permuting after each, and stores the
// state at offset 0. Node's createHash costs about a microsecond per call for short inputs; dlt
// hashes every nested row key, so this is what normalize spends most of its time on otherwise.

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

/** The module's bytes: one function, one page of memory, both exported. */
function keccakModule(rotations: readonly number[]): Uint8Array {
  // locals: 0 ptr, 1 blocks (params); 2 round-constant pointer; then state A, scratch B, column parities C, D
  const round = 2;
  const A = (i: number) => 3 + i;
  const B = (i: number) => 28 + i;
  const C = (i: number) => 53 + i;
  const D = 58;
  const code: number[] = [];
  const emit = (...parts: (number | number[])[]) => {
    for (const part of parts) typeof part === 'number' ? code.push(part) : code.push(...part);
  };

  emit(op.block, op.loop);
  emit(op.get(1), op.i32Eqz, op.brIf(1));
  for (let i = 0; i < RATE_LANES; i++)
    emit(op.get(A(i)), op.get(0), op.load64(8 * i), op.xor64, op.set(A(i)));
  emit(op.i32(ROUND_CONSTANTS_AT), op.set(round), op.loop);
  // θ
  for (let x = 0; x < 5; x++) {
    emit(op.get(A(x)));
    for (let y = 1; y < 5; y++) emit(op.get(A(x + 5 * y)), op.xor64);
    emit(op.set(C(x)));
  }
  for (let x = 0; x < 5; x++) {
    emit(op.get(C((x + 4) % 5)), op.get(C((x + 1) % 5)), op.i64(1), op.rotl64, op.xor64, op.set(D));
    for (let y = 0; y < 5; y++) emit(op.get(A(x + 5 * y)), op.get(D), op.xor64, op.set(A(x + 5 * y)));
  }
  // ρ and π: B[y, 2x+3y] = rot(A[x, y], r[x, y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const target = y + 5 * ((2 * x + 3 * y) % 5);
      emit(op.get(A(x + 5 * y)), op.i64(rotations[x + 5 * y]!), op.rotl64, op.set(B(target)));
    }
  }
  // χ
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      emit(op.get(B(x + 5 * y)), op.get(B(((x + 1) % 5) + 5 * y)), op.i64(-1), op.xor64);
      emit(op.get(B(((x + 2) % 5) + 5 * y)), op.and64, op.xor64, op.set(A(x + 5 * y)));
    }
  }
  // ι, then the next round
  emit(op.get(A(0)), op.get(round), op.load64(0), op.xor64, op.set(A(0)));
  emit(op.get(round), op.i32(8), op.i32Add, op.tee(round), op.i32(ROUND_CONSTANTS_AT + 8 * ROUNDS), op.i32Ne);
  emit(op.brIf(0), op.end);
  emit(op.get(0), op.i32(RATE_LANES * 8), op.i32Add, op.set(0));
  emit(op.get(1), op.i32(1), op.i32Sub, op.set(1), op.br(0), op.end, op.end);
  for (let i = 0; i < 25; i++) emit(op.i32(0), op.get(A(i)), op.store64(8 * i));
  emit(op.end);

  const locals = vector([
    [1, 0x7f],
    [56, 0x7e],
  ]);
  const body = [...locals, ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[0x7f], [0x7f]]), ...vector([])]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('absorb'), 0x00, 0],
      ]),
    ),
    ...section(10, vector([[...leb(body.length), ...body]])),
  ]);
}

export interface KeccakInstance {
  memory: { buffer: ArrayBuffer };
  absorb: (ptr: number, blocks: number) => void;
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
  const { memory, absorb } = instance.exports as KeccakInstance;
  new BigUint64Array(memory.buffer, ROUND_CONSTANTS_AT, ROUNDS).set(roundConstants);
  return { memory, absorb };
}
