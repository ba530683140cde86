/**
 * `npm run demo`: a tour of skiff on loopback. Starts `demo/server.ts` (UserService over an
 * in-memory store) as a child process, then calls it through the generated `UserServiceClient`
 * on one multiplexed connection and prints one line per step: plain calls, declared exceptions,
 * metadata, paging, a deadline and a cancellation (both seen by the server), a oneway call,
 * 10,000 concurrent calls, and a graceful shutdown with calls in flight.
 *
 * Every outcome is checked, not just printed: the process exits 0 when every step behaved as
 * described and 1 (naming the step) otherwise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createChannel, ErrorCode, RpcError, type ClientChannel } from 'skiff/runtime';
import { AccountStatus, EmailTaken, Role, UserServiceClient, type User } from '../generated/account/user_service.js';
import { HealthStatus, NotFound, PermissionDenied } from '../generated/common/types.js';
import { STEP_HEADER, type ServerCommand, type ServerEvent } from './messages.js';

const HOST = '127.0.0.1';
/** The whole demo normally takes a few seconds; past this something hangs. */
const WATCHDOG_MS = 60_000;
/** Generous bound for anything the server should report: a loaded machine must not fail the demo. */
const EVENT_TIMEOUT_MS = 10_000;

/** A step's outcome differed from what the demo promises. */
class StepFailed extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

/** Messages from the server process, kept until someone waits for them. */
class Inbox {
  private readonly events: ServerEvent[] = [];
  private readonly waiters = new Set<{ match: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }>();

  push(event: ServerEvent): void {
    for (const waiter of this.waiters) {
      if (waiter.match(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
        return;
      }
    }
    this.events.push(event);
  }

  /** The first event (already received or still to come) matching `type` and `match`; consumes it. */
  next<T extends ServerEvent['type']>(type: T, what: string, match: (e: Extract<ServerEvent, { type: T }>) => boolean = () => true): Promise<Extract<ServerEvent, { type: T }>> {
    const matches = (e: ServerEvent): e is Extract<ServerEvent, { type: T }> => e.type === type && match(e as Extract<ServerEvent, { type: T }>);
    const index = this.events.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0] as Extract<ServerEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const waiter = { match: matches, resolve: resolve as (e: ServerEvent) => void };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) reject(new StepFailed(`the server did not report ${what} within ${EVENT_TIMEOUT_MS} ms`));
      }, EVENT_TIMEOUT_MS).unref();
    });
  }
}

/** Awaits `promise` expecting it to reject with an instance of `type`; returns the error. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E, what: string): Promise<E> {
  try {
    const value = await promise;
    throw new StepFailed(`${what}: expected ${type.name}, but the call succeeded with ${show(value)}`);
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    if (!(error instanceof type)) throw new StepFailed(`${what}: expected ${type.name}, got ${describeError(error)}`);
    return error;
  }
}

/** Awaits `promise` expecting an `RpcError` with `code`; returns it. */
async function rpcError(promise: Promise<unknown>, code: ErrorCode, what: string): Promise<RpcError> {
  const error = await rejection(promise, RpcError, what);
  check(error.code === code, `${what}: expected ${code}, got ${describeError(error)}`);
  return error;
}

function nameOf(values: Readonly<Record<string, number>>, value: number): string {
  return Object.keys(values).find((key) => values[key] === value) ?? String(value);
}

function show(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** `Name: message { field: value, ... }` for declared exceptions, `RpcError CODE: message` otherwise. */
function describeError(error: unknown): string {
  if (error instanceof RpcError) return `RpcError ${error.code}: ${error.message}`;
  if (!(error instanceof Error)) return String(error);
  const fields = Object.entries(error)
    .filter(([key]) => key !== 'name')
    .map(([key, value]) => `${key}: ${show(value)}`);
  return `${error.name}: "${error.message}"${fields.length > 0 ? ` { ${fields.join(', ')} }` : ''}`;
}

function userLine(user: User): string {
  return `#${user.id} ${user.email}${user.displayName === undefined ? '' : ` "${user.displayName}"`} ${nameOf(Role, user.role)}`;
}

const LABEL_WIDTH = 36;
function print(label: string, result: string): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${result}`);
}

function elapsedMs(startedAt: number): number {
  return performance.now() - startedAt;
}

async function run(child: ChildProcess, inbox: Inbox, steps: { current: string }): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const send = (command: ServerCommand): void => void child.send(command);

  steps.current = 'start the server';
  const listening = await inbox.next('listening', 'its port');
  print('server (child process)', `pid ${listening.pid}, listening on ${HOST}:${listening.port}`);

  const channel: ClientChannel = createChannel({ host: HOST, port: listening.port, connections: 1 });
  const users = new UserServiceClient(channel);
  try {
    steps.current = 'ping';
    let startedAt = performance.now();
    const pong = await users.ping();
    check(pong === 'pong', `ping returned ${show(pong)}`);
    print('ping()', `"${pong}" (connect + first call: ${elapsedMs(startedAt).toFixed(1)} ms)`);

    steps.current = 'health';
    const health = await users.health();
    check(health === HealthStatus.SERVING, `health returned ${health}`);
    print('health()', nameOf(HealthStatus, health));

    steps.current = 'createUser x3';
    const ada = await users.createUser({ email: 'ada@example.com', displayName: 'Ada Lovelace', role: Role.ADMIN });
    const grace = await users.createUser({ email: 'Grace@Example.com', displayName: 'Grace Hopper', role: Role.EDITOR });
    const linus = await users.createUser({ email: 'linus@example.com', role: Role.VIEWER });
    check(ada.id === 1n && grace.id === 2n && linus.id === 3n, `expected ids 1, 2, 3, got ${ada.id}, ${grace.id}, ${linus.id}`);
    check(grace.email === 'grace@example.com', `email not stored lower case: ${grace.email}`);
    check(linus.status === AccountStatus.PENDING_VERIFICATION && linus.tags.size === 0, 'IDL defaults not applied');
    print('createUser() x3', [ada, grace, linus].map((u) => `#${u.id} ${u.email}`).join(', '));

    steps.current = 'getUser';
    const got = await users.getUser(2n);
    check(got.email === grace.email && got.displayName === 'Grace Hopper' && got.role === Role.EDITOR, `getUser(2) returned ${show(got)}`);
    print('getUser(2n)', `${userLine(got)}, ${nameOf(AccountStatus, got.status)}`);

    steps.current = 'declared exception EmailTaken';
    const taken = await rejection(users.createUser({ email: 'ada@example.com', role: Role.VIEWER }), EmailTaken, 'createUser with a taken email');
    check(taken.email === 'ada@example.com', `EmailTaken.email is ${show(taken.email)}`);
    print('createUser(ada@ again)', describeError(taken));

    steps.current = 'declared exception NotFound';
    const missing = await rejection(users.getUser(99n), NotFound, 'getUser(99n)');
    check(missing.entity === 'user' && missing.id === '99', `NotFound fields: ${describeError(missing)}`);
    print('getUser(99n)', describeError(missing));

    steps.current = 'updateUser without role=admin metadata';
    const denied = await rejection(users.updateUser(3n, { role: Role.EDITOR }), PermissionDenied, 'updateUser without metadata');
    check(denied.permission === 'users.setRole', `PermissionDenied fields: ${describeError(denied)}`);
    print('updateUser(3n, role EDITOR)', describeError(denied));

    steps.current = 'updateUser with role=admin metadata';
    const promoted = await users.updateUser(3n, { role: Role.EDITOR, tags: new Set(['beta']) }, { metadata: { role: 'admin' } });
    check(promoted.role === Role.EDITOR && promoted.tags.has('beta'), `updateUser returned ${show(promoted)}`);
    print('  ... with metadata role=admin', `${userLine(promoted)}, tags [${[...promoted.tags].join(', ')}]`);

    steps.current = 'listUsers paging';
    const pages: string[] = [];
    const seen: bigint[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const response = await users.listUsers({ page: { limit: 2, ...(cursor === undefined ? {} : { cursor }) } });
      seen.push(...response.users.map((u) => u.id));
      pages.push(`[${response.users.map((u) => `#${u.id}`).join(' ')}]${response.page.nextCursor === undefined ? '' : ` next "${response.page.nextCursor}"`}`);
      cursor = response.page.nextCursor;
      if (cursor === undefined) break;
    }
    check(seen.join() === '1,2,3' && pages.length === 2, `paging gave ids ${seen.join()} in ${pages.length} pages`);
    print('listUsers(limit 2), page by page', pages.join(', '));

    steps.current = 'deadline';
    startedAt = performance.now();
    const late = users.listUsers({ page: { cursor: 'slow:2000', limit: 1 } }, { timeoutMs: 100, metadata: { [STEP_HEADER]: 'deadline' } });
    await rpcError(late, ErrorCode.DEADLINE_EXCEEDED, 'listUsers(slow:2000) with timeoutMs 100');
    const lateMs = elapsedMs(startedAt);
    check(lateMs < 2000, `the deadline fired after ${lateMs.toFixed(0)} ms, not before the 2,000 ms handler finished`);
    // The server's own timer (from skiff-timeout-ms) or the client's cancel frame, whichever came first.
    const lateSeen = await inbox.next('aborted', 'the aborted deadline call', (e) => e.step === 'deadline');
    check(lateSeen.code === ErrorCode.DEADLINE_EXCEEDED || lateSeen.code === ErrorCode.CANCELLED, `server saw ${lateSeen.code}`);
    const how = lateSeen.code === ErrorCode.CANCELLED ? "the client's cancel frame came first" : 'its own timer, from skiff-timeout-ms';
    print('listUsers(slow:2000, timeoutMs 100)', `DEADLINE_EXCEEDED after ${lateMs.toFixed(0)} ms; server's signal aborted: ${lateSeen.code} (${how})`);

    steps.current = 'cancellation';
    const controller = new AbortController();
    startedAt = performance.now();
    const cancelled = users.listUsers({ page: { cursor: 'slow:10000', limit: 1 } }, { signal: controller.signal, timeoutMs: 30_000, metadata: { [STEP_HEADER]: 'cancel' } });
    await inbox.next('started', 'the call to cancel starting', (e) => e.step === 'cancel');
    controller.abort();
    await rpcError(cancelled, ErrorCode.CANCELLED, 'listUsers(slow:10000) aborted');
    const cancelSeen = await inbox.next('aborted', 'the cancelled call', (e) => e.step === 'cancel');
    check(cancelSeen.code === ErrorCode.CANCELLED, `server saw ${cancelSeen.code}: ${cancelSeen.reason}`);
    print('listUsers(slow:10000) + abort()', `CANCELLED after ${elapsedMs(startedAt).toFixed(0)} ms; server: "${cancelSeen.reason}"`);

    steps.current = 'oneway recordLogin';
    const at = BigInt(Date.now());
    const sent = await users.recordLogin(1n, at);
    check(sent === undefined, 'a oneway call resolved to a value');
    const login = await inbox.next('login', 'the login');
    check(login.id === '1' && login.at === String(at), `server recorded ${show(login)}`);
    print('recordLogin(1n, now) [oneway]', `resolved once written; server recorded user #${login.id}`);

    steps.current = '10,000 concurrent getUser';
    // Twice: the first batch also pays for the JIT compiling the call path on both sides.
    const calls = 10_000;
    const batchMs: number[] = [];
    for (let batch = 0; batch < 2; batch++) {
      startedAt = performance.now();
      const many = await Promise.all(Array.from({ length: calls }, (_, i) => users.getUser(BigInt((i % 3) + 1), { timeoutMs: 30_000 })));
      batchMs.push(elapsedMs(startedAt));
      many.forEach((user, i) => check(user.id === BigInt((i % 3) + 1), `call ${i} got user #${user.id}`));
    }
    send({ type: 'stats' });
    const stats = await inbox.next('stats', 'its connection count');
    check(stats.connections === 1, `the server has ${stats.connections} connections, expected 1`);
    const rate = (ms: number): string => `${Math.round(calls / (ms / 1000)).toLocaleString('en-US')} calls/s`;
    print(
      `${calls.toLocaleString('en-US')} x getUser() at once`,
      `all ok, 1 connection: ${batchMs[0]!.toFixed(0)} ms cold (${rate(batchMs[0]!)}), ${batchMs[1]!.toFixed(0)} ms warm (${rate(batchMs[1]!)})`,
    );

    steps.current = 'graceful shutdown';
    const slow = Array.from({ length: 3 }, () => users.listUsers({ page: { cursor: 'slow:1000', limit: 1 } }, { timeoutMs: 30_000, metadata: { [STEP_HEADER]: 'shutdown' } }));
    for (let i = 0; i < slow.length; i++) await inbox.next('started', 'the shutdown calls starting', (e) => e.step === 'shutdown');
    send({ type: 'close', graceMs: 10_000 });
    const draining = await inbox.next('draining', 'server.close() starting');
    const settled = await Promise.allSettled(slow);
    const completed = settled.filter((s) => s.status === 'fulfilled').length;
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    check(draining.inFlight === slow.length, `server.close() began with ${draining.inFlight} calls running, expected ${slow.length}`);
    check(completed === slow.length, `only ${completed} of ${slow.length} calls in flight completed (${describeError(failure?.reason)})`);
    const closed = await inbox.next('closed', 'server.close() finishing');
    check(closed.state === 'closed', `server state after close: ${closed.state}`);
    const refused = await rpcError(users.ping(), ErrorCode.UNAVAILABLE, 'a call after the server closed');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(resolve, EVENT_TIMEOUT_MS, 'timeout').unref())]);
    check(code === 0, code === 'timeout' ? `the server process did not exit within ${EVENT_TIMEOUT_MS} ms of closing` : `the server exited with code ${code}`);
    print('server.close() with 3 calls running', `${completed}/${slow.length} completed, then the server exited 0; a new call: ${refused.code}`);
  } finally {
    await channel.close();
  }
}

async function main(): Promise<number> {
  console.log(`skiff demo: UserService (idl-examples/account/user_service.rpc) over ${HOST}, THeader + compact`);
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox = new Inbox();
  child.on('message', (event: ServerEvent) => inbox.push(event));
  const steps = { current: 'start the server' };
  // The server process may only exit after it reported 'closed' (the last step checks its code).
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (steps.current !== 'graceful shutdown') reject(new StepFailed(`the server process exited (code ${code}, signal ${signal})`));
    });
  });
  const watchdog = setTimeout(() => {
    console.error(`FAILED at step "${steps.current}": the demo did not finish within ${WATCHDOG_MS / 1000} s`);
    child.kill();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    await Promise.race([run(child, inbox, steps), died]);
    console.log('demo OK: every step behaved as described');
    return 0;
  } catch (error) {
    console.error(`FAILED at step "${steps.current}": ${error instanceof StepFailed ? error.message : describeError(error)}`);
    if (!(error instanceof StepFailed) && error instanceof Error && error.stack !== undefined) console.error(error.stack);
    return 1;
  } finally {
    clearTimeout(watchdog);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

const exitCode = await main();
// On failure calls may still be pending on the channel: leave now. On success nothing may be left
// running, so the process ends on its own (a leaked handle would show as a hang, caught above).
if (exitCode !== 0) process.exit(exitCode);
