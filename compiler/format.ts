/**
 * Formats generated TypeScript with prettier and a pinned configuration. The user's prettier
 * configuration is never consulted: generated files must be byte-identical on every machine.
 *
 * Prettier is by far the slowest phase on large outputs (a few microseconds per byte), so the
 * emitter lays out most code in prettier's style itself and hands over only the top-level chunks
 * it could not vouch for ({@link formatChunks}); large amounts are formatted on worker threads,
 * one per core. Top-level statements format independently, so the result is the same bytes as
 * formatting the whole file at once (tests compare the two).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Options } from 'prettier';

export const PINNED_OPTIONS: Options = {
  parser: 'typescript',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  quoteProps: 'as-needed',
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  endOfLine: 'lf',
  proseWrap: 'preserve',
};

/** Below this many characters, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD_CHARS = 256 * 1024;

/** One top-level statement (or a few that belong together) of a module, without a final newline. */
export interface Chunk {
  readonly text: string;
  /** The text is already what prettier prints: it is used as it is. */
  readonly settled: boolean;
}

/**
 * A module made of `chunks`, each set off by a blank line, the unsettled ones formatted with the
 * pinned options (on worker threads when there is much to format).
 */
export async function formatChunks(chunks: readonly Chunk[]): Promise<string> {
  const pending = chunks.flatMap((chunk, index) => (chunk.settled ? [] : [index]));
  const texts = chunks.map((chunk) => chunk.text);
  if (pending.length > 0) {
    const formatted = await formatAll(pending.map((index) => texts[index]!));
    pending.forEach((index, i) => (texts[index] = formatted[i]!.replace(/\n+$/, '')));
  }
  return `${texts.join('\n\n')}\n`;
}

async function formatAll(texts: readonly string[]): Promise<string[]> {
  const workers = Math.min(availableParallelism(), 8);
  // Node cannot start a worker from a .ts file: when running from sources (tests), format inline.
  const fromSources = import.meta.url.endsWith('.ts');
  const total = texts.reduce((n, text) => n + text.length, 0);
  if (total < PARALLEL_THRESHOLD_CHARS || workers < 2 || fromSources) {
    const formatted: string[] = [];
    for (const text of texts) formatted.push(await formatInline(text));
    return formatted;
  }
  const workerScript = fileURLToPath(new URL('./format-worker.js', import.meta.url));
  return formatOnWorkers(texts, workers, workerScript);
}

/** Prettier is loaded only when something needs formatting: loading it takes a while. */
async function formatInline(text: string): Promise<string> {
  const { format } = await import('prettier');
  return format(text, PINNED_OPTIONS);
}

async function formatOnWorkers(chunks: readonly string[], workerCount: number, script: string): Promise<string[]> {
  const results = new Array<string>(chunks.length);
  // Contiguous batches keep the number of messages small; batches are balanced by size.
  const batches: number[][] = Array.from({ length: workerCount }, () => []);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let filled = 0;
  chunks.forEach((chunk, index) => {
    const batch = Math.min(workerCount - 1, Math.floor((filled / total) * workerCount));
    batches[batch]!.push(index);
    filled += chunk.length;
  });
  await Promise.all(
    batches
      .filter((batch) => batch.length > 0)
      .map(
        (batch) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(script, { workerData: { chunks: batch.map((i) => chunks[i]), options: PINNED_OPTIONS } });
            worker.once('message', (formatted: string[]) => {
              batch.forEach((chunkIndex, i) => (results[chunkIndex] = formatted[i]!));
              void worker.terminate();
              resolve();
            });
            worker.once('error', reject);
          }),
      ),
  );
  return results;
}
