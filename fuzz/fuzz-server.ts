/**
 * The fuzzed server in a process of its own, forked by `server-process.ts` with an IPC channel,
 * so a crash, a hang or a leak shows in that process and not in the fuzzer's. Started with
 * `--expose-gc` so memory can be measured after a full collection. Arguments and messages: see
 * `serve-over-ipc.ts`.
 */
import { serveOverIpc } from './serve-over-ipc.js';

await serveOverIpc();
