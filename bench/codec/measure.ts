/**
 * Interleaved throughput measurement: every task is warmed up and calibrated first, then each
 * round runs every task once for about the same time, round-robin (the starting task rotates
 * each round), so a slow phase of the machine (another process, GC of a neighbour, thermal)
 * is spread over all tasks instead of landing on one.
 */

/** Something to time: one call is one operation. */
export interface TimedTask {
  readonly label: string;
  run(): unknown;
}

/** How long and how often to measure. */
export interface MeasureOptions {
  /** Measured rounds; each contributes one sample per task. */
  readonly rounds: number;
  /** Target duration of one sample, in milliseconds. */
  readonly sampleMs: number;
  /** Untimed warm-up per task before calibration, in milliseconds. */
  readonly warmupMs: number;
  /**
   * What a sample's duration is measured in: `'cpu'` counts the CPU time of this process (user +
   * system, all its threads, so garbage collection is included), which other processes on a busy
   * machine do not dilute; `'wall'` counts elapsed time.
   */
  readonly clock: 'cpu' | 'wall';
  /** Called with a line of progress (warm-up, each round). */
  readonly progress: (line: string) => void;
}

/** Throughput of one task over the rounds, in operations per second. */
export interface Throughput {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** Keeps results observable so the JIT cannot drop the work. */
let sink = 0;

function consume(result: unknown): void {
  if (result === sink) sink++;
}

/** Nanoseconds of CPU time (user + system) this process has used. */
function cpuNanoseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

/** Nanoseconds of wall-clock time. */
function wallNanoseconds(): number {
  return Number(process.hrtime.bigint());
}

/** Runs `task` `iterations` times and returns the elapsed nanoseconds on `clock`. */
function timeBatch(task: TimedTask, iterations: number, clock: () => number): number {
  const start = clock();
  for (let i = 0; i < iterations; i++) consume(task.run());
  return clock() - start;
}

/** Runs `task` for about `durationMs` and returns how many calls fit, for calibration. */
function runFor(task: TimedTask, durationMs: number): number {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(durationMs * 1e6));
  let calls = 0;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; i++) consume(task.run());
    calls += 100;
  }
  return calls;
}

function median(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures every task; returns their throughputs in the order given.
 */
export function measureInterleaved(tasks: readonly TimedTask[], options: MeasureOptions): Throughput[] {
  const iterations: number[] = [];
  for (const task of tasks) {
    options.progress(`warm-up ${task.label}`);
    const calls = runFor(task, options.warmupMs);
    iterations.push(Math.max(100, Math.round((calls * options.sampleMs) / options.warmupMs)));
  }
  const clock = options.clock === 'cpu' ? cpuNanoseconds : wallNanoseconds;
  const samples: number[][] = tasks.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    options.progress(`round ${round + 1}/${options.rounds}`);
    for (let k = 0; k < tasks.length; k++) {
      const index = (round + k) % tasks.length;
      const nanoseconds = timeBatch(tasks[index]!, iterations[index]!, clock);
      samples[index]!.push((iterations[index]! * 1e9) / nanoseconds);
    }
  }
  return samples.map((taskSamples) => {
    const sorted = [...taskSamples].sort((a, b) => a - b);
    return { median: median(sorted), min: sorted[0]!, max: sorted.at(-1)!, samples: taskSamples };
  });
}
