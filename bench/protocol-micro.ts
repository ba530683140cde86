/**
 * Micro benchmark of the protocol byte layer: the design choices in runtime/protocol (UTF-8
 * strategies and their thresholds, the compact string-prefix strategy, the i64 fast path) and
 * whole-struct encode/decode throughput of both protocols.
 *
 * Build and run (Node 20 cannot run .ts directly):
 *   npm run build && node dist/bench/protocol-micro.js [filter]
 * `filter` keeps only the cases whose name contains it. Numbers are ns per operation (lower is
 * better), the median of several timed rounds after a warm-up.
 */

import { BinaryReader, BinaryWriter } from '../runtime/protocol/binary.js';
import { CompactReader, CompactWriter } from '../runtime/protocol/compact.js';
import { TType, type Reader, type Writer } from '../runtime/protocol/types.js';
import {
  allocateBytes,
  decodeUtf8,
  decodeUtf8Js,
  decodeUtf8Native,
  encodeUtf8Into,
  encodeUtf8Js,
  encodeUtf8Native,
  SHORT_STRING_BYTES,
  SHORT_STRING_CHARS,
} from '../runtime/protocol/utf8.js';

const filter = process.argv[2] ?? '';
const ROUNDS = 7;
const ROUND_MS = 60;

let sink: unknown;

/** Times `run` (which does `opsPerCall` operations) and prints the median ns per operation. */
function bench(name: string, run: () => void, opsPerCall = 1): void {
  if (!name.includes(filter)) return;
  const warmUntil = performance.now() + ROUND_MS * 2;
  let calls = 0;
  while (performance.now() < warmUntil) {
    run();
    calls++;
  }
  const callsPerRound = Math.max(1, Math.round(calls / 2));
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < callsPerRound; i++) run();
    samples.push(Number(process.hrtime.bigint() - start) / (callsPerRound * opsPerCall));
  }
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(52)} ${samples[ROUNDS >> 1]!.toFixed(1).padStart(10)} ns/op`);
}

function sampleStrings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of [8, 16, 24, 32, 64, 128, 1024, 16384]) {
    out[`ascii${n}`] = Array.from('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(n / 36))).slice(0, n).join('');
    out[`mixed${n}`] = Array.from('héllo wörld ☃ 😀 日本語 '.repeat(Math.ceil(n / 10))).slice(0, n).join('');
  }
  return out;
}

const strings = sampleStrings();
const target = allocateBytes(1 << 20);
const plainTarget = new Uint8Array(1 << 20);
const encoder = new TextEncoder();

console.log(`# UTF-8 encode (chosen = encodeUtf8Into: JS up to ${SHORT_STRING_CHARS} chars, then native)`);
for (const [name, s] of Object.entries(strings)) {
  bench(`encode ${name} js-loop`, () => { sink = encodeUtf8Js(s, target, 0); });
  bench(`encode ${name} buffer.utf8Write`, () => { sink = encodeUtf8Native(s, target, 0); });
  bench(`encode ${name} encodeInto`, () => { sink = encoder.encodeInto(s, plainTarget.subarray(0)).written; });
  bench(`encode ${name} chosen`, () => { sink = encodeUtf8Into(s, target, 0); });
}

console.log(`# UTF-8 decode, strict (chosen = decodeUtf8: JS up to ${SHORT_STRING_BYTES} bytes, then fatal TextDecoder)`);
for (const [name, s] of Object.entries(strings)) {
  const length = encodeUtf8Into(s, target, 0);
  const bytes = target.slice(0, length);
  bench(`decode ${name} js-loop`, () => { sink = decodeUtf8Js(bytes, 0, length); });
  bench(`decode ${name} TextDecoder fatal`, () => { sink = decodeUtf8Native(bytes, 0, length); });
  bench(`decode ${name} chosen`, () => { sink = decodeUtf8(bytes, 0, length); });
}

console.log('# Compact string prefix: reserve worst case + slide (chosen) vs count bytes first');
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
const compact = new CompactWriter();
for (const name of ['ascii16', 'ascii64', 'mixed64', 'ascii1024', 'mixed1024']) {
  const s = strings[name]!;
  bench(`prefix ${name} reserve+slide (chosen)`, () => { compact.reset(); compact.writeString(s); });
  bench(`prefix ${name} count-first`, () => {
    compact.reset();
    const length = utf8Length(s);
    compact.ensure(5 + length);
    let n = length;
    while (n > 0x7f) {
      compact.buf[compact.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    compact.buf[compact.pos++] = n;
    compact.pos += compact.encodeUtf8At(s, compact.pos);
  });
}

console.log('# i64 (1000 values per op batch)');
const smallI64 = Array.from({ length: 1000 }, (_, i) => BigInt(i * 37 - 500));
const mediumI64 = Array.from({ length: 1000 }, (_, i) => BigInt(i) * 1_000_000_007n);
const hugeI64 = Array.from({ length: 1000 }, (_, i) => (1n << 62n) - BigInt(i));
for (const [name, values] of [['small', smallI64], ['medium', mediumI64], ['huge', hugeI64]] as const) {
  bench(`i64 ${name} compact write (number fast path)`, () => {
    compact.reset();
    for (const v of values) compact.writeI64(v);
  }, values.length);
  bench(`i64 ${name} compact write (bigint only)`, () => {
    compact.reset();
    for (const v of values) {
      const zigzag = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      let lo = Number(zigzag & 0xffffffffn);
      let hi = Number(zigzag >> 32n);
      compact.ensure(10);
      while (hi !== 0 || lo > 0x7f) {
        compact.buf[compact.pos++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      compact.buf[compact.pos++] = lo;
    }
  }, values.length);
  compact.reset();
  for (const v of values) compact.writeI64(v);
  const encoded = compact.finish();
  bench(`i64 ${name} compact read`, () => {
    const r = new CompactReader(encoded);
    for (let i = 0; i < 1000; i++) sink = r.readI64();
  }, values.length);
  const binary = new BinaryWriter();
  bench(`i64 ${name} binary write`, () => {
    binary.reset();
    for (const v of values) binary.writeI64(v);
  }, values.length);
}

console.log('# Whole struct: 10 fields (ids, name, email, score, tags list, flags, nested struct)');
const user = {
  id: 123456789n,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  score: 97.5,
  age: 36,
  admin: true,
  tags: ['math', 'engines', 'poetry'],
  address: { street: '12 St James Square', zip: 'SW1Y 4JH' },
};

function writeUser(w: Writer): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.I64, 1); w.writeI64(user.id);
  w.writeFieldBegin(TType.STRING, 2); w.writeString(user.name);
  w.writeFieldBegin(TType.STRING, 3); w.writeString(user.email);
  w.writeFieldBegin(TType.DOUBLE, 4); w.writeDouble(user.score);
  w.writeFieldBegin(TType.I32, 5); w.writeI32(user.age);
  w.writeBoolField(6, user.admin);
  w.writeFieldBegin(TType.LIST, 7); w.writeListBegin(TType.STRING, user.tags.length);
  for (const tag of user.tags) w.writeString(tag);
  w.writeFieldBegin(TType.STRUCT, 8);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1); w.writeString(user.address.street);
  w.writeFieldBegin(TType.STRING, 2); w.writeString(user.address.zip);
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeFieldStop();
  w.writeStructEnd();
}

function readUser(r: Reader): unknown {
  const out: Record<string, unknown> = {};
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    switch (r.fieldId) {
      case 1: out['id'] = r.readI64(); break;
      case 2: out['name'] = r.readString(); break;
      case 3: out['email'] = r.readString(); break;
      case 4: out['score'] = r.readDouble(); break;
      case 5: out['age'] = r.readI32(); break;
      case 6: out['admin'] = r.readBool(); break;
      case 7: {
        const tags: string[] = [];
        for (let n = r.readListBegin(), i = 0; i < n; i++) tags.push(r.readString());
        r.readListEnd();
        out['tags'] = tags;
        break;
      }
      case 8: {
        const address: Record<string, string> = {};
        r.readStructBegin();
        for (let u = r.readFieldBegin(); u !== TType.STOP; u = r.readFieldBegin()) {
          const id: number = r.fieldId;
          if (id === 1) address['street'] = r.readString();
          else if (id === 2) address['zip'] = r.readString();
          else r.skip(u);
        }
        r.readStructEnd();
        out['address'] = address;
        break;
      }
      default: r.skip(t);
    }
  }
  r.readStructEnd();
  return out;
}

for (const [name, writer, makeReader] of [
  ['compact', new CompactWriter(), (b: Uint8Array) => new CompactReader(b)],
  ['binary', new BinaryWriter(), (b: Uint8Array) => new BinaryReader(b)],
] as const) {
  writer.reset();
  writeUser(writer);
  const bytes = writer.finish();
  console.log(`${name} user struct: ${bytes.length} bytes`);
  bench(`struct ${name} encode (reset + write + view)`, () => { writer.reset(); writeUser(writer); sink = writer.view(); });
  bench(`struct ${name} encode (reset + write + finish copy)`, () => { writer.reset(); writeUser(writer); sink = writer.finish(); });
  bench(`struct ${name} decode`, () => { sink = readUser(makeReader(bytes)); });
  bench(`struct ${name} skip`, () => { makeReader(bytes).skip(TType.STRUCT); });
}

if (sink === Symbol.for('never')) console.log(sink);
