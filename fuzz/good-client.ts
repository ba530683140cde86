/**
 * The well-behaved client of a fuzzing run: while the fuzzer attacks the server, it keeps making
 * calls on connections of its own, one skiff channel (THeader, Compact) and one stock-style
 * channel (`TFramedTransport`, Binary), and checks each answer. Every call must succeed: a
 * failure means hostile input on other connections hurt the service.
 */
import { createChannel, type ClientChannel } from 'skiff/runtime';
import { UserServiceClient } from '../generated/account/user_service.js';
import { KitchenSinkClient } from '../generated/kitchen_sink.js';

/** What the good client saw. */
export interface GoodClientReport {
  readonly calls: number;
  /** Calls that failed or returned a wrong answer, with why (the first 20). */
  readonly failures: readonly string[];
  readonly failureCount: number;
  /** Slowest call, in milliseconds. */
  readonly maxLatencyMs: number;
}

/** Options of {@link startGoodClient}. */
export interface GoodClientOptions {
  /** Pause between one lane's calls, in milliseconds. Default 5. */
  readonly pauseMs?: number;
  /** Deadline of each call, in milliseconds. Default 5,000. */
  readonly timeoutMs?: number;
}

/** Starts calling the server on 127.0.0.1:`port()` (read again whenever a channel is opened). */
export function startGoodClient(port: () => number, options: GoodClientOptions = {}): { stop(): Promise<GoodClientReport> } {
  const pauseMs = options.pauseMs ?? 5;
  const timeoutMs = options.timeoutMs ?? 5000;
  let running = true;
  let calls = 0;
  let failureCount = 0;
  let maxLatencyMs = 0;
  const failures: string[] = [];
  const fail = (what: string): void => {
    failureCount++;
    if (failures.length < 20) failures.push(what);
  };

  const lane = async (open: (port: number) => ClientChannel, name: string): Promise<void> => {
    let channelPort = port();
    let channel = open(channelPort);
    for (let i = 0; running; i++) {
      if (port() !== channelPort) {
        // The server was restarted after a crash (already reported): follow it.
        await channel.close();
        channelPort = port();
        channel = open(channelPort);
      }
      const kitchen = new KitchenSinkClient(channel);
      const users = new UserServiceClient(channel);
      const text = `${name} ${i}`;
      const startedAt = performance.now();
      try {
        if (i % 2 === 0) {
          const echoed = await kitchen.echo(text, { timeoutMs });
          if (echoed !== text) fail(`${name}: echo(${JSON.stringify(text)}) returned ${JSON.stringify(echoed)}`);
        } else {
          // Ids from 1000 up: the fuzz handler fails on purpose for a small one (CRASHING_USER_ID).
          const id = BigInt(1000 + i);
          const user = await users.getUser(id, { timeoutMs });
          if (user.id !== id) fail(`${name}: getUser(${id}) returned user ${user.id}`);
        }
      } catch (error) {
        fail(`${name}: call ${i} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      calls++;
      maxLatencyMs = Math.max(maxLatencyMs, performance.now() - startedAt);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    await channel.close();
  };

  const lanes = Promise.all([
    lane((p) => createChannel({ host: '127.0.0.1', port: p, retry: false }), 'skiff'),
    lane((p) => createChannel({ host: '127.0.0.1', port: p, retry: false, framing: 'framed', protocol: 'binary' }), 'stock'),
  ]);
  return {
    async stop() {
      running = false;
      await lanes;
      return { calls, failures, failureCount, maxLatencyMs };
    },
  };
}
