/**
 * The fuzzer's stream of inputs: what to send next on a connection of a given wire mode, and how
 * to deliver it. The mix: valid calls (they must be answered), valid calls mutated at the byte
 * level, crafted hostile inputs (some mutated further), splices of two inputs, and plain random
 * bytes; delivered in one write, in random chunks, byte by byte, or slowly; now and then followed
 * by a half-close (end of stream in the middle of whatever was sent).
 */
import { hostileInput } from './hostile-inputs.js';
import { mutate, splice } from './mutators.js';
import type { Dice } from './random.js';
import { randomCall } from './valid-calls.js';
import { encodeMessage, type WireMode } from './wire.js';

/** How an input's bytes are written to the socket. */
export type Delivery =
  /** One write. */
  | 'whole'
  /** 2 to 8 writes at random cut points, a macrotask apart. */
  | 'chunks'
  /** One write per byte, a macrotask apart. */
  | 'bytewise'
  /** One write per byte, milliseconds apart (a slowloris client). */
  | 'slow';

/** One input and how to send it. */
export interface FuzzInput {
  /** What made it, e.g. `valid`, `mutated:flip-bits+truncate`, `hostile:deep-struct-1000`. */
  readonly kind: string;
  readonly bytes: Uint8Array;
  readonly delivery: Delivery;
  /** Where `chunks` delivery cuts the bytes (ascending offsets); empty otherwise. */
  readonly cuts: readonly number[];
  /** Half-close the connection after it (no probe follows). */
  readonly endAfter: boolean;
  /** Replies it must get (a valid, unmutated input); 0 when none is owed. */
  readonly expectedReplies: number;
}

/** Largest input delivered byte by byte (each byte costs a write and a macrotask turn on both sides). */
const MAX_BYTEWISE_BYTES = 256;
/** Largest input delivered slowly. */
const MAX_SLOW_BYTES = 48;

/** Generates inputs (see the module comment); deterministic for a given {@link Dice}. */
export class InputGenerator {
  /** The last few inputs, for splicing. */
  private readonly recent: Uint8Array[] = [];

  constructor(private readonly dice: Dice) {}

  /** The next input for a connection in `mode` whose next free sequence id is `seqId`. */
  next(mode: WireMode, seqId: number): FuzzInput {
    const dice = this.dice;
    const source = dice.weighted<'valid' | 'mutated' | 'hostile' | 'hostile-mutated' | 'splice' | 'random'>([
      [10, 'valid'],
      [50, 'mutated'],
      [22, 'hostile'],
      [8, 'hostile-mutated'],
      [5, 'splice'],
      [5, 'random'],
    ]);
    let kind: string;
    let bytes: Uint8Array;
    let expectedReplies = 0;
    if (source === 'valid' || source === 'mutated') {
      const deadlines = source === 'mutated';
      const { message, oneway } = randomCall(dice, seqId, { deadlines });
      const valid = encodeMessage(mode, message);
      if (source === 'valid') {
        kind = 'valid';
        bytes = valid;
        expectedReplies = oneway ? 0 : 1;
      } else {
        const mutated = mutate(dice, valid);
        kind = `mutated:${mutated.names.join('+')}`;
        bytes = mutated.bytes;
      }
    } else if (source === 'hostile' || source === 'hostile-mutated') {
      const hostile = hostileInput(dice, mode, seqId);
      if (source === 'hostile') {
        kind = `hostile:${hostile.name}`;
        bytes = hostile.bytes;
        expectedReplies = hostile.expectedReplies;
      } else {
        const mutated = mutate(dice, hostile.bytes, 2);
        kind = `hostile:${hostile.name}/${mutated.names.join('+')}`;
        bytes = mutated.bytes;
      }
    } else if (source === 'splice' && this.recent.length >= 2) {
      kind = 'splice';
      bytes = splice(dice, dice.pick(this.recent), dice.pick(this.recent));
    } else {
      kind = 'random';
      bytes = dice.bytes(dice.length(256));
    }
    if (bytes.length < 4096) {
      if (this.recent.length >= 32) this.recent[dice.int(32)] = bytes;
      else this.recent.push(bytes);
    }
    const delivery = this.delivery(bytes.length);
    const cuts = delivery === 'chunks' ? Array.from({ length: dice.between(1, 7) }, () => dice.int(bytes.length)).sort((a, b) => a - b) : [];
    return { kind, bytes, delivery, cuts, endAfter: dice.chance(0.03), expectedReplies };
  }

  private delivery(length: number): Delivery {
    const dice = this.dice;
    if (length <= MAX_SLOW_BYTES && dice.chance(0.002)) return 'slow';
    if (length <= MAX_BYTEWISE_BYTES && dice.chance(0.02)) return 'bytewise';
    return length > 1 && dice.chance(0.1) ? 'chunks' : 'whole';
  }
}
