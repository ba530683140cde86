/**
 * A fuzzing run: a server process (`fuzz-server.ts`), `lanes` connections sending generated
 * inputs at it in every wire mode (a new connection whenever the server closes one), the
 * well-behaved client calling it throughout, and its memory sampled. The run is bounded by a
 * number of inputs and/or seconds.
 *
 * What counts as a failure, each with the inputs that caused it saved as corpus entries:
 * - crash: the server process exits (it is restarted, and the run goes on);
 * - hang: an input neither answered (its probe) nor its connection closed within `watchdogMs`,
 *   or the server's event loop not answering an IPC request within `watchdogMs`;
 * - lost replies: a valid input whose replies never came; bad replies: replies that do not parse;
 * - internal errors: the server closed a connection for an error that was not the input's fault
 *   (a bug: a `TypeError`, say, rather than a `ProtocolError`);
 * - a failed call of the well-behaved client;
 * - memory: RSS above `maxRssMb`, or the heap after a full GC grown by more than `maxHeapGrowthMb`.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeEntries } from './corpus.js';
import type { InputOutcome } from './fuzz-connection.js';
import { FUZZ_FRAME_TIMEOUT_MS, type InternalErrorReport } from './fuzz-target.js';
import { startGoodClient, type GoodClientReport } from './good-client.js';
import { runLane } from './lane.js';
import { FuzzServerProcess } from './server-process.js';
import { FuzzTally, type SentInput } from './tally.js';

/** Settings of {@link runFuzz}. */
export interface FuzzOptions {
  /** The compiled (or transpiled) `fuzz-server.js` to fork. */
  readonly serverScript: string;
  /** Stop after this many inputs. Default: 100,000 when `seconds` is not set, else unbounded. */
  readonly iterations?: number;
  /** Stop after this many seconds. Default: unbounded. */
  readonly seconds?: number;
  /** Connections fuzzing at once. Default 32. */
  readonly lanes?: number;
  /** Seed of the inputs (lane `i` uses `seed + i`). Default: from the clock. */
  readonly seed?: number;
  /** Bound on an input's probe answer or close, and on the server answering IPC, in ms. Default 10,000. */
  readonly watchdogMs?: number;
  /**
   * How long a probe may go unanswered before the connection half-closes or probes again (see
   * `FuzzConnection.probe`), in ms. Default 50.
   */
  readonly patienceMs?: number;
  /** Period of memory samples, in ms. Default 1,000. */
  readonly memorySampleMs?: number;
  /** Most resident memory the server may use, in MiB. Default 512. */
  readonly maxRssMb?: number;
  /** Most the server's heap (after a full GC) may grow between start and end, in MiB. Default 64. */
  readonly maxHeapGrowthMb?: number;
  /** `ServerOptions` overrides for the server (numbers). Default: none. */
  readonly serverOptions?: Readonly<Record<string, number>>;
  /** The server prints its warnings and errors (which connection it closed, and why) to stderr. Default false. */
  readonly serverLog?: boolean;
  /**
   * Loopback addresses the lanes connect from, in turn. Default: none (the kernel picks, which
   * is much cheaper than binding first: binding searches the port range without knowing the
   * destination, slower and slower as closed connections pile up in TIME_WAIT).
   */
  readonly sourceAddresses?: readonly string[];
  /** Where findings are written. Default: a directory under the OS temp dir named after the seed. */
  readonly findingsDir?: string;
  /** Called every `progressMs` with the counts so far. */
  readonly onProgress?: (progress: FuzzProgress) => void;
  /** Default 5,000. */
  readonly progressMs?: number;
}

/** Counts of a run so far. */
export interface FuzzProgress {
  readonly inputs: number;
  readonly elapsedMs: number;
  readonly inputsPerSecond: number;
  readonly connections: number;
  readonly rssMb: number;
  readonly failures: number;
}

/** What a run found (see the module comment). */
export interface FuzzReport {
  readonly seed: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  /** Connections opened by the lanes. */
  readonly connections: number;
  readonly outcomes: Readonly<Record<InputOutcome, number>>;
  /** Inputs per wire mode of their connection. */
  readonly byMode: Readonly<Record<string, number>>;
  /** Inputs per kind of input (first segment of `FuzzInput.kind`). */
  readonly byKind: Readonly<Record<string, number>>;
  readonly crashes: number;
  readonly hangs: number;
  /** IPC requests the server did not answer in time (its event loop was stuck). */
  readonly serverStalls: number;
  readonly lostReplies: number;
  readonly badReplies: number;
  readonly internalErrors: number;
  readonly connectErrors: number;
  readonly goodClient: GoodClientReport;
  readonly maxRssMb: number;
  readonly maxHeapUsedMb: number;
  readonly heapAfterGcStartMb: number;
  /** `NaN` when the server did not answer at the end. */
  readonly heapAfterGcEndMb: number;
  /** What the server logged, by message, and its final stats. */
  readonly serverLogs: Readonly<Record<string, number>>;
  readonly serverStats: unknown;
  /** Descriptions of every failure (the first 50). */
  readonly failures: readonly string[];
  /** Where the findings were written, if there were any. */
  readonly findingsFile: string | undefined;
  /** No failure of any kind, and memory within its bounds. */
  readonly passed: boolean;
}

const MIB = 1024 * 1024;
/** How long the run's last requests to the server may take, in milliseconds. */
const FINAL_REQUEST_MS = 30_000;

/** Runs the fuzzer (see the module comment). */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 0x7fffffff;
  const iterations = options.iterations ?? (options.seconds === undefined ? 100_000 : Number.POSITIVE_INFINITY);
  const deadline = options.seconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.seconds * 1000;
  const watchdogMs = options.watchdogMs ?? 10_000;
  const laneCount = options.lanes ?? 32;
  const sources = options.sourceAddresses ?? [];
  const tally = new FuzzTally();
  const histories: SentInput[][] = Array.from({ length: laneCount }, () => []);

  const onInternal = (report: InternalErrorReport): void => {
    tally.internalErrors++;
    tally.fail(`internal error on ${report.peer}: ${report.reason}\n${report.stack ?? ''}`);
    const port = Number(report.peer.split(':').pop());
    tally.save(`internal error: ${report.reason}`, histories.flat().filter((s) => s.localPort === port));
  };
  const startServer = (): Promise<FuzzServerProcess> => FuzzServerProcess.start(options.serverScript, options.serverOptions ?? {}, onInternal, options.serverLog);

  let server = await startServer();
  let stopping = false;
  const watchCrashes = async (): Promise<void> => {
    for (;;) {
      const exit = await server.exited;
      if (stopping) return;
      tally.crashes++;
      tally.fail(`server process exited: code ${exit.code}, signal ${exit.signal}`);
      tally.save(`server crash (code ${exit.code}, signal ${exit.signal}); the last inputs of every connection`, histories.flatMap((h) => h.slice(-8)));
      server = await startServer();
      // The run ended while it restarted: nobody else will stop this one.
      if (stopping) {
        await server.stop();
        return;
      }
    }
  };
  const crashWatch = watchCrashes().catch((error: unknown) => tally.fail(`could not restart the server: ${error instanceof Error ? error.message : String(error)}`));

  const heapAfterGcStart = (await server.memory(true, watchdogMs)).heapUsed;
  let maxRss = 0;
  let maxHeapUsed = 0;
  const sampler = setInterval(() => {
    server.memory(false, watchdogMs).then(
      (usage) => {
        maxRss = Math.max(maxRss, usage.rss);
        maxHeapUsed = Math.max(maxHeapUsed, usage.heapUsed);
      },
      (error: unknown) => {
        if (server.exit !== undefined) return;
        tally.serverStalls++;
        tally.fail(`server stall: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }, options.memorySampleMs ?? 1000);

  const startedAt = Date.now();
  const progressTimer = setInterval(() => {
    const elapsedMs = Date.now() - startedAt;
    options.onProgress?.({
      inputs: tally.inputs,
      elapsedMs,
      inputsPerSecond: Math.round((tally.inputs * 1000) / Math.max(1, elapsedMs)),
      connections: tally.connections,
      rssMb: Math.round(maxRss / MIB),
      failures: tally.failures.length,
    });
  }, options.progressMs ?? 5000);

  const good = startGoodClient(() => server.port);
  let taken = 0;
  const take = (): boolean => {
    if (taken >= iterations || Date.now() >= deadline) return false;
    taken++;
    return true;
  };
  const stalled = (error: unknown): undefined => {
    // A crash at the very end has been counted by the crash watch.
    if (server.exit !== undefined) return undefined;
    tally.serverStalls++;
    tally.fail(`server stall: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  };
  let goodClient: GoodClientReport | undefined;
  let end: NodeJS.MemoryUsage | undefined;
  let final: { readonly stats: unknown; readonly logs: Readonly<Record<string, number>> } | undefined;
  let elapsedMs = 0;
  try {
    await Promise.all(
      histories.map((history, index) =>
        runLane({
          seed: seed + index,
          take,
          port: () => server.port,
          serverRunning: () => server.exit === undefined,
          sourceAddress: () => (sources.length === 0 ? undefined : sources[tally.connections % sources.length]),
          tally,
          history,
          watchdogMs,
          patienceMs: options.patienceMs ?? 50,
          frameTimeoutMs: options.serverOptions?.['frameTimeoutMs'] ?? FUZZ_FRAME_TIMEOUT_MS,
        }),
      ),
    );
    elapsedMs = Date.now() - startedAt;
    goodClient = await good.stop();
    // The last measurements wait longer: a server that is merely slow has been counted already.
    end = await server.memory(true, FINAL_REQUEST_MS).catch(stalled);
    final = await server.stats(FINAL_REQUEST_MS).catch(stalled);
  } finally {
    clearInterval(progressTimer);
    clearInterval(sampler);
    goodClient ??= await good.stop();
    stopping = true;
    await server.stop();
    await crashWatch;
  }
  if (goodClient.failureCount > 0) tally.fail(`well-behaved client: ${goodClient.failureCount} of ${goodClient.calls} calls failed: ${goodClient.failures.join('; ')}`);

  maxRss = Math.max(maxRss, end?.rss ?? 0);
  const maxRssMb = maxRss / MIB;
  if (maxRssMb > (options.maxRssMb ?? 512)) tally.fail(`memory: RSS reached ${maxRssMb.toFixed(0)} MiB`);
  const heapGrowthMb = end === undefined ? 0 : (end.heapUsed - heapAfterGcStart) / MIB;
  if (heapGrowthMb > (options.maxHeapGrowthMb ?? 64)) tally.fail(`memory: the heap after GC grew by ${heapGrowthMb.toFixed(1)} MiB`);
  const findingsDir = options.findingsDir ?? join(tmpdir(), `skiff-fuzz-${seed}`);
  const findingsFile = tally.findings.length === 0 ? undefined : writeEntries(findingsDir, 'findings.json', tally.findings);
  return {
    seed,
    inputs: tally.inputs,
    seconds: elapsedMs / 1000,
    inputsPerSecond: Math.round((tally.inputs * 1000) / Math.max(1, elapsedMs)),
    connections: tally.connections,
    outcomes: tally.outcomes,
    byMode: tally.byMode,
    byKind: tally.byKind,
    crashes: tally.crashes,
    hangs: tally.hangs,
    serverStalls: tally.serverStalls,
    lostReplies: tally.lostReplies,
    badReplies: tally.badReplies,
    internalErrors: tally.internalErrors,
    connectErrors: tally.connectErrors,
    goodClient,
    maxRssMb,
    maxHeapUsedMb: maxHeapUsed / MIB,
    heapAfterGcStartMb: heapAfterGcStart / MIB,
    heapAfterGcEndMb: end === undefined ? Number.NaN : end.heapUsed / MIB,
    serverLogs: final?.logs ?? {},
    serverStats: final?.stats,
    failures: tally.failures,
    findingsFile,
    passed: tally.failures.length === 0,
  };
}
