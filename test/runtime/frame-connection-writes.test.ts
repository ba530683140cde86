/**
 * FrameConnection's batched writes (runtime/transport/frame-connection.ts) over real TCP: the
 * writer's buffer is reused only once the kernel has taken a batch whole, so batches the socket
 * still holds queued (a peer that does not read) reach the peer byte for byte.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { beginPlainFrame, endFrame } from '../../runtime/protocol/header.js';
import { FrameConnection } from '../../runtime/transport/frame-connection.js';

const BATCHES = 120;
const FRAMES_PER_BATCH = 16;
/** Small enough that a batch (64 KiB) stays in the writer's retained buffer, large enough to fill the kernel's. */
const FRAME_BYTES = 4096;

const sockets: Socket[] = [];
const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

it('batches queued behind a peer that does not read arrive intact once it reads', async () => {
  const server = createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const reader = connect({ host: '127.0.0.1', port });
  sockets.push(reader);
  reader.pause();
  const [accepted] = (await once(server, 'connection')) as [Socket];
  sockets.push(accepted);
  const connection = new FrameConnection(accepted, { onFrame: () => undefined, onClose: () => undefined });

  let queuedBatches = 0;
  for (let batch = 0; batch < BATCHES; batch++) {
    const w = connection.writer('compact');
    for (let i = 0; i < FRAMES_PER_BATCH; i++) {
      const index = batch * FRAMES_PER_BATCH + i;
      const mark = beginPlainFrame(w);
      const payload = new Uint8Array(FRAME_BYTES).fill(index & 0xff);
      new DataView(payload.buffer).setUint32(0, index);
      w.writeBytes(payload);
      endFrame(w, mark);
    }
    connection.flushSoon();
    // Each batch in its own turn of the event loop, as a server's batches of replies are.
    await new Promise((resolve) => setImmediate(resolve));
    if (accepted.writableLength > 0) queuedBatches++;
  }
  // The kernel's buffers filled: later batches waited in the socket's queue.
  expect(queuedBatches).toBeGreaterThan(0);

  const total = BATCHES * FRAMES_PER_BATCH * (4 + FRAME_BYTES);
  const chunks: Buffer[] = [];
  let received = 0;
  reader.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  reader.resume();
  const deadline = Date.now() + 10_000;
  while (received < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(received).toBe(total);
  const stream = Buffer.concat(chunks);
  for (let index = 0; index < BATCHES * FRAMES_PER_BATCH; index++) {
    const at = index * (4 + FRAME_BYTES);
    expect(stream.readUInt32BE(at)).toBe(FRAME_BYTES);
    const payload = stream.subarray(at + 4, at + 4 + FRAME_BYTES);
    expect(payload.readUInt32BE(0)).toBe(index);
    // Compared as a whole (one assertion per frame): every byte after the index is the frame's own.
    expect(payload.subarray(4).every((byte) => byte === (index & 0xff))).toBe(true);
  }
});
