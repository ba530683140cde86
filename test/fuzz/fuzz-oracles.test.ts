/**
 * The fuzzer's failure detection, shown on a server with a bug planted on purpose
 * (fixtures/sabotaged-server.ts): a crash and an event loop blocked for seconds must each be
 * reported, with the inputs behind them saved as corpus entries. Without these, a fuzzing run
 * that reports nothing would prove nothing.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readCorpus } from '../../fuzz/corpus.js';
import { runFuzz } from '../../fuzz/run-fuzz.js';
import { buildProcessBundle, SERVER_SOURCES, type ProcessBundle } from '../faults/fixtures/process-bundle.js';

let bundle: ProcessBundle;

beforeAll(() => {
  bundle = buildProcessBundle([...SERVER_SOURCES, 'test/fuzz/fixtures/sabotaged-server.ts']);
});

afterAll(() => bundle?.dispose());

afterEach(() => {
  delete process.env['SKIFF_FUZZ_SABOTAGE'];
});

it('a server that crashes: reported as a crash, restarted, the last inputs saved', async () => {
  process.env['SKIFF_FUZZ_SABOTAGE'] = 'crash';
  const report = await runFuzz({
    serverScript: bundle.path('test/fuzz/fixtures/sabotaged-server.ts'),
    iterations: 3000,
    seconds: 6,
    lanes: 8,
    seed: 1,
    findingsDir: `${bundle.dir}/crash-findings`,
  });
  expect(report.passed).toBe(false);
  expect(report.crashes).toBeGreaterThan(0);
  expect(report.failures.some((f) => f.startsWith('server process exited'))).toBe(true);
  // Restarted: the run went on after the first crash.
  expect(report.inputs).toBeGreaterThan(100);
  expect(report.findingsFile !== undefined && existsSync(report.findingsFile)).toBe(true);
  expect(readCorpus(`${bundle.dir}/crash-findings`).some((e) => e.what.startsWith('server crash'))).toBe(true);
}, 90_000);

it('a server whose event loop blocks for seconds: reported as hangs and stalls', async () => {
  process.env['SKIFF_FUZZ_SABOTAGE'] = 'hang';
  const report = await runFuzz({
    serverScript: bundle.path('test/fuzz/fixtures/sabotaged-server.ts'),
    iterations: 3000,
    seconds: 6,
    lanes: 8,
    seed: 2,
    watchdogMs: 1000,
    memorySampleMs: 200,
    findingsDir: `${bundle.dir}/hang-findings`,
  });
  expect(report.passed).toBe(false);
  expect(report.hangs + report.serverStalls).toBeGreaterThan(0);
  expect(report.failures.some((f) => f.startsWith('hang:') || f.startsWith('server stall:'))).toBe(true);
}, 90_000);
