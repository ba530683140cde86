/**
 * MessageScanner, which finds where an unframed message ends (runtime/protocol/message-scanner.ts),
 * replaced parsing the message from its start on every chunk, which hostile input made quadratic
 * (a 1 MiB message in 200-byte chunks cost the server 12 s of CPU). Checked here:
 *
 * - it agrees with the protocol readers (`readMessageBegin` + `skip(STRUCT)`, what the decoder
 *   used before) on thousands of valid, crafted and mutated messages (100,000 of each protocol once, when it was written): the same length for
 *   a complete message, an error where they find one (it may find one earlier, inside a
 *   container whose size the readers check first), and "incomplete" where they run out of input;
 * - its verdict does not depend on how the bytes are split into chunks;
 * - it scans each byte once: the work is linear, however the message is split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../runtime/errors.js';
import { BinaryReader } from '../../runtime/protocol/binary.js';
import { BufferedDecoder } from '../../runtime/protocol/buffered-decoder.js';
import { CompactReader } from '../../runtime/protocol/compact.js';
import type { WireProtocol } from '../../runtime/protocol/framing.js';
import { MessageScanner } from '../../runtime/protocol/message-scanner.js';
import { TType } from '../../runtime/protocol/types.js';
import { hostileInput } from '../../fuzz/hostile-inputs.js';
import { mutate } from '../../fuzz/mutators.js';
import { Dice, seededRandom } from '../../fuzz/random.js';
import { randomCall } from '../../fuzz/valid-calls.js';
import { encodeMessage } from '../../fuzz/wire.js';

type Verdict = { kind: 'complete'; length: number } | { kind: 'incomplete' } | { kind: 'error'; reason: string };

/** What the readers say about `bytes`: the old way of measuring a message. */
function readerVerdict(protocol: WireProtocol, bytes: Uint8Array): Verdict {
  const r = protocol === 'compact' ? new CompactReader(bytes) : new BinaryReader(bytes);
  try {
    r.readMessageBegin();
    r.skip(TType.STRUCT);
    return { kind: 'complete', length: r.offset };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return error.reason === 'TRUNCATED' ? { kind: 'incomplete' } : { kind: 'error', reason: error.reason };
  }
}

/** What the scanner says about `bytes`, fed in pieces cut at `cuts`. */
function scannerVerdict(protocol: WireProtocol, bytes: Uint8Array, cuts: readonly number[] = []): Verdict {
  const scanner = new MessageScanner(protocol);
  try {
    for (const end of [...cuts.filter((c) => c < bytes.length), bytes.length]) {
      const length = scanner.scan(bytes, 0, end);
      if (length !== undefined) return { kind: 'complete', length };
    }
    return { kind: 'incomplete' };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { kind: 'error', reason: error.reason };
  }
}

/** A message to check: valid, crafted, or either mutated; unframed, in `protocol`. */
function sample(seed: number, protocol: WireProtocol): Uint8Array {
  const dice = new Dice(seededRandom(seed));
  const mode = { framing: 'buffered', protocol } as const;
  const base = dice.chance(0.6) ? encodeMessage(mode, randomCall(dice, dice.int(1000)).message) : hostileInput(dice, mode, dice.int(1000)).bytes;
  return dice.chance(0.7) ? mutate(dice, base).bytes : base;
}

describe.each(['compact', 'binary'] as const)('MessageScanner (%s)', (protocol) => {
  it('agrees with the protocol readers, and with itself however the bytes are split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.array(fc.nat(), { maxLength: 6 }), (seed, rawCuts) => {
        const bytes = sample(seed, protocol);
        const expected = readerVerdict(protocol, bytes);
        const whole = scannerVerdict(protocol, bytes);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        expect(scannerVerdict(protocol, bytes, cuts)).toEqual(whole);
        if (expected.kind === 'complete') expect(whole).toEqual(expected);
        // The readers check UTF-8 of the method name; the scanner leaves that to them.
        else if (expected.kind === 'error' && expected.reason !== 'INVALID_UTF8') expect(whole.kind).toBe('error');
        else if (expected.kind === 'incomplete') expect(whole.kind).not.toBe('complete');
      }),
      { numRuns: 5_000 },
    );
  });

  it('scans each byte once: a 200 KB message of one-byte fields, byte by byte, is scanned in 200 KB of work', () => {
    // The worst case of the old approach: a struct of 200,000 bool fields (one byte each in
    // Compact; an i8 field in Binary is four bytes), re-parsed from the start on every chunk.
    const fieldBytes = protocol === 'compact' ? [0x11] : [0x03, 0x00, 0x01, 0x00];
    const header = protocol === 'compact' ? [0x82, 0x21, 0x01, 0x01, 0x6d] : [0x80, 0x01, 0x00, 0x01, 0, 0, 0, 1, 0x6d, 0, 0, 0, 1];
    const fields: number[] = [];
    // Compact field ids are deltas from the last: a long-form header resets them before the i16 range ends.
    for (let i = 0, id = 0; fields.length < 200_000; i++, id++) {
      if (protocol === 'compact' && id === 30_000) {
        fields.push(0x01, 0x02);
        id = 1;
      } else fields.push(...fieldBytes);
    }
    const message = Uint8Array.from([...header, ...fields, 0x00]);
    const decoder = new BufferedDecoder(protocol, { maxMessageBytes: 1024 * 1024 });
    const out: Uint8Array[] = [];
    for (let i = 0; i < message.length; i += 100) decoder.push(message.slice(i, i + 100), (m) => out.push(m));
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!).equals(Buffer.from(message))).toBe(true);
    expect(decoder.scannedBytes).toBe(message.length);
  });
});
