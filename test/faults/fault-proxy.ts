/**
 * A fault-injecting TCP proxy for tests, on loopback only: clients connect to it, it connects to
 * the target and forwards bytes both ways, with faults switched on and off while connections are
 * open:
 *
 * - `delay(ms)`: every chunk leaves `ms` later than it arrived (order kept);
 * - `bandwidth(bytesPerSecond)`: each direction of each connection is paced to that rate;
 * - `blackhole()`: nothing is forwarded any more, on open and new connections, and nothing is
 *   closed (a partition or a dead host: TCP reports nothing); `restore()` ends it (bytes that
 *   arrived meanwhile are lost);
 * - `reset()`: every connection is reset (RST to both sides);
 * - `cut({ direction, afterBytes, how })`: on every open connection, forward `afterBytes` more
 *   bytes in `direction`, then reset or close (FIN) both sides: a connection dying mid-frame;
 * - `refuse(true)`: new connections are closed as soon as they are accepted.
 *
 * ```
 *  client ──> proxy (127.0.0.1:port) ──> target
 *         <──                        <──
 * ```
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Which way bytes flow: from the client to the target, or back. */
export type Direction = 'toServer' | 'toClient';

/** Options of {@link FaultProxy.cut}. */
export interface CutOptions {
  readonly direction: Direction;
  /** Bytes still forwarded in `direction` before the cut. Default 0. */
  readonly afterBytes?: number;
  /** `reset`: RST both sides; `close`: FIN both sides. Default `reset`. */
  readonly how?: 'reset' | 'close';
}

/** The proxy (see the module comment). */
export interface FaultProxy {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /** `127.0.0.1:port`, as a channel endpoint. */
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Adds `ms` of latency to every chunk from now on (0 for none). */
  delay(ms: number): void;
  /** Paces each direction of each connection to `bytesPerSecond` (`undefined`: unlimited). */
  bandwidth(bytesPerSecond: number | undefined): void;
  /** Stops forwarding without closing anything (see the module comment). */
  blackhole(): void;
  /** Ends a {@link blackhole}. */
  restore(): void;
  /** Resets every open connection. */
  reset(): void;
  /** Cuts every open connection after some more bytes (see {@link CutOptions}). */
  cut(options: CutOptions): void;
  /** Closes new connections at once while `on`. */
  refuse(on: boolean): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** A chunk waiting to be forwarded, and when it may leave. */
interface Queued {
  readonly chunk: Buffer;
  readonly at: number;
}

/** Bytes queued in one direction before the sending side is paused. */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** Largest piece written at once when pacing bandwidth (smooths the rate). */
const PACED_PIECE_BYTES = 4096;

/** Starts a proxy to `target` on 127.0.0.1, port 0. */
export async function startFaultProxy(target: { readonly host?: string; readonly port: number }): Promise<FaultProxy> {
  const targetHost = target.host ?? '127.0.0.1';
  let delayMs = 0;
  let bytesPerSecond: number | undefined;
  let blackholed = false;
  let refusing = false;
  let accepted = 0;
  const pairs = new Set<Pair>();

  /** One direction of one connection. */
  class Pipe {
    private readonly queue: Queued[] = [];
    private queuedBytes = 0;
    private timer: NodeJS.Timeout | undefined;
    /** When the paced link is free again (epoch ms). */
    private freeAt = 0;
    /** Bytes still to forward before a cut, or `undefined` when none is pending. */
    cutAfter: number | undefined;
    cutHow: 'reset' | 'close' = 'reset';

    constructor(
      private readonly pair: Pair,
      private readonly from: Socket,
      private readonly to: Socket,
    ) {
      from.on('data', (chunk: Buffer) => this.onData(chunk));
    }

    private onData(chunk: Buffer): void {
      if (blackholed) return;
      this.queue.push({ chunk, at: Date.now() + delayMs });
      this.queuedBytes += chunk.length;
      if (this.queuedBytes > MAX_QUEUED_BYTES) this.from.pause();
      this.pump();
    }

    /** Forwards what is due, then sleeps until the next chunk is. */
    pump(): void {
      if (this.timer !== undefined || this.pair.done) return;
      while (this.queue.length > 0) {
        if (blackholed) {
          this.queue.length = 0;
          this.queuedBytes = 0;
          break;
        }
        const head = this.queue[0]!;
        const now = Date.now();
        const due = Math.max(head.at, bytesPerSecond === undefined ? 0 : this.freeAt);
        if (due > now) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, due - now);
          return;
        }
        let piece = head.chunk;
        if (bytesPerSecond !== undefined && piece.length > PACED_PIECE_BYTES) piece = piece.subarray(0, PACED_PIECE_BYTES);
        if (piece.length === head.chunk.length) this.queue.shift();
        else this.queue[0] = { chunk: head.chunk.subarray(piece.length), at: head.at };
        this.queuedBytes -= piece.length;
        if (bytesPerSecond !== undefined) this.freeAt = Math.max(now, this.freeAt) + (piece.length * 1000) / bytesPerSecond;
        if (!this.forward(piece)) return;
      }
      if (this.queuedBytes <= MAX_QUEUED_BYTES) this.from.resume();
    }

    /** Writes `piece`, honouring a pending cut; `false` once the connection is gone. */
    private forward(piece: Buffer): boolean {
      if (this.cutAfter === undefined) {
        this.to.write(piece);
        return true;
      }
      const allowed = Math.min(this.cutAfter, piece.length);
      if (allowed > 0) this.to.write(piece.subarray(0, allowed));
      this.cutAfter -= allowed;
      if (this.cutAfter > 0) return true;
      this.pair.cut(this.cutHow);
      return false;
    }

    /** Arms a cut, and fires it at once when nothing more is to be forwarded. */
    armCut(afterBytes: number, how: 'reset' | 'close'): void {
      this.cutAfter = afterBytes;
      this.cutHow = how;
      if (afterBytes === 0) this.pair.cut(how);
    }

    /** Nothing waits to be forwarded. */
    get idle(): boolean {
      return this.queue.length === 0;
    }

    stop(): void {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.queue.length = 0;
    }
  }

  /** A client connection and its connection to the target. */
  class Pair {
    done = false;
    readonly toServer: Pipe;
    readonly toClient: Pipe;

    constructor(
      readonly client: Socket,
      readonly server: Socket,
    ) {
      this.toServer = new Pipe(this, client, server);
      this.toClient = new Pipe(this, server, client);
      for (const [socket, other, pipe] of [
        [client, server, this.toServer],
        [server, client, this.toClient],
      ] as const) {
        socket.on('error', () => {});
        // A FIN is passed on once what came before it has been forwarded; a reset at once.
        socket.on('end', () => this.endWhenFlushed(other, pipe));
        socket.on('close', (hadError) => {
          if (hadError) this.cut('reset');
          else this.endWhenFlushed(other, pipe);
          if (client.destroyed && server.destroyed) this.forget();
        });
      }
    }

    private endWhenFlushed(socket: Socket, pipe: Pipe): void {
      if (this.done || socket.writableEnded) return;
      if (pipe.idle) socket.end();
      else setTimeout(() => this.endWhenFlushed(socket, pipe), 5);
    }

    private forget(): void {
      this.done = true;
      pairs.delete(this);
      this.toServer.stop();
      this.toClient.stop();
    }

    cut(how: 'reset' | 'close'): void {
      if (this.done) return;
      this.forget();
      for (const socket of [this.client, this.server]) {
        if (socket.destroyed) continue;
        if (how === 'reset') socket.resetAndDestroy();
        else socket.end(() => socket.destroy());
      }
    }
  }

  const listener: Server = createServer((client) => {
    accepted++;
    client.on('error', () => {});
    if (refusing) {
      client.destroy();
      return;
    }
    const server = connect({ host: targetHost, port: target.port });
    // Until the target answers, the client's bytes wait in the paused socket.
    client.pause();
    server.once('connect', () => client.resume());
    pairs.add(new Pair(client, server));
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (listener.address() as { port: number }).port;

  return {
    port,
    endpoint: `127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    delay(ms) {
      delayMs = ms;
    },
    bandwidth(rate) {
      bytesPerSecond = rate;
    },
    blackhole() {
      blackholed = true;
    },
    restore() {
      blackholed = false;
    },
    reset() {
      for (const pair of [...pairs]) pair.cut('reset');
    },
    cut({ direction, afterBytes = 0, how = 'reset' }) {
      for (const pair of [...pairs]) (direction === 'toServer' ? pair.toServer : pair.toClient).armCut(afterBytes, how);
    },
    refuse(on) {
      refusing = on;
    },
    close() {
      for (const pair of [...pairs]) pair.cut('reset');
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}
