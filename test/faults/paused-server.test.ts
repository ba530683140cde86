/**
 * A server process stopped with SIGSTOP in the middle of calls: its sockets stay open and the
 * kernel keeps taking bytes, but nothing answers. The calls on it must end at their deadlines
 * (DEADLINE_EXCEEDED, promptly), the client must move on to the other server (the deadline
 * failures eject the stopped one), and once it runs again (SIGCONT) it must serve calls again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChannel, ErrorCode, RpcError, type ClientChannel } from 'skiff/runtime';
import { UserServiceClient } from '../../generated/account/user_service.js';
import { waitFor, within } from '../rpc/fixtures/harness.js';
import { FaultServers, type FaultServer } from './fixtures/server-processes.js';

const DEADLINE_MS = 300;
/** How late a deadline may fire on a loaded machine. */
const DEADLINE_SLACK_MS = 300;
const LANES = 8;

let servers: FaultServers;
let paused: FaultServer;
let healthy: FaultServer;
let channel: ClientChannel;

beforeAll(async () => {
  servers = FaultServers.create();
  [paused, healthy] = await Promise.all([servers.start('127.0.0.1'), servers.start('127.0.0.2')]);
  channel = createChannel({ endpoints: [paused.key, healthy.key], backoff: { baseMs: 20, maxMs: 200 } });
}, 20_000);

afterAll(async () => {
  paused?.resume();
  await channel?.close();
  await servers?.dispose();
});

/** One call's end: when it started and ended (epoch ms), and its error code if it failed. */
interface Outcome {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly code: string | undefined;
}

it('SIGSTOP mid-call: deadlines fire, the client moves on to the other server, and the stopped one serves again after SIGCONT', async () => {
  const users = new UserServiceClient(channel);
  const outcomes: Outcome[] = [];
  let running = true;
  // Idempotent calls that each spend 10 ms in the handler, so both servers always have some in flight.
  const lane = async (): Promise<void> => {
    for (let k = 0; running && k < 100_000; k++) {
      const startedAt = Date.now();
      try {
        await users.listUsers({ page: { cursor: 'slow:10', limit: 1 } }, { timeoutMs: DEADLINE_MS });
        outcomes.push({ startedAt, endedAt: Date.now(), code: undefined });
      } catch (error) {
        outcomes.push({ startedAt, endedAt: Date.now(), code: error instanceof RpcError ? error.code : String(error) });
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: LANES }, lane));
  const okCount = (): number => outcomes.filter((o) => o.code === undefined).length;

  await waitFor(() => channel.instances.find((i) => i.key === paused.key)?.pending !== 0 && okCount() > 100, 'calls in flight on both servers', 10_000);
  const callsBefore = (await paused.count()).calls;
  paused.pause();
  const pausedAt = Date.now();

  // The client moves on: 300 calls in a row succeed while the server is still stopped.
  const movedOn = (): boolean => {
    const since = outcomes.filter((o) => o.startedAt > pausedAt);
    return since.length >= 300 && since.slice(-300).every((o) => o.code === undefined);
  };
  await waitFor(movedOn, '300 successful calls in a row after the pause', 15_000);
  const movedOnMs = Date.now() - pausedAt;

  paused.resume();
  const resumedAt = Date.now();
  const countAfterResume = async (): Promise<number> => (await paused.count()).calls;
  const callsAtResume = await within(countAfterResume(), 5000, 'the resumed server to answer');
  await waitFor(() => outcomes.filter((o) => o.startedAt > resumedAt && o.code === undefined).length > 200, 'calls after the resume', 10_000);
  let callsOnResumed = 0;
  const until = Date.now() + 15_000;
  while (callsOnResumed < callsAtResume + 100 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    callsOnResumed = await countAfterResume();
  }
  running = false;
  await lanes;

  const failures = outcomes.filter((o) => o.code !== undefined);
  const lateFailures = failures.filter((o) => o.endedAt - o.startedAt > DEADLINE_MS + DEADLINE_SLACK_MS);
  console.log(
    `SIGSTOP: ${failures.length} calls failed (codes: ${[...new Set(failures.map((f) => f.code))].join(', ')}); ` +
      `the client moved on within ${movedOnMs} ms; the resumed server ran ${callsOnResumed - callsAtResume} more calls`,
  );
  // Only the calls caught on the stopped server fail, each at its deadline.
  expect(failures.length).toBeGreaterThan(0);
  expect(failures.every((f) => f.code === ErrorCode.DEADLINE_EXCEEDED)).toBe(true);
  expect(lateFailures).toEqual([]);
  expect(failures.every((f) => f.startedAt >= pausedAt - DEADLINE_MS)).toBe(true);
  // Once running again it serves calls again, and calls made a second after the resume all succeed.
  expect(callsAtResume).toBeGreaterThanOrEqual(callsBefore);
  expect(callsOnResumed - callsAtResume).toBeGreaterThanOrEqual(100);
  expect(outcomes.filter((o) => o.startedAt > resumedAt + 1000).every((o) => o.code === undefined)).toBe(true);
}, 60_000);
