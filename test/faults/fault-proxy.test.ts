/**
 * The fault proxy itself, in front of a TCP echo server: it forwards byte-exact both ways, and
 * each fault does what it says (latency and bandwidth are checked as lower bounds only: the
 * proxy can make a stream slower, never faster).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, sleep, waitFor } from '../rpc/fixtures/harness.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Bytes each connection to the echo server has received. */
const echoed: Buffer[][] = [];

async function echoServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const received: Buffer[] = [];
    echoed.push(received);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as { port: number }).port;
}

/** A client socket through `proxy` that collects what it receives and how it ended. */
async function client(proxy: FaultProxy): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<string> }> {
  const socket = connect(proxy.port, '127.0.0.1');
  cleanup.add(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.on('end', () => resolve('end'));
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => Buffer.concat(chunks), ended };
}

async function proxyToEcho(): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ port: await echoServer() });
  cleanup.add(() => proxy.close());
  return proxy;
}

const payload = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));

describe('fault proxy', () => {
  it('forwards every byte both ways, in order', async () => {
    const proxy = await proxyToEcho();
    const c = await client(proxy);
    const data = payload(300_000);
    c.socket.write(data);
    await waitFor(() => c.received().length === data.length, 'the echo');
    expect(c.received().equals(data)).toBe(true);
    expect(proxy.open).toBe(1);
  });

  it('delay: a round trip takes at least twice the added latency', async () => {
    const proxy = await proxyToEcho();
    proxy.delay(100);
    const c = await client(proxy);
    const started = Date.now();
    c.socket.write('ping');
    await waitFor(() => c.received().length === 4, 'the echo', 2000, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('bandwidth: 40 KB each way at 80 KB/s takes at least half a second', async () => {
    const proxy = await proxyToEcho();
    proxy.bandwidth(80_000);
    const c = await client(proxy);
    const started = Date.now();
    const data = payload(40_000);
    c.socket.write(data);
    await waitFor(() => c.received().length === data.length, 'the echo', 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(c.received().equals(data)).toBe(true);
  });

  it('blackhole: nothing is forwarded and nothing is closed, on open and new connections; restore ends it', async () => {
    const proxy = await proxyToEcho();
    const before = await client(proxy);
    proxy.blackhole();
    const after = await client(proxy);
    before.socket.write('lost');
    after.socket.write('lost too');
    await sleep(200);
    expect(before.received().length).toBe(0);
    expect(after.received().length).toBe(0);
    expect(before.socket.destroyed || after.socket.destroyed).toBe(false);
    proxy.restore();
    before.socket.write('back');
    await waitFor(() => before.received().toString() === 'back', 'the echo after restore');
  });

  it('reset: both sides see a reset', async () => {
    const proxy = await proxyToEcho();
    const c = await client(proxy);
    c.socket.write('x');
    await waitFor(() => c.received().length === 1, 'the echo');
    proxy.reset();
    expect(await c.ended).toBe('ECONNRESET');
    await waitFor(() => proxy.open === 0, 'the pair to be gone');
  });

  it('cut: forwards exactly afterBytes more bytes in one direction, then resets or closes', async () => {
    const proxy = await proxyToEcho();
    const reset = await client(proxy);
    proxy.cut({ direction: 'toClient', afterBytes: 10 });
    reset.socket.write(payload(100));
    // Linux reports a reset that follows data still unread as an end of stream, not ECONNRESET.
    expect(['ECONNRESET', 'end']).toContain(await reset.ended);
    expect(reset.received().equals(payload(10))).toBe(true);

    const closed = await client(proxy);
    proxy.cut({ direction: 'toServer', afterBytes: 7, how: 'close' });
    closed.socket.write(payload(100));
    expect(await closed.ended).toBe('end');
    // The server got 7 bytes; its echo of them found the connection already cut.
    await waitFor(() => Buffer.concat(echoed.at(-1)!).length === 7, 'the server to get 7 bytes');
    expect(Buffer.concat(echoed.at(-1)!).equals(payload(7))).toBe(true);
    expect(closed.received().length).toBe(0);
  });

  it('refuse: new connections are closed at once', async () => {
    const proxy = await proxyToEcho();
    proxy.refuse(true);
    const c = await client(proxy);
    expect(['end', 'ECONNRESET']).toContain(await c.ended);
    proxy.refuse(false);
    const ok = await client(proxy);
    ok.socket.write('hi');
    await waitFor(() => ok.received().toString() === 'hi', 'the echo');
    expect(proxy.accepted).toBe(2);
  });
});
