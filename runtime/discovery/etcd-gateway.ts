/**
 * The wire half of {@link EtcdClient}: requests to etcd's JSON gRPC gateway, replies, errors.
 * `EtcdClient` loads this module on its first request, so that importing the runtime does not
 * parse it (issue 8): most programs never talk to etcd. The wire facts it relies on are in
 * `etcd-client.ts`.
 */
import { ErrorCode, RpcError } from '../errors.js';
import { prefixRangeEnd, type EtcdClient, type EtcdKeyValue, type EtcdWatchBatch, type EtcdWatchEvent } from './etcd-client.js';

const GRPC_CODES: readonly ErrorCode[] = [
  ErrorCode.UNKNOWN, // 0 (OK) never appears in an error
  ErrorCode.CANCELLED,
  ErrorCode.UNKNOWN,
  ErrorCode.INVALID_ARGUMENT,
  ErrorCode.DEADLINE_EXCEEDED,
  ErrorCode.NOT_FOUND,
  ErrorCode.ALREADY_EXISTS,
  ErrorCode.PERMISSION_DENIED,
  ErrorCode.RESOURCE_EXHAUSTED,
  ErrorCode.FAILED_PRECONDITION,
  ErrorCode.ABORTED,
  ErrorCode.OUT_OF_RANGE,
  ErrorCode.UNIMPLEMENTED,
  ErrorCode.INTERNAL,
  ErrorCode.UNAVAILABLE,
  ErrorCode.DATA_LOSS,
  ErrorCode.UNAUTHENTICATED,
];

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => (text === undefined ? '' : Buffer.from(text, 'base64').toString('utf8'));

interface RawKeyValue {
  key?: string;
  value?: string;
  mod_revision?: string;
  lease?: string;
}

function keyValue(raw: RawKeyValue): EtcdKeyValue {
  return { key: unb64(raw.key), value: unb64(raw.value), modRevision: BigInt(raw.mod_revision ?? '0'), lease: raw.lease ?? '0' };
}

function revisionOf(reply: { header?: { revision?: string } }): bigint {
  return BigInt(reply.header?.revision ?? '0');
}

/** Maps a gateway error body or a fetch failure to an `RpcError`. */
function etcdError(what: string, error: unknown, signal: AbortSignal | undefined): RpcError {
  if (error instanceof RpcError) return error;
  if (signal?.aborted === true) return new RpcError(ErrorCode.CANCELLED, `etcd ${what}: cancelled`, { cause: error });
  if (error instanceof Error && error.name === 'TimeoutError') return new RpcError(ErrorCode.DEADLINE_EXCEEDED, `etcd ${what}: timed out`, { cause: error });
  const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new RpcError(ErrorCode.UNAVAILABLE, `etcd ${what}: ${detail}`, { cause: error });
}

function isBodyTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT') return true;
  }
  return false;
}

function replyError(what: string, body: { message?: string; error?: string; code?: number } | undefined, status: number): RpcError {
  const code = (body?.code !== undefined ? GRPC_CODES[body.code] : undefined) ?? (status >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.UNKNOWN);
  return new RpcError(code, `etcd ${what}: ${body?.message ?? body?.error ?? `HTTP ${status}`}`);
}

/** What an {@link EtcdClient} does (see `etcd-client.ts`). Stateless apart from which endpoint it uses. */
export class EtcdGateway {
  private current = 0;

  /** @param endpoints - at least one, without trailing slashes (checked by `EtcdClient`). */
  constructor(
    private readonly endpoints: readonly string[],
    private readonly requestTimeoutMs: number,
    private readonly fetch: typeof globalThis.fetch,
  ) {}

  /** Keys in `[key, rangeEnd)` (`prefix: true`: every key starting with `key`) and the store's revision. */
  async range(key: string, options: { prefix?: boolean; countOnly?: boolean; signal?: AbortSignal } = {}): Promise<{ revision: bigint; kvs: EtcdKeyValue[]; count: number }> {
    const reply = await this.unary<{ header?: { revision?: string }; kvs?: RawKeyValue[]; count?: string }>(
      'kv/range',
      { key: b64(key), ...(options.prefix === true ? { range_end: prefixRangeEnd(key) } : {}), ...(options.countOnly === true ? { count_only: true } : {}) },
      options.signal,
    );
    return { revision: revisionOf(reply), kvs: (reply.kvs ?? []).map(keyValue), count: Number(reply.count ?? '0') };
  }

  /** Sets `key` to `value`, attached to `lease` when given. Returns the new revision. */
  async put(key: string, value: string, options: { lease?: string; signal?: AbortSignal } = {}): Promise<bigint> {
    const reply = await this.unary<{ header?: { revision?: string } }>(
      'kv/put',
      { key: b64(key), value: b64(value), ...(options.lease === undefined ? {} : { lease: options.lease }) },
      options.signal,
    );
    return revisionOf(reply);
  }

  /** Deletes `key` (or every key under it with `prefix: true`). Returns how many were deleted. */
  async delete(key: string, options: { prefix?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    const reply = await this.unary<{ deleted?: string }>(
      'kv/deleterange',
      { key: b64(key), ...(options.prefix === true ? { range_end: prefixRangeEnd(key) } : {}) },
      options.signal,
    );
    return Number(reply.deleted ?? '0');
  }

  /** Grants a lease of `ttlSec` seconds; returns its ID (a decimal string) and the TTL granted. */
  async leaseGrant(ttlSec: number, signal?: AbortSignal): Promise<{ id: string; ttlSec: number }> {
    const reply = await this.unary<{ ID?: string; TTL?: string }>('lease/grant', { TTL: String(ttlSec) }, signal);
    if (reply.ID === undefined) throw new RpcError(ErrorCode.INTERNAL, 'etcd lease grant: the reply has no lease ID');
    return { id: reply.ID, ttlSec: Number(reply.TTL ?? '0') };
  }

  /**
   * Refreshes a lease; returns its TTL in seconds, `0` when the lease no longer exists (expired
   * or revoked: the keys attached to it are gone).
   */
  async leaseKeepAlive(id: string, signal?: AbortSignal): Promise<number> {
    const reply = await this.unary<{ result?: { TTL?: string }; error?: { message?: string; code?: number } }>('lease/keepalive', { ID: id }, signal);
    if (reply.error !== undefined) throw replyError('lease keepalive', reply.error, 200);
    return Number(reply.result?.TTL ?? '0');
  }

  /** Revokes a lease, deleting its keys. A lease that no longer exists is not an error. */
  async leaseRevoke(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.unary('lease/revoke', { ID: id }, signal);
    } catch (error) {
      if (!(error instanceof RpcError && error.code === ErrorCode.NOT_FOUND)) throw error;
    }
  }

  /**
   * Watches every key under `prefix` from `startRevision` (inclusive), calling `onBatch` for each
   * batch of changes. Resolves when the server ends the stream (the caller watches again from
   * the next revision), rejects when it fails or `signal` fires. A start revision that was
   * compacted away rejects with `OUT_OF_RANGE` (the caller must read the whole range again).
   */
  async watchPrefix(prefix: string, startRevision: bigint, onBatch: (batch: EtcdWatchBatch) => void, signal: AbortSignal): Promise<void> {
    const what = 'watch';
    const request = { create_request: { key: b64(prefix), range_end: prefixRangeEnd(prefix), start_revision: String(startRevision) } };
    const response = await this.post('watch', request, signal, false);
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line.length > 0) this.onWatchLine(line, onBatch);
        }
      }
    } catch (error) {
      // Node's fetch (undici) ends a body idle for 300 s; for a quiet watch that is no failure:
      // end normally, the caller watches on from its revision.
      if (!signal.aborted && isBodyTimeout(error)) return;
      throw etcdError(what, error, signal);
    }
  }

  private onWatchLine(line: string, onBatch: (batch: EtcdWatchBatch) => void): void {
    const message = JSON.parse(line) as {
      result?: { header?: { revision?: string }; events?: Array<{ type?: string; kv?: RawKeyValue }>; canceled?: boolean; compact_revision?: string; cancel_reason?: string };
      error?: { message?: string; code?: number };
    };
    if (message.error !== undefined) throw replyError('watch', message.error, 200);
    const result = message.result;
    if (result === undefined) return;
    if (result.compact_revision !== undefined && result.compact_revision !== '0') {
      throw new RpcError(ErrorCode.OUT_OF_RANGE, `etcd watch: revisions up to ${result.compact_revision} were compacted`);
    }
    if (result.canceled === true) throw new RpcError(ErrorCode.ABORTED, `etcd watch: cancelled by the server${result.cancel_reason ? `: ${result.cancel_reason}` : ''}`);
    const events = (result.events ?? []).map((e): EtcdWatchEvent => ({ type: e.type === 'DELETE' ? 'delete' : 'put', kv: keyValue(e.kv ?? {}) }));
    onBatch({ revision: revisionOf(result), events });
  }

  private async unary<T>(path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const response = await this.post(path, body, signal, true);
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw etcdError(path, error, signal);
    }
  }

  /** POSTs to the current endpoint; a network failure moves on to the next endpoint for later requests. */
  private async post(path: string, body: unknown, signal: AbortSignal | undefined, timed: boolean): Promise<Response> {
    const endpoint = this.endpoints[this.current % this.endpoints.length]!;
    const signals = [...(signal === undefined ? [] : [signal]), ...(timed ? [AbortSignal.timeout(this.requestTimeoutMs)] : [])];
    let response: Response;
    try {
      response = await this.fetch(`${endpoint}/v3/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) }),
      });
    } catch (error) {
      const mapped = etcdError(path, error, signal);
      if (mapped.code === ErrorCode.UNAVAILABLE || mapped.code === ErrorCode.DEADLINE_EXCEEDED) this.current++;
      throw mapped;
    }
    if (!response.ok) {
      let parsed: { message?: string; error?: string; code?: number } | undefined;
      try {
        parsed = (await response.json()) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      throw replyError(path, parsed, response.status);
    }
    return response;
  }
}
