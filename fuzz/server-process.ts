/**
 * The fuzzer's handle on its server process (`fuzz-server.ts`): starts it, asks it for memory
 * use and stats over IPC (an unanswered request is a hung event loop), and says when it died.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { InternalErrorReport } from './fuzz-target.js';
import type { ChildMessage, ParentMessage } from './server-protocol.js';

/** How the server process ended, when it did so on its own. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

type Reply = Extract<ChildMessage, { id: number }>;

/** A running fuzz server process. */
export class FuzzServerProcess {
  private nextId = 1;
  /** IPC requests waiting for their reply: how to settle each. */
  private readonly waiting = new Map<number, { readonly resolve: (message: Reply) => void; readonly reject: (error: Error) => void }>();
  private stopping = false;
  /** Set once the process has exited. */
  exit: ServerExit | undefined;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ServerExit>;

  private constructor(
    private readonly child: ChildProcess,
    /** The port it listens on (127.0.0.1). */
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        for (const { reject } of this.waiting.values()) reject(new Error(`the fuzz server exited (code ${code}, signal ${signal})`));
        this.waiting.clear();
        resolve(this.exit);
      });
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'memory' || message.type === 'stats') {
        this.waiting.get(message.id)?.resolve(message);
        this.waiting.delete(message.id);
      }
    });
  }

  /**
   * Forks `script` (the compiled `fuzz-server.js`) with `overrides` of its server options;
   * resolves once it listens. `onInternal` hears every internal error it reports; with `log` it
   * prints its warnings and errors to stderr.
   */
  static start(
    script: string,
    overrides: Readonly<Record<string, number>>,
    onInternal: (report: InternalErrorReport) => void,
    log = false,
  ): Promise<FuzzServerProcess> {
    const child = fork(script, [JSON.stringify(overrides), ...(log ? ['log'] : [])], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'internal') onInternal(message.report);
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => reject(new Error(`the fuzz server exited (code ${code}, signal ${signal}) before listening`));
      child.once('exit', onExit);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'listening') return;
        child.off('exit', onExit);
        resolve(new FuzzServerProcess(child, message.port));
      });
    });
  }

  /** Whether the process died without being asked to stop. */
  get crashed(): boolean {
    return this.exit !== undefined && !this.stopping;
  }

  /** Its memory use (after a full collection with `gc`); rejects if unanswered within `timeoutMs`. */
  async memory(gc: boolean, timeoutMs: number): Promise<NodeJS.MemoryUsage> {
    const reply = await this.request((id) => ({ type: 'memory', id, gc }), timeoutMs);
    if (reply.type !== 'memory') throw new Error(`expected a memory reply, got ${reply.type}`);
    return reply.usage;
  }

  /** Its server's stats and log counts; rejects if unanswered within `timeoutMs`. */
  async stats(timeoutMs: number): Promise<Extract<ChildMessage, { type: 'stats' }>> {
    const reply = await this.request((id) => ({ type: 'stats', id }), timeoutMs);
    if (reply.type !== 'stats') throw new Error(`expected a stats reply, got ${reply.type}`);
    return reply;
  }

  /** Drains and stops the server; kills it if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.exit !== undefined) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private request(message: (id: number) => ParentMessage, timeoutMs: number): Promise<Reply> {
    if (this.exit !== undefined || !this.child.connected) return Promise.reject(new Error('the fuzz server is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the fuzz server did not answer an IPC request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // A child that died after the check above fails the write (EPIPE): its 'exit' settles this
      // request, as it does every other one; without a callback the error would be thrown.
      this.child.send(message(id), () => undefined);
    });
  }
}
