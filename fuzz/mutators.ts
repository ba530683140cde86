/**
 * Byte-level mutations of a valid input, the way AFL and libFuzzer mutate: bit flips, bytes set
 * to boundary values, 32-bit lengths and varints replaced by hostile ones, truncation, garbage
 * inserted before or inside, ranges deleted or repeated, two inputs spliced. Each takes the input
 * and returns a new array (the input is never changed).
 */
import type { Dice } from './random.js';

/** One mutation: a new byte array from `input`. */
export type Mutation = (dice: Dice, input: Uint8Array) => Uint8Array;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0xff, 0x0f, 0x10, 0x0c, 0x0b];
/** Lengths and counts that sit on limits: sign bits, the fuzz server's maxFrameBytes, 16 MiB, ... */
const INTERESTING_INT32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x100000, 0x100001, 0xfffff, 0x1000000, 0x1000001, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
/** Varints (unsigned LEB128) that are huge, negative once zigzagged, overlong or unterminated. */
const INTERESTING_VARINTS = [
  [0xff, 0xff, 0xff, 0xff, 0x07],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0x1f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x40],
  [0x80],
];

function copy(input: Uint8Array): Uint8Array {
  return Uint8Array.from(input);
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Flips 1 to 8 random bits. */
export const flipBits: Mutation = (dice, input) => {
  const out = copy(input);
  if (out.length === 0) return out;
  for (let n = dice.between(1, 8); n > 0; n--) out[dice.int(out.length)]! ^= 1 << dice.int(8);
  return out;
};

/** Sets 1 to 4 random bytes to boundary values (type ids, protocol ids, sign bits). */
export const setBytes: Mutation = (dice, input) => {
  const out = copy(input);
  if (out.length === 0) return out;
  for (let n = dice.between(1, 4); n > 0; n--) out[dice.int(out.length)] = dice.chance(0.7) ? dice.pick(INTERESTING_BYTES) : dice.int(256);
  return out;
};

/** Overwrites 4 bytes somewhere with a hostile big-endian 32-bit value (Binary lengths and counts). */
export const overwriteInt32: Mutation = (dice, input) => {
  const out = copy(input);
  if (out.length < 4) return out;
  const at = dice.int(out.length - 3);
  const value = dice.pick(INTERESTING_INT32);
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return out;
};

/** Replaces the frame's own length field with a hostile value (meaningless for unframed input, which is fine). */
export const hugeFrameLength: Mutation = (dice, input) => {
  const out = copy(input);
  if (out.length < 4) return out;
  const value = dice.chance(0.5) ? dice.pick(INTERESTING_INT32) : Math.max(0, out.length - 4 + dice.between(-8, 64));
  out[0] = value >>> 24;
  out[1] = (value >>> 16) & 0xff;
  out[2] = (value >>> 8) & 0xff;
  out[3] = value & 0xff;
  return out;
};

/** Inserts a hostile varint somewhere (Compact lengths, counts, field ids, seqids). */
export const insertVarint: Mutation = (dice, input) => {
  const at = dice.int(input.length + 1);
  return join(input.subarray(0, at), Uint8Array.from(dice.pick(INTERESTING_VARINTS)), input.subarray(at + dice.int(3)));
};

/** Cuts the input short (a frame that ends early, or one the server waits for). */
export const truncate: Mutation = (dice, input) => input.slice(0, dice.int(Math.max(1, input.length)));

/** Inserts 1 to 16 random bytes at a random offset. */
export const insertGarbage: Mutation = (dice, input) => {
  const at = dice.int(input.length + 1);
  return join(input.subarray(0, at), dice.bytes(dice.between(1, 16)), input.subarray(at));
};

const HTTP_REQUEST = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

/** Puts random bytes (or an HTTP request line, or TLS ClientHello-like bytes) before the frame. */
export const garbagePrefix: Mutation = (dice, input) => {
  const prefix = dice.weighted<Uint8Array>([
    [4, dice.bytes(dice.between(1, 12))],
    [1, HTTP_REQUEST],
    [1, Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
    [1, Uint8Array.from([0x00, 0x00, 0x00, 0x00])],
  ]);
  return join(prefix, input);
};

/** Deletes a random range. */
export const deleteRange: Mutation = (dice, input) => {
  if (input.length === 0) return copy(input);
  const at = dice.int(input.length);
  const length = dice.between(1, Math.min(32, input.length - at));
  return join(input.subarray(0, at), input.subarray(at + length));
};

/** Repeats a random range 2 to 64 times in place (runs of fields, nested openings). */
export const repeatRange: Mutation = (dice, input) => {
  if (input.length === 0) return copy(input);
  const at = dice.int(input.length);
  const range = input.subarray(at, at + dice.between(1, Math.min(16, input.length - at)));
  const repeats = Array.from({ length: dice.between(2, 64) }, () => range);
  return join(input.subarray(0, at), ...repeats, input.subarray(at));
};

/** Every mutation, weighted by how often the fuzzer picks it. */
export const MUTATIONS: ReadonlyArray<readonly [weight: number, name: string, mutation: Mutation]> = [
  [6, 'flip-bits', flipBits],
  [4, 'set-bytes', setBytes],
  [3, 'overwrite-int32', overwriteInt32],
  [2, 'huge-frame-length', hugeFrameLength],
  [2, 'insert-varint', insertVarint],
  [3, 'truncate', truncate],
  [2, 'insert-garbage', insertGarbage],
  [2, 'garbage-prefix', garbagePrefix],
  [2, 'delete-range', deleteRange],
  [2, 'repeat-range', repeatRange],
];

/** Applies 1 to `max` mutations drawn from {@link MUTATIONS}; returns the bytes and their names. */
export function mutate(dice: Dice, input: Uint8Array, max = 3): { readonly bytes: Uint8Array; readonly names: string[] } {
  let bytes = input;
  const names: string[] = [];
  for (let n = dice.between(1, max); n > 0; n--) {
    const [, name, mutation] = dice.weighted(MUTATIONS.map((entry) => [entry[0], entry] as const));
    bytes = mutation(dice, bytes);
    names.push(name);
  }
  return { bytes, names };
}

/** Cuts `a` and `b` at random points and joins the head of one to the tail of the other. */
export function splice(dice: Dice, a: Uint8Array, b: Uint8Array): Uint8Array {
  return join(a.subarray(0, dice.int(a.length + 1)), b.subarray(dice.int(b.length + 1)));
}
