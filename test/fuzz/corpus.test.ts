/**
 * Replays the fuzz corpus (fuzz/corpus/*.json) against the fuzzed server, in-process: inputs that
 * once broke something (regressions.json) and crafted inputs that guard one limit each
 * (limits.json). Each is sent on a fresh connection as recorded, twice (a probe left unanswered
 * is followed by an end of stream, or by more probes); then the connection must be answered (a
 * probe gets its reply, and an input owed replies gets them all) or closed by the server within
 * the bound, every reply must parse, the server must report no internal error, and a
 * well-behaved client must still be served.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, type ClientChannel, type Server } from 'skiff/runtime';
import { KitchenSinkClient } from '../../generated/kitchen_sink.js';
import { fromEntry, readCorpus } from '../../fuzz/corpus.js';
import { FuzzConnection } from '../../fuzz/fuzz-connection.js';
import { countingLogger, createFuzzTarget, type InternalErrorReport } from '../../fuzz/fuzz-target.js';

const CORPUS_DIR = fileURLToPath(new URL('../../fuzz/corpus/', import.meta.url));
const entries = readCorpus(CORPUS_DIR);

const internalErrors: InternalErrorReport[] = [];
let server: Server;
let port: number;
let channel: ClientChannel;

beforeAll(async () => {
  server = createFuzzTarget(countingLogger((report) => internalErrors.push(report)));
  ({ port } = await server.listen({ port: 0, host: '127.0.0.1' }));
  channel = createChannel({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await channel?.close();
  await server?.close({ graceMs: 1000 });
});

describe('fuzz corpus', () => {
  it('has entries', () => {
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
  });

  // Each entry twice: a probe left unanswered is followed by an end of stream, or by more probes.
  const cases = entries.flatMap((entry) => [[`${entry.name}, then end of stream`, entry, true] as const, [`${entry.name}, then more probes`, entry, false] as const]);
  it.each(cases)('%s', async (_name, entry, endEarly) => {
    const { mode, input } = fromEntry(entry);
    const connection = await FuzzConnection.open(port, mode);
    try {
      await connection.send(input);
      const outcome = input.endAfter
        ? await connection.endAndWait(5000)
        : await connection.probe({ expectedReplies: input.expectedReplies, repliesBefore: 0, patienceMs: 200, endEarly, watchdogMs: 5000 });
      expect(connection.badReplies).toEqual([]);
      expect(outcome === 'answered' || outcome === 'closed' ? 'answered or closed' : outcome).toBe('answered or closed');
      expect(internalErrors).toEqual([]);
      const text = `after ${entry.name}`;
      expect(await new KitchenSinkClient(channel).echo(text, { timeoutMs: 2000 })).toBe(text);
    } finally {
      connection.destroy();
    }
  });
});
