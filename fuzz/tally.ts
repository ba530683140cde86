/**
 * What a fuzzing run counts and keeps: inputs by outcome, wire mode and kind, every kind of
 * failure, a description of each (the first 50), and the inputs behind each failure as corpus
 * entries.
 */
import { toEntry, type CorpusEntry } from './corpus.js';
import type { InputOutcome } from './fuzz-connection.js';
import type { FuzzInput } from './inputs.js';
import { modeName, type WireMode } from './wire.js';

/** An input as it was sent, kept while a failure may need it. */
export interface SentInput {
  /** The local port of its connection (how the server's reports name the connection). */
  readonly localPort: number;
  readonly mode: WireMode;
  readonly input: FuzzInput;
}

/** Most failure descriptions kept. */
const MAX_FAILURES = 50;

/** Counters and findings of one run (see the module comment). */
export class FuzzTally {
  inputs = 0;
  connections = 0;
  connectErrors = 0;
  hangs = 0;
  lostReplies = 0;
  badReplies = 0;
  internalErrors = 0;
  crashes = 0;
  serverStalls = 0;
  readonly outcomes: Record<InputOutcome, number> = { answered: 0, closed: 0, hang: 0, 'lost-replies': 0 };
  readonly byMode: Record<string, number> = {};
  readonly byKind: Record<string, number> = {};
  readonly failures: string[] = [];
  readonly findings: CorpusEntry[] = [];

  /** Counts one input that ended with `outcome`. */
  countInput(mode: WireMode, input: FuzzInput, outcome: InputOutcome): void {
    this.inputs++;
    this.outcomes[outcome]++;
    const name = modeName(mode);
    this.byMode[name] = (this.byMode[name] ?? 0) + 1;
    const kind = input.kind.split(':')[0]!;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  /** Records a failure's description (the first {@link MAX_FAILURES}). */
  fail(what: string): void {
    if (this.failures.length < MAX_FAILURES) this.failures.push(what);
  }

  /** Keeps the inputs behind a failure, as corpus entries saying `what` happened. */
  save(what: string, sent: readonly SentInput[]): void {
    for (const s of sent) this.findings.push(toEntry(`finding-${this.findings.length + 1}`, what, s.mode, s.input));
  }
}
