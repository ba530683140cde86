/**
 * Client-side load balancers: which instance gets the next call. `pick` is synchronous and sees
 * only usable instances (the channel has a live connection to each); randomness is injectable so
 * tests are deterministic.
 *
 * - {@link leastPending} (the default): power of two choices, the one with fewer calls in flight.
 *   Nearly as good as scanning all instances, without herding onto one.
 * - {@link roundRobin}: each instance in turn (smooth weighted round robin when weights differ).
 * - {@link weightedRandom}: in proportion to the instances' weights.
 * - {@link consistentHash}: the same routing key goes to the same instance; when an instance joins
 *   or leaves, only about 1/N of the keys move.
 *
 * Weights: `weight` is what an instance should get now. The channel lowers it while an instance
 * warms up (slow start, `slow-start.ts`); the first three balancers follow it, so slow start works
 * with each of them. Consistent hashing builds its ring from `configuredWeight` instead: a ring
 * that followed a ramping weight would move keys back and forth on every step of the ramp, which
 * defeats the point of hashing (cache affinity). Calls without a routing key go to its fallback,
 * which does follow the ramp.
 */

/** What a balancer sees of one instance. */
export interface BalancerCandidate {
  /** `host:port`. */
  readonly key: string;
  /** Relative share of traffic now (> 0): the configured weight, lowered while the instance warms up. */
  readonly weight: number;
  /** The endpoint's weight as configured (default 1), without warm-up. Absent: same as `weight`. */
  readonly configuredWeight?: number;
  /** Calls in flight to it now. */
  readonly pending: number;
}

/** What a balancer knows about the call. */
export interface PickContext {
  /** The caller's routing key (`CallOptions.routingKey`), for {@link consistentHash}. */
  readonly routingKey?: string | undefined;
}

/** Chooses an instance for each call. */
export interface Balancer {
  /** What it is called on status pages (`least-pending`, `round-robin`, ...). */
  readonly name?: string;
  /** Picks one of `candidates` (never empty). */
  pick<C extends BalancerCandidate>(candidates: readonly C[], context: PickContext): C;
}

/** A source of randomness in [0, 1). */
export type Random = () => number;

/**
 * Each instance in turn. When the weights differ (configured weights, or an instance warming up)
 * it is nginx's smooth weighted round robin: each instance gets its share, interleaved rather
 * than in bursts (weights 5:1:1 give a a b a c a a, not a a a a a b c).
 */
export function roundRobin(): Balancer {
  let next = 0;
  /** Smooth weighted round robin's running score per instance key (used only while weights differ). */
  const scores = new Map<string, number>();
  return {
    name: 'round-robin',
    pick(candidates) {
      if (sameWeights(candidates)) {
        if (scores.size > 0) scores.clear();
        const chosen = candidates[next % candidates.length]!;
        next = (next + 1) % 0x7fffffff;
        return chosen;
      }
      let total = 0;
      let best = candidates[0]!;
      let bestScore = -Infinity;
      for (const c of candidates) {
        const score = (scores.get(c.key) ?? 0) + c.weight;
        scores.set(c.key, score);
        total += c.weight;
        if (score > bestScore) {
          best = c;
          bestScore = score;
        }
      }
      scores.set(best.key, bestScore - total);
      // Instances that left keep a stale score: forget them once they outnumber the live ones.
      if (scores.size > 2 * candidates.length) {
        const live = new Set(candidates.map((c) => c.key));
        for (const key of scores.keys()) if (!live.has(key)) scores.delete(key);
      }
      return best;
    },
  };
}

/** In proportion to the instances' weights. */
export function weightedRandom(random: Random = Math.random): Balancer {
  return {
    name: 'weighted-random',
    pick(candidates) {
      let total = 0;
      for (const c of candidates) total += c.weight;
      let point = random() * total;
      for (const c of candidates) {
        point -= c.weight;
        if (point < 0) return c;
      }
      return candidates[candidates.length - 1]!;
    },
  };
}

/**
 * Power of two choices: two distinct instances at random, the one with fewer calls in flight
 * relative to its weight (pending / weight; a tie goes to the first drawn). When the weights
 * differ, the two are drawn in proportion to their weights, so with no calls in flight the
 * shares follow the weights (as {@link weightedRandom}) and under load the lighter-weighted
 * instance is both drawn less and judged busier; with equal weights the draw is uniform, O(1).
 */
export function leastPending(random: Random = Math.random): Balancer {
  return {
    name: 'least-pending',
    pick(candidates) {
      const n = candidates.length;
      if (n === 1) return candidates[0]!;
      let i: number;
      let j: number;
      if (sameWeights(candidates)) {
        i = Math.floor(random() * n);
        j = Math.floor(random() * (n - 1));
        if (j >= i) j++;
      } else {
        let total = 0;
        for (const c of candidates) total += c.weight;
        i = drawWeighted(candidates, random() * total, -1);
        j = drawWeighted(candidates, random() * (total - candidates[i]!.weight), i);
      }
      const a = candidates[i]!;
      const b = candidates[j]!;
      return b.pending / b.weight < a.pending / a.weight ? b : a;
    },
  };
}

/** Whether every candidate has the same weight (the common case, with cheaper paths). */
function sameWeights(candidates: readonly BalancerCandidate[]): boolean {
  const first = candidates[0]!.weight;
  for (let k = 1; k < candidates.length; k++) if (candidates[k]!.weight !== first) return false;
  return true;
}

/** Index of the candidate at `point` along the weights laid end to end, skipping index `skip`. */
function drawWeighted(candidates: readonly BalancerCandidate[], point: number, skip: number): number {
  let last = -1;
  for (let k = 0; k < candidates.length; k++) {
    if (k === skip) continue;
    point -= candidates[k]!.weight;
    last = k;
    if (point < 0) return k;
  }
  return last;
}

/** Settings of {@link consistentHash}. */
export interface ConsistentHashOptions {
  /** Points per instance on the ring (times its configured weight, rounded). More points, evener spread. Default 160. */
  readonly pointsPerInstance?: number;
  /** For calls without a routing key. Default {@link leastPending}. */
  readonly fallback?: Balancer;
}

/**
 * A hash ring (Karger et al.): each instance owns the arcs before its points; a call goes to
 * the owner of its routing key's hash. Adding or removing one of N instances moves only the keys
 * on its arcs, about 1/N of them. The ring uses configured weights, never warm-up weights (see
 * the module comment).
 */
export function consistentHash(options: ConsistentHashOptions = {}): Balancer {
  const perInstance = options.pointsPerInstance ?? 160;
  const fallback = options.fallback ?? leastPending();
  let ringFor = '';
  let points = new Uint32Array(0);
  let owners: string[] = [];

  const rebuild = (candidates: readonly BalancerCandidate[]): void => {
    const ring: Array<[number, string]> = [];
    for (const c of candidates) {
      const count = Math.max(1, Math.round(perInstance * (c.configuredWeight ?? c.weight)));
      for (let i = 0; i < count; i++) ring.push([hash32(`${c.key}#${i}`), c.key]);
    }
    ring.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
    points = Uint32Array.from(ring, (p) => p[0]);
    owners = ring.map((p) => p[1]);
  };

  return {
    name: 'consistent-hash',
    pick(candidates, context) {
      if (context.routingKey === undefined) return fallback.pick(candidates, context);
      const membership = candidates.map((c) => `${c.key}*${c.configuredWeight ?? c.weight}`).join(',');
      if (membership !== ringFor) {
        rebuild(candidates);
        ringFor = membership;
      }
      const h = hash32(context.routingKey);
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (points[mid]! < h) lo = mid + 1;
        else hi = mid;
      }
      const owner = owners[lo === points.length ? 0 : lo]!;
      return candidates.find((c) => c.key === owner)!;
    },
  };
}

/** FNV-1a over UTF-16 code units, then murmur3's finalizer for avalanche: a well-spread 32-bit hash. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
