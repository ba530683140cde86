/**
 * The fuzz corpus: inputs worth replaying, as JSON entries of hex bytes plus how they were sent.
 * `fuzz/corpus/*.json` holds the regression corpus (inputs that once broke something, and crafted
 * inputs that guard a limit), replayed by `test/fuzz/corpus.test.ts`; a fuzzing run writes its
 * findings in the same format, ready to be reviewed and added.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Delivery, FuzzInput } from './inputs.js';
import { modeName, WIRE_MODES, type WireMode } from './wire.js';

/** One replayable input. */
export interface CorpusEntry {
  /** Short unique name. */
  readonly name: string;
  /** What it broke or guards, and where (file and line of the bug, once known). */
  readonly what: string;
  /** Wire mode of the connection it is sent on, e.g. `header/compact` (its probe uses it). */
  readonly mode: string;
  readonly delivery: Delivery;
  /** Cut points for `chunks` delivery. */
  readonly cuts?: readonly number[];
  /** Half-close after sending. */
  readonly endAfter: boolean;
  /** Replies the input must get (a valid input; a regression where it went unanswered). Default 0. */
  readonly expectedReplies?: number;
  /** The bytes, as lowercase hex. */
  readonly hex: string;
}

/** An entry for `input` sent in `mode`. */
export function toEntry(name: string, what: string, mode: WireMode, input: FuzzInput): CorpusEntry {
  return {
    name,
    what,
    mode: modeName(mode),
    delivery: input.delivery,
    ...(input.cuts.length > 0 ? { cuts: input.cuts } : {}),
    endAfter: input.endAfter,
    hex: Buffer.from(input.bytes).toString('hex'),
  };
}

/** The input and mode an entry describes. */
export function fromEntry(entry: CorpusEntry): { readonly mode: WireMode; readonly input: FuzzInput } {
  const mode = WIRE_MODES.find((m) => modeName(m) === entry.mode);
  if (mode === undefined) throw new Error(`corpus entry ${entry.name}: unknown mode '${entry.mode}'`);
  return {
    mode,
    input: {
      kind: `corpus:${entry.name}`,
      bytes: Uint8Array.from(Buffer.from(entry.hex, 'hex')),
      delivery: entry.delivery,
      cuts: entry.cuts ?? [],
      endAfter: entry.endAfter,
      expectedReplies: entry.expectedReplies ?? 0,
    },
  };
}

/** Every entry of every `.json` file in `dir`. */
export function readCorpus(dir: string): CorpusEntry[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CorpusEntry[]);
}

/** Writes `entries` to `dir/file` (creating `dir`); returns the path. */
export function writeEntries(dir: string, file: string, entries: readonly CorpusEntry[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(entries, null, 2)}\n`);
  return path;
}
