/** The `--pairs` flag shared by the RPC and connection benchmarks. */
import { PAIRS, type Pair } from './peers/index.js';

/** The pairs named in `value` (comma-separated `client/server` labels); throws naming the known ones. */
export function parsePairs(value: string): Pair[] {
  return value.split(',').map((label) => {
    const found = PAIRS.find((p) => p.label === label.trim());
    if (found === undefined) throw new Error(`unknown pair ${JSON.stringify(label)}; known: ${PAIRS.map((p) => p.label).join(', ')}`);
    return found;
  });
}
