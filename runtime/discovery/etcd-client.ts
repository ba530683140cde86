/**
 * A small etcd v3 client over etcd's JSON gRPC gateway (`/v3/...`) and Node's global `fetch`:
 * just what discovery needs (range, put, delete, leases, prefix watch). The runtime imports no
 * npm package, and the gateway ships in every etcd v3 server (checked against etcd 3.4.23).
 *
 * Wire facts the code relies on (etcd 3.4 gateway):
 * - Requests and replies are JSON; keys and values are base64; 64-bit integers (revisions, lease
 *   IDs, TTLs) are decimal strings, and zero values are omitted (`TTL` absent means 0).
 * - `/v3/lease/keepalive` and `/v3/watch` are bidirectional gRPC streams: one POST carries one
 *   request; the reply body is a stream of JSON lines `{"result": ...}` or `{"error": ...}`. A
 *   keepalive reply ends with the request; a watch reply stays open, one line per event batch.
 * - Errors are a non-2xx status with `{"error", "message", "code"}` (`code` is a gRPC status).
 *
 * Failures are `RpcError`s: `UNAVAILABLE` when etcd cannot be reached (the next request then
 * tries the next endpoint), `DEADLINE_EXCEEDED` after `requestTimeoutMs`, `CANCELLED` when the
 * caller's signal fires, and etcd's own gRPC status otherwise.
 *
 * The requests themselves are made by `etcd-gateway.ts`, loaded by a client's first request.
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { EtcdGateway } from './etcd-gateway.js';

/** Settings of {@link EtcdClient}. */
export interface EtcdClientOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`; tried in turn when one is unreachable. */
  readonly endpoints: readonly string[];
  /** Give up a unary request (not a watch) after this many milliseconds. Default 5,000. */
  readonly requestTimeoutMs?: number;
  /** The `fetch` to use. Default the global one (Node 20+). */
  readonly fetch?: typeof fetch;
}

/** One key-value pair as stored in etcd (key and value decoded as UTF-8). */
export interface EtcdKeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the last change to this key. */
  readonly modRevision: bigint;
  /** Lease the key is attached to, `'0'` for none (lease IDs are 64-bit: kept as decimal strings). */
  readonly lease: string;
}

/** One change seen by a watch. */
export interface EtcdWatchEvent {
  readonly type: 'put' | 'delete';
  readonly kv: EtcdKeyValue;
}

/** What a watch reports: a batch of events and the revision they bring the store to. */
export interface EtcdWatchBatch {
  readonly revision: bigint;
  readonly events: readonly EtcdWatchEvent[];
}

/** The end of the key range holding every key that starts with `prefix` (etcd's `WithPrefix`). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i]! += 1;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64'); // every key
}

/** An etcd v3 client (see the module comment). Stateless apart from which endpoint it uses. */
export class EtcdClient {
  private readonly endpoints: readonly string[];
  private readonly requestTimeoutMs: number;
  private readonly fetch: typeof fetch;
  /** The wire half, loaded by the first request (see `etcd-gateway.ts`). */
  private gateway: Promise<EtcdGateway> | undefined;

  /** @throws `RpcError` `INVALID_ARGUMENT` for an empty `endpoints`. */
  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) throw new RpcError(ErrorCode.INVALID_ARGUMENT, 'etcd: at least one endpoint is needed');
    this.endpoints = options.endpoints.map((e) => e.replace(/\/+$/, ''));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Keys in `[key, rangeEnd)` (`prefix: true`: every key starting with `key`) and the store's revision. */
  async range(key: string, options: { prefix?: boolean; countOnly?: boolean; signal?: AbortSignal } = {}): Promise<{ revision: bigint; kvs: EtcdKeyValue[]; count: number }> {
    return (await this.wire()).range(key, options);
  }

  /** Sets `key` to `value`, attached to `lease` when given. Returns the new revision. */
  async put(key: string, value: string, options: { lease?: string; signal?: AbortSignal } = {}): Promise<bigint> {
    return (await this.wire()).put(key, value, options);
  }

  /** Deletes `key` (or every key under it with `prefix: true`). Returns how many were deleted. */
  async delete(key: string, options: { prefix?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    return (await this.wire()).delete(key, options);
  }

  /** Grants a lease of `ttlSec` seconds; returns its ID (a decimal string) and the TTL granted. */
  async leaseGrant(ttlSec: number, signal?: AbortSignal): Promise<{ id: string; ttlSec: number }> {
    return (await this.wire()).leaseGrant(ttlSec, signal);
  }

  /**
   * Refreshes a lease; returns its TTL in seconds, `0` when the lease no longer exists (expired
   * or revoked: the keys attached to it are gone).
   */
  async leaseKeepAlive(id: string, signal?: AbortSignal): Promise<number> {
    return (await this.wire()).leaseKeepAlive(id, signal);
  }

  /** Revokes a lease, deleting its keys. A lease that no longer exists is not an error. */
  async leaseRevoke(id: string, signal?: AbortSignal): Promise<void> {
    return (await this.wire()).leaseRevoke(id, signal);
  }

  /**
   * Watches every key under `prefix` from `startRevision` (inclusive), calling `onBatch` for each
   * batch of changes. Resolves when the server ends the stream (the caller watches again from
   * the next revision), rejects when it fails or `signal` fires. A start revision that was
   * compacted away rejects with `OUT_OF_RANGE` (the caller must read the whole range again).
   */
  async watchPrefix(prefix: string, startRevision: bigint, onBatch: (batch: EtcdWatchBatch) => void, signal: AbortSignal): Promise<void> {
    return (await this.wire()).watchPrefix(prefix, startRevision, onBatch, signal);
  }

  private wire(): Promise<EtcdGateway> {
    return (this.gateway ??= import('./etcd-gateway.js').then((m) => new m.EtcdGateway(this.endpoints, this.requestTimeoutMs, this.fetch)));
  }
}
