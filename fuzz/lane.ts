/**
 * One lane of a fuzzing run: a loop that sends generated inputs on one connection at a time, in
 * a wire mode drawn for each connection, and opens a new connection whenever the server (or the
 * input) closed the last one. Each input is followed by a probe and judged (see
 * `FuzzConnection.probe`); failures are counted and their inputs kept.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FuzzConnection } from './fuzz-connection.js';
import { InputGenerator } from './inputs.js';
import { Dice, seededRandom } from './random.js';
import type { FuzzTally, SentInput } from './tally.js';
import { modeName, WIRE_MODES } from './wire.js';

/** What a lane shares with the run. */
export interface LaneContext {
  /** Seed of this lane's inputs. */
  readonly seed: number;
  /** Takes one input from the run's budget; `false` once it is spent (or time is up). */
  readonly take: () => boolean;
  /** The server's port now (it changes when the server is restarted after a crash). */
  readonly port: () => number;
  /** Whether the server process is running (a connection lost to a crash is no hang). */
  readonly serverRunning: () => boolean;
  /** The local address of the next connection, or `undefined` to let the kernel choose. */
  readonly sourceAddress: () => string | undefined;
  readonly tally: FuzzTally;
  /** The lane's recent inputs, newest last; failures save from it. */
  readonly history: SentInput[];
  readonly watchdogMs: number;
  readonly patienceMs: number;
  /** The server's `frameTimeoutMs`. */
  readonly frameTimeoutMs: number;
}

/** Recent inputs kept per lane. */
const HISTORY_PER_LANE = 64;

/** Runs one lane until the budget is spent. */
export async function runLane(ctx: LaneContext): Promise<void> {
  const { tally, history } = ctx;
  const dice = new Dice(seededRandom(ctx.seed));
  const generator = new InputGenerator(dice);
  let connection: FuzzConnection | undefined;
  while (ctx.take()) {
    if (connection === undefined || connection.isClosed || connection.ended) {
      connection?.destroy();
      connection = undefined;
      // Retried until it works (the server may be restarting); the input taken waits for it.
      for (let attempt = 0; connection === undefined; attempt++) {
        try {
          connection = await FuzzConnection.open(ctx.port(), dice.pick(WIRE_MODES), ctx.sourceAddress());
          tally.connections++;
        } catch (error) {
          tally.connectErrors++;
          if (tally.connectErrors <= 5) tally.fail(`connect failed: ${error instanceof Error ? error.message : String(error)}`);
          if (attempt === 100) return;
          await sleep(50);
        }
      }
    }
    const mode = connection.mode;
    const input = generator.next(mode, connection.takeSeqIds());
    const sent: SentInput = { localPort: connection.localPort, mode, input };
    history.push(sent);
    if (history.length > HISTORY_PER_LANE) history.shift();
    const repliesBefore = connection.replies;
    const sendStartedAt = Date.now();
    await connection.send(input);
    // A frame that took the server's frameTimeoutMs to arrive is rightly dropped with its
    // connection (slowloris), valid or not: a busy fuzzer can deliver byte by byte that slowly.
    const expectedReplies = Date.now() - sendStartedAt < ctx.frameTimeoutMs / 2 ? input.expectedReplies : 0;
    // Drawn for every input, so a lane's inputs depend on its seed alone.
    const endEarly = dice.chance(0.97);
    const outcome = input.endAfter
      ? await connection.endAndWait(ctx.watchdogMs)
      : await connection.probe({ expectedReplies, repliesBefore, patienceMs: ctx.patienceMs, endEarly, watchdogMs: ctx.watchdogMs });
    tally.countInput(mode, input, outcome);
    const onConnection = (): SentInput[] => history.filter((s) => s.localPort === sent.localPort);
    const name = modeName(mode);
    if (connection.badReplies.length > 0) {
      tally.badReplies += connection.badReplies.length;
      tally.fail(`bad reply after ${input.kind} (${name}): ${connection.badReplies.join('; ')}`);
      tally.save(`bad reply: ${connection.badReplies[0]}; the inputs before it on its connection come first`, onConnection());
      connection.badReplies.length = 0;
    }
    if (outcome === 'hang' && ctx.serverRunning()) {
      tally.hangs++;
      tally.fail(`hang: no probe answer or close within ${ctx.watchdogMs} ms after ${input.kind} (${name}, ${input.delivery})`);
      tally.save('hang: neither answered nor closed within the watchdog bound; the inputs before it on its connection come first', onConnection());
      connection.destroy();
    } else if (outcome === 'lost-replies') {
      tally.lostReplies++;
      const got = connection.replies - repliesBefore;
      const how = connection.isClosed ? 'the server closed the connection' : 'the probe was answered';
      tally.fail(`lost replies: ${input.kind} (${name}, local port ${sent.localPort}) owed ${expectedReplies} replies, got ${got}; ${how}`);
      tally.save(`lost replies: a valid input got ${got} of its ${expectedReplies} replies (${how}); the inputs before it on its connection come first`, onConnection());
      connection.destroy();
    }
  }
  connection?.destroy();
}
