/**
 * One million calls at 256 in flight over 4 connections to a server in another process, each
 * reply checked against its request: `echo` returns the call's own index, so a lost reply (a call
 * that never settles, or fails), a duplicated one (the server runs more calls than were made) or
 * a mismatched one (a reply routed to the wrong call) is caught.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createChannel, type ClientChannel } from 'skiff/runtime';
import { KitchenSinkClient } from '../../generated/kitchen_sink.js';
import { FaultServers, type FaultServer } from './fixtures/server-processes.js';

const CALLS = 1_000_000;
const IN_FLIGHT = 256;
const CONNECTIONS = 4;

let servers: FaultServers;
let server: FaultServer;
let channel: ClientChannel;

beforeAll(async () => {
  servers = FaultServers.create();
  server = await servers.start();
  // No retries: a call that fails must show as a failure, not be sent again.
  channel = createChannel({ host: '127.0.0.1', port: server.port, connections: CONNECTIONS, retry: false });
}, 20_000);

afterAll(async () => {
  await channel?.close();
  await servers?.dispose();
});

it(`${CALLS} calls at ${IN_FLIGHT} in flight over ${CONNECTIONS} connections: none lost, duplicated or mismatched`, async () => {
  const kitchen = new KitchenSinkClient(channel);
  const answered = new Uint8Array(CALLS);
  const mismatched: string[] = [];
  const failed: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < CALLS; i = next++) {
      try {
        const text = `#${i}`;
        const reply = await kitchen.echo(text, { timeoutMs: 30_000 });
        if (reply !== text) mismatched.push(`call ${i} got ${JSON.stringify(reply)}`);
        answered[i]!++;
      } catch (error) {
        failed.push(`call ${i}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const startedAt = Date.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (Date.now() - startedAt) / 1000;
  const { calls, connections } = await server.count();
  let lost = 0;
  let duplicated = 0;
  for (const count of answered) {
    if (count === 0) lost++;
    else if (count > 1) duplicated++;
  }
  console.log(`${CALLS} calls in ${seconds.toFixed(1)} s (${Math.round(CALLS / seconds)}/s); the server ran ${calls} over ${connections} connections`);
  expect(failed.slice(0, 5)).toEqual([]);
  expect(mismatched.slice(0, 5)).toEqual([]);
  expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  expect(calls).toBe(CALLS);
  expect(connections).toBe(CONNECTIONS);
}, 120_000);
