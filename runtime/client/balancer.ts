/**
 * Client-side load balancers: which instance gets the next call. `pick` is synchronous and sees
 * only usable instances (the channel has a live connection to each); randomness is injectable so
 * tests are deterministic.
 *
 * - {@link leastPending} (the default): power of two choices, the one with fewer calls in flight.
 *   Nearly as good as scanning all instances, without herding onto one.
 * - {@link roundRobin}: each instance in turn.
 * - {@link weightedRandom}: in proportion to the instances' weights.
 * - {@link consistentHash}: the same routing key goes to the same instance; when an instance joins
 *   or leaves, only about 1/N of the keys move.
 */

/** What a balancer sees of one instance. */
export interface BalancerCandidate {
  /** `host:port`. */
  readonly key: string;
  /** Relative share of traffic (default 1). */
  readonly weight: number;
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
  /** Picks one of `candidates` (never empty). */
  pick<C extends BalancerCandidate>(candidates: readonly C[], context: PickContext): C;
}

/** A source of randomness in [0, 1). */
export type Random = () => number;

/** Each instance in turn. */
export function roundRobin(): Balancer {
  let next = 0;
  return {
    pick(candidates) {
      const chosen = candidates[next % candidates.length]!;
      next = (next + 1) % 0x7fffffff;
      return chosen;
    },
  };
}

/** In proportion to the instances' weights. */
export function weightedRandom(random: Random = Math.random): Balancer {
  return {
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
 * (weights scale the comparison: pending / weight).
 */
export function leastPending(random: Random = Math.random): Balancer {
  return {
    pick(candidates) {
      const n = candidates.length;
      if (n === 1) return candidates[0]!;
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      const a = candidates[i]!;
      const b = candidates[j]!;
      return b.pending / b.weight < a.pending / a.weight ? b : a;
    },
  };
}

/** Settings of {@link consistentHash}. */
export interface ConsistentHashOptions {
  /** Points per instance on the ring (times its weight, rounded). More points, evener spread. Default 160. */
  readonly pointsPerInstance?: number;
  /** For calls without a routing key. Default {@link leastPending}. */
  readonly fallback?: Balancer;
}

/**
 * A hash ring (Karger et al.): each instance owns the arcs before its points; a call goes to
 * the owner of its routing key's hash. Adding or removing one of N instances moves only the keys
 * on its arcs, about 1/N of them.
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
      const count = Math.max(1, Math.round(perInstance * c.weight));
      for (let i = 0; i < count; i++) ring.push([hash32(`${c.key}#${i}`), c.key]);
    }
    ring.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
    points = Uint32Array.from(ring, (p) => p[0]);
    owners = ring.map((p) => p[1]);
  };

  return {
    pick(candidates, context) {
      if (context.routingKey === undefined) return fallback.pick(candidates, context);
      const membership = candidates.map((c) => `${c.key}*${c.weight}`).join(',');
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
