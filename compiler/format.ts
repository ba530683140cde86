/**
 * Formats generated TypeScript with prettier and a pinned configuration. The user's prettier
 * configuration is never consulted: generated files must be byte-identical on every machine.
 *
 * Prettier is by far the slowest phase on large outputs (a few microseconds per byte), so a large
 * file is cut into its top-level statements and formatted on worker threads, one per core.
 * Top-level statements format independently, so the result is the same bytes as formatting the
 * whole file at once (a test compares the two).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { format, type Options } from 'prettier';

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

/** `text` formatted with the pinned options. */
export async function formatTypeScript(text: string): Promise<string> {
  const workers = Math.min(availableParallelism(), 8);
  // Node cannot start a worker from a .ts file: when running from sources (tests), format inline.
  const fromSources = import.meta.url.endsWith('.ts');
  if (text.length < PARALLEL_THRESHOLD_CHARS || workers < 2 || fromSources) {
    return format(text, PINNED_OPTIONS);
  }
  const chunks = splitTopLevel(text);
  const workerScript = fileURLToPath(new URL('./format-worker.js', import.meta.url));
  const formatted = await formatOnWorkers(chunks, workers, workerScript);
  return `${formatted.map((chunk) => chunk.replace(/\n+$/, '')).join('\n\n')}\n`;
}

/**
 * Cuts generated code at blank lines followed by a line starting in column 0: in the emitter's
 * output (no template literals, indented bodies) those only occur between top-level statements.
 */
export function splitTopLevel(text: string): string[] {
  return text.split(/\n\n(?=\S)/);
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
