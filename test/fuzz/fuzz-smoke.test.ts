/**
 * A short fuzzing run (`npm run fuzz` is the long one): 20,000 inputs or 15 seconds, whichever
 * comes first, from a fixed seed, at a server in its own process (the runtime and the fuzz server
 * transpiled for it), in every wire mode, with the well-behaved client calling throughout. No
 * crash, hang, lost or malformed reply, internal error or failed good call is allowed, and memory
 * must stay within the run's bounds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFuzz } from '../../fuzz/run-fuzz.js';
import { buildProcessBundle, type ProcessBundle } from '../faults/fixtures/process-bundle.js';

let bundle: ProcessBundle;

beforeAll(() => {
  bundle = buildProcessBundle();
});

afterAll(() => bundle?.dispose());

it('20,000 fuzzed inputs (or 15 s) in all three wire modes: no crash, hang, lost reply or failed good call; memory bounded', async () => {
  const report = await runFuzz({
    serverScript: bundle.path('fuzz/fuzz-server.ts'),
    iterations: 20_000,
    seconds: 15,
    lanes: 32,
    seed: 20_240_601,
    patienceMs: 50,
    findingsDir: `${bundle.dir}/findings`,
  });
  console.log(
    `fuzz smoke: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s (${report.inputsPerSecond}/s), ${report.connections} connections, ` +
      `outcomes ${JSON.stringify(report.outcomes)}, good client ${report.goodClient.calls} calls, max RSS ${report.maxRssMb.toFixed(0)} MiB`,
  );
  expect(report.failures).toEqual([]);
  expect({ crashes: report.crashes, hangs: report.hangs, stalls: report.serverStalls, internal: report.internalErrors, lost: report.lostReplies, bad: report.badReplies }).toEqual({
    crashes: 0,
    hangs: 0,
    stalls: 0,
    internal: 0,
    lost: 0,
    bad: 0,
  });
  expect(report.goodClient.failureCount).toBe(0);
  expect(report.goodClient.calls).toBeGreaterThan(0);
  // It did run in every mode, with every kind of input.
  expect(Object.keys(report.byMode).sort()).toEqual(['buffered/binary', 'buffered/compact', 'framed/binary', 'framed/compact', 'header/binary', 'header/compact']);
  expect(Object.keys(report.byKind).sort()).toEqual(['hostile', 'mutated', 'random', 'splice', 'valid']);
  expect(report.inputs).toBeGreaterThan(1000);
  expect(report.passed).toBe(true);
}, 90_000);
