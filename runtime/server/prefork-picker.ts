/**
 * How a prefork primary in the `handoff` model chooses the worker that gets a new connection.
 * A picker is synchronous and sees only live, ready workers, in slot order.
 */

/** What the primary knows about one worker process (a snapshot). */
export interface PreforkWorker {
  /** Slot, 0 to workers - 1; a replacement takes the slot of the worker it replaces. */
  readonly slot: number;
  readonly pid: number;
  /** Whether it serves (it has listened, or is ready for handed sockets). */
  readonly ready: boolean;
  /**
   * Connections handed to it and not yet reported closed (`handoff` model; always 0 with
   * `shared-accept`, where the kernel hands connections out and the primary never sees them).
   */
  readonly connections: number;
}

/** Chooses a worker among `workers` (never empty). */
export type WorkerPicker = (workers: readonly PreforkWorker[]) => PreforkWorker;

/** Each worker in turn. */
export function roundRobinPicker(): WorkerPicker {
  let next = 0;
  return (workers) => workers[next++ % workers.length]!;
}

/**
 * The worker with the fewest open connections (the lowest slot among equals): long-lived
 * connections of uneven weight spread better than with round robin, and a replacement worker
 * (0 connections) catches up first.
 */
export function leastConnectionsPicker(): WorkerPicker {
  return (workers) => workers.reduce((best, worker) => (worker.connections < best.connections ? worker : best));
}
