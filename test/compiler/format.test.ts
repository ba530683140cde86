/**
 * Large outputs are formatted in top-level chunks on worker threads (the built package only, since
 * the worker must be JavaScript). That must give exactly the bytes of formatting the whole file.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { largeIdl } from '../../bench/large-idl.js';
import { compile } from '../../compiler/index.js';

const BUILT_FORMAT = resolve(import.meta.dirname, '../../dist/compiler/format.js');

describe('parallel formatting', () => {
  it('formats a large generated module to the same bytes as one prettier pass', async () => {
    expect(existsSync(BUILT_FORMAT), 'run `npm run build` first (npm test does)').toBe(true);
    const idl = largeIdl(60, 6);
    const result = await compile(['large.rpc'], { host: { readFile: () => idl } });
    const generated = result.files[0]!.text;
    expect(generated.length).toBeGreaterThan(256 * 1024);

    const built = (await import(BUILT_FORMAT)) as typeof import('../../compiler/format.js');
    const whole = await format(generated, built.PINNED_OPTIONS);
    // Cut at blank lines before a column-0 line: between top-level statements in generated code.
    const chunks = generated.replace(/\n$/, '').split(/\n\n(?=\S)/).map((text) => ({ text, settled: false }));
    expect(chunks.length).toBeGreaterThan(100);
    expect(await built.formatChunks(chunks)).toBe(whole);
  });
});
