/**
 * Inputs built to hit one limit or one rule of the protocol each, well-formed everywhere else
 * (random mutation rarely produces them): nesting far past the depth limit, element counts and
 * lengths no input could back, arguments of the wrong types, broken message envelopes, abused
 * THeader sections and control frames, and batches of many frames in one write.
 */
import { MessageType, TType, type ValueType } from '../runtime/protocol/types.js';
import { SkiffHeader } from '../runtime/protocol/skiff-headers.js';
import type { Dice } from './random.js';
import { randomCall, randomDouble, randomI32, randomI64, randomString } from './valid-calls.js';
import { concatBytes, encodeHeaderOnlyFrame, encodeMessage, type ProtocolWriter, type WireMode } from './wire.js';

/** A crafted input: its bytes and how many replies it must get (0 when none is owed). */
export interface HostileInput {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly expectedReplies: number;
}

/** The bytes of an ASCII string (the fuzzer's header names and values are). */
function ascii(text: string): number[] {
  const bytes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
const ECHO = ascii('echo');
/** Around the default depth limit (64) and far past it. */
const NESTING_DEPTHS = [63, 64, 65, 100, 1000, 10_000, 100_000];
const METHOD_NAMES = ['echo', 'everything', 'draw', 'balances', 'getUser', 'updateUser', 'listUsers', 'UserService:ping', 'nothing', 'fireAndForget'];

/**
 * Bytes of a field 1 holding `depth` nested values of `kind` (a struct in a struct ..., a
 * one-element list of lists ..., a one-entry map of maps ...).
 */
function nestedField(protocol: WireMode['protocol'], kind: 'struct' | 'list' | 'map', depth: number): Uint8Array {
  const key = `${protocol} ${kind} ${depth}`;
  let bytes = nestedFields.get(key);
  if (bytes === undefined) nestedFields.set(key, (bytes = buildNestedField(protocol, kind, depth)));
  return bytes;
}

/** {@link nestedField}'s results: few distinct ones, some of 100,000 levels. */
const nestedFields = new Map<string, Uint8Array>();

function buildNestedField(protocol: WireMode['protocol'], kind: 'struct' | 'list' | 'map', depth: number): Uint8Array {
  // [field header, bytes per level, innermost value, bytes closing each level]
  const compact: Record<typeof kind, [number[], number[], number[], number[]]> = {
    struct: [[], [0x1c], [], [0x00]],
    list: [[0x19], [0x19], [0x15, 0x02], []],
    map: [[0x1b], [0x01, 0x8b, 0x01, 0x6b], [0x00], []],
  };
  const binary: Record<typeof kind, [number[], number[], number[], number[]]> = {
    struct: [[], [0x0c, 0x00, 0x01], [], [0x00]],
    list: [[0x0f, 0x00, 0x01], [0x0f, 0x00, 0x00, 0x00, 0x01], [0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01], []],
    map: [[0x0d, 0x00, 0x01], [0x0b, 0x0d, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x6b], [0x0b, 0x0d, 0x00, 0x00, 0x00, 0x00], []],
  };
  const [field, level, innermost, close] = (protocol === 'compact' ? compact : binary)[kind];
  const bytes = new Uint8Array(field.length + (level.length + close.length) * depth + innermost.length);
  bytes.set(field);
  let at = field.length;
  for (let i = 0; i < depth; i++, at += level.length) bytes.set(level, at);
  bytes.set(innermost, at);
  at += innermost.length;
  for (let i = 0; i < depth; i++, at += close.length) bytes.set(close, at);
  return bytes;
}

const VALUE_TYPES: readonly ValueType[] = [TType.BOOL, TType.I8, TType.DOUBLE, TType.I16, TType.I32, TType.I64, TType.STRING, TType.STRUCT, TType.MAP, TType.SET, TType.LIST, TType.UUID];

/** Writes a random value of `type` (depth-bounded), with the protocol writer's own calls. */
function writeRandomValue(dice: Dice, w: ProtocolWriter, type: ValueType, depth: number): void {
  switch (type) {
    case TType.BOOL:
      w.writeBool(dice.chance(0.5));
      return;
    case TType.I8:
      w.writeI8(dice.int(256) - 128);
      return;
    case TType.I16:
      w.writeI16(dice.int(65536) - 32768);
      return;
    case TType.I32:
      w.writeI32(randomI32(dice));
      return;
    case TType.I64:
      w.writeI64(randomI64(dice));
      return;
    case TType.DOUBLE:
      w.writeDouble(randomDouble(dice));
      return;
    case TType.STRING:
      if (dice.chance(0.5)) w.writeString(randomString(dice, 64));
      else w.writeBinary(dice.bytes(dice.length(64)));
      return;
    case TType.UUID:
      w.writeBytes(dice.bytes(16));
      return;
    case TType.STRUCT:
      writeRandomStruct(dice, w, depth + 1);
      return;
    case TType.LIST:
    case TType.SET: {
      const element = depth > 4 ? TType.I32 : dice.pick(VALUE_TYPES);
      const size = dice.length(8);
      if (type === TType.LIST) w.writeListBegin(element, size);
      else w.writeSetBegin(element, size);
      for (let i = 0; i < size; i++) writeRandomValue(dice, w, element, depth + 1);
      return;
    }
    case TType.MAP: {
      const key = depth > 4 ? TType.STRING : dice.pick(VALUE_TYPES);
      const value = depth > 4 ? TType.I64 : dice.pick(VALUE_TYPES);
      const size = dice.length(6);
      w.writeMapBegin(key, value, size);
      for (let i = 0; i < size; i++) {
        writeRandomValue(dice, w, key, depth + 1);
        writeRandomValue(dice, w, value, depth + 1);
      }
      return;
    }
  }
}

/** A struct of random fields: random ids (negative and duplicate ones too) and random types. */
function writeRandomStruct(dice: Dice, w: ProtocolWriter, depth: number): void {
  w.writeStructBegin();
  for (let n = depth > 4 ? 0 : dice.length(10); n > 0; n--) {
    const id = dice.chance(0.8) ? dice.between(1, 10) : dice.int(65536) - 32768;
    const type = dice.pick(VALUE_TYPES);
    if (type === TType.BOOL) w.writeBoolField(id, dice.chance(0.5));
    else {
      w.writeFieldBegin(type, id);
      writeRandomValue(dice, w, type, depth);
    }
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

/** Bytes of a field 1 of `type` whose element count or length no input could back. */
function impossibleSizeField(dice: Dice, protocol: WireMode['protocol']): Uint8Array {
  const count = dice.pick([0x7fffffff, 0x7ffffffe, 0x10000000, 0x100000, 0xfffff, 70_000]);
  if (protocol === 'compact') {
    const varint: number[] = [];
    for (let v = count; ; v >>>= 7) {
      if (v < 0x80) {
        varint.push(v);
        break;
      }
      varint.push((v & 0x7f) | 0x80);
    }
    return Uint8Array.from(
      dice.weighted<number[]>([
        [1, [0x18, dice.pick([0xf5, 0xfc, 0xf1, 0xf7, 0xf9]), ...varint]], // list of i32, struct, bool, double, list
        [1, [0x1b, ...varint, dice.pick([0x55, 0xcc, 0x11, 0x88])]], // map
        [1, [0x18, ...varint, 0x61]], // string of `count` bytes
      ]),
    );
  }
  const be = [count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff];
  return Uint8Array.from(
    dice.weighted<number[]>([
      [1, [0x0f, 0x00, 0x01, dice.pick([0x08, 0x0c, 0x02, 0x04, 0x0f]), ...be]],
      [1, [0x0d, 0x00, 0x01, dice.pick([0x08, 0x0b]), dice.pick([0x08, 0x0c]), ...be]],
      [1, [0x0b, 0x00, 0x01, ...be, 0x61]],
    ]),
  );
}

/** A message envelope that breaks a rule: unknown type or version, huge or invalid name, old Binary format. */
function brokenEnvelope(dice: Dice, protocol: WireMode['protocol']): Uint8Array {
  const seq = [0, 0, 0, dice.int(256)];
  if (protocol === 'compact') {
    return Uint8Array.from(
      dice.weighted<number[]>([
        [1, [0x82, (dice.pick([0, 2, 3, 5, 6, 7]) << 5) | 1, 0x01, 0x04, ...ECHO, 0x00]],
        [1, [0x82, (1 << 5) | dice.pick([0, 2, 31]), 0x01, 0x04, ...ECHO, 0x00]],
        [1, [0x82, 0x21, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07]],
        [1, [0x82, 0x21, 0x01, 0x02, 0xff, 0xfe, 0x00]],
        [1, [0x82, 0x21, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]],
      ]),
    );
  }
  return Uint8Array.from(
    dice.weighted<number[]>([
      [1, [0x80, 0x01, 0x00, dice.pick([0, 2, 3, 5, 255]), 0x00, 0x00, 0x00, 0x04, ...ECHO, ...seq, 0x00]],
      [1, [0x80, dice.pick([0x00, 0x02, 0xff]), 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, ...ECHO, ...seq, 0x00]],
      [1, [0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff, 0x61]],
      [1, [0x80, 0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xf0, 0x61]],
      [1, [0x00, 0x00, 0x00, 0x04, ...ECHO, 0x01, ...seq, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x61, 0x00]],
      [1, [0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0xc3, 0x28, ...seq, 0x00]],
    ]),
  );
}

/** Wraps a payload in a plain frame (its length first), or returns it bare for `buffered`. */
function frameOf(mode: WireMode, payload: Uint8Array): Uint8Array {
  if (mode.framing === 'buffered') return payload;
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/** THeader frames whose header section is abused: bad sizes, protocol ids, transforms, counts, strings. */
function abusedHeaderFrame(dice: Dice): Uint8Array {
  const section: number[] = [];
  const varint = (value: number): void => {
    for (let v = value >>> 0; ; v >>>= 7) {
      if (v < 0x80) {
        section.push(v);
        return;
      }
      section.push((v & 0x7f) | 0x80);
    }
  };
  const text = (value: string | readonly number[]): void => {
    const bytes = typeof value === 'string' ? ascii(value) : value;
    varint(bytes.length);
    for (const b of bytes) section.push(b);
  };
  varint(dice.weighted<number>([[6, 2], [2, 0], [1, 1], [1, 3], [1, 0x7fffffff]]));
  const transforms = dice.chance(0.2) ? dice.between(1, 3) : 0;
  varint(transforms);
  for (let i = 0; i < transforms; i++) varint(dice.pick([1, 2, 3, 99]));
  const shape = dice.int(6);
  if (shape === 0) {
    varint(1);
    varint(dice.pick([0x7fffffff, 70_000, 1000]));
  } else if (shape === 1) {
    // Many small headers: far past the server's maxHeaders (128) and maxHeaderBytes (16 KiB).
    const count = dice.between(100, 8000);
    varint(1);
    varint(count);
    for (let i = 0; i < count; i++) {
      text(`k${i}`);
      text('v');
    }
  } else if (shape === 2) {
    varint(1);
    varint(2);
    text([0xff, 0xfe, 0xc0]);
    text([0xed, 0xa0, 0x80]);
  } else if (shape === 3) {
    varint(dice.pick([2, 3, 7, 0x7f]));
    section.push(...dice.bytes(dice.between(0, 12)));
  } else if (shape === 4) {
    varint(1);
    varint(2);
    text(SkiffHeader.TIMEOUT_MS);
    text(dice.pick(['-1', 'NaN', '1e309', '0x10', ' 5', '', '0', '9007199254740993', 'Infinity']));
    text(SkiffHeader.FEATURES);
    text(dice.pick(['control', 'control,control', ',', 'x'.repeat(1000)]));
  } else {
    varint(1);
    varint(1);
    text(SkiffHeader.CONTROL);
    text(dice.pick(['cancel', 'ping', 'pong', 'goaway', 'unknown', '']));
  }
  while (section.length % 4 !== 0) section.push(0);
  const payload = dice.chance(0.5) ? encodeMessage({ framing: 'buffered', protocol: 'compact' }, randomCall(dice, dice.int(100)).message) : new Uint8Array(0);
  const words = dice.weighted<number>([[8, section.length / 4], [1, 0xffff], [1, (section.length / 4 + 1) & 0xffff]]);
  const fixed = [0x0f, 0xff, dice.int(256), dice.int(256), 0x00, 0x00, 0x00, dice.int(256), words >> 8, words & 0xff];
  const body = concatBytes([Uint8Array.from(fixed), Uint8Array.from(section), payload]);
  return frameOf({ framing: 'framed', protocol: 'compact' }, body);
}

/** A run of control frames a client may send (cancel, ping) and ones it may not (goaway, pong). */
function controlFrames(dice: Dice, mode: WireMode): Uint8Array {
  const frames = Array.from({ length: dice.between(1, 20) }, () =>
    encodeHeaderOnlyFrame(mode.protocol, dice.chance(0.5) ? dice.int(16) : randomI32(dice), new Map([
      [SkiffHeader.FEATURES, 'control'],
      [SkiffHeader.CONTROL, dice.pick(['cancel', 'ping', 'pong', 'goaway', 'nonsense'])],
    ])),
  );
  return concatBytes(frames);
}

/** Valid calls in one write; each must be answered (no deadline headers, so none is dropped). */
function manyFrames(dice: Dice, mode: WireMode, firstSeqId: number, count: number): HostileInput {
  let expected = 0;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const { message, oneway } = randomCall(dice, firstSeqId + i, { deadlines: false });
    frames.push(encodeMessage(mode, message));
    if (!oneway) expected++;
  }
  return { name: 'many-frames', bytes: concatBytes(frames), expectedReplies: expected };
}

/** Slow calls sharing one seqid (THeader: the second is refused while the first runs). */
function reusedSeqIds(dice: Dice, mode: WireMode, seqId: number): HostileInput {
  const count = dice.between(2, 6);
  const frames = Array.from({ length: count }, () =>
    encodeMessage(mode, {
      name: 'listUsers',
      type: MessageType.CALL,
      seqId,
      writeArgs: (w) => {
        w.writeStructBegin();
        w.writeFieldBegin(TType.STRUCT, 1);
        w.writeStructBegin();
        w.writeFieldBegin(TType.STRUCT, 1);
        w.writeStructBegin();
        w.writeFieldBegin(TType.STRING, 1);
        w.writeString('slow:10');
        w.writeFieldStop();
        w.writeStructEnd();
        w.writeFieldStop();
        w.writeStructEnd();
        w.writeFieldStop();
        w.writeStructEnd();
      },
    }),
  );
  return { name: 'reused-seqids', bytes: concatBytes(frames), expectedReplies: count };
}

/** One crafted input for `mode`; `seqId` is the first free sequence id of the connection. */
export function hostileInput(dice: Dice, mode: WireMode, seqId: number): HostileInput {
  const call = (name: string, writeArgs: (w: ProtocolWriter) => void): Uint8Array =>
    encodeMessage(mode, { name, type: MessageType.CALL, seqId, headers: new Map(), writeArgs });
  const inArgs = (field: Uint8Array) => (w: ProtocolWriter) => {
    w.writeStructBegin();
    w.writeBytes(field);
    w.writeFieldStop();
    w.writeStructEnd();
  };
  // Big batches (hundreds of calls, past the per-connection in-flight limit) are rare: each costs
  // the server as much as hundreds of other inputs.
  const shape = dice.weighted<number>([[10, 0], [10, 1], [10, 2], [10, 3], [10, 4], [10, 5], [10, 6], [10, 7], [1, 8], [10, 9], [10, 10]]);
  switch (shape) {
    case 0:
    case 1: {
      const depth = dice.pick(NESTING_DEPTHS);
      const kind = dice.pick(['struct', 'list', 'map'] as const);
      return { name: `deep-${kind}-${depth}`, bytes: call(dice.pick(METHOD_NAMES), inArgs(nestedField(mode.protocol, kind, depth))), expectedReplies: 0 };
    }
    case 2:
      return { name: 'wrong-types', bytes: call(dice.pick(METHOD_NAMES), (w) => writeRandomStruct(dice, w, 0)), expectedReplies: 0 };
    case 3:
      return { name: 'impossible-size', bytes: call(dice.pick(METHOD_NAMES), inArgs(impossibleSizeField(dice, mode.protocol))), expectedReplies: 0 };
    case 4:
      return { name: 'broken-envelope', bytes: frameOf(mode, brokenEnvelope(dice, mode.protocol)), expectedReplies: 0 };
    case 5:
      return { name: 'abused-theader', bytes: abusedHeaderFrame(dice), expectedReplies: 0 };
    case 6:
      return { name: 'control-frames', bytes: controlFrames(dice, mode), expectedReplies: 0 };
    case 7:
      return manyFrames(dice, mode, seqId, dice.between(2, 64));
    case 8:
      return manyFrames(dice, mode, seqId, dice.between(200, 1500));
    case 9:
      return mode.framing === 'header' ? reusedSeqIds(dice, mode, seqId) : manyFrames(dice, mode, seqId, 3);
    default: {
      const tiny = dice.pick([[0, 0, 0, 0], [0, 0, 0, 1, 0x82], [0, 0, 0, 2, 0x0f, 0xff], [0, 0, 0, 3, 0x80, 0x01, 0x00], [0, 0, 0, 10, 0x0f, 0xff, 0, 0, 0, 0, 0, 1, 0, 0]]);
      return { name: 'tiny-frame', bytes: Uint8Array.from(tiny), expectedReplies: 0 };
    }
  }
}
