/** Worker side of `format.ts`: formats a batch of top-level chunks and posts them back in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { format, type Options } from 'prettier';

const { chunks, options } = workerData as { chunks: string[]; options: Options };
const formatted: string[] = [];
for (const chunk of chunks) formatted.push(await format(chunk, options));
parentPort?.postMessage(formatted);
