/**
 * Where a client learns which server instances exist. A {@link Resolver} pushes the current set
 * of {@link Endpoint}s to its subscribers, now and whenever it changes; the channel connects to
 * each and balances calls across those it has a live connection to.
 *
 * {@link staticResolver} is the embedded default: a fixed list, no registry needed.
 */

/** One server instance. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** Relative share of traffic for weighted balancers. Default 1. */
  readonly weight?: number;
  /** Free-form attributes from the registry (zone, version, protocol, ...). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A source of endpoints. */
export interface Resolver {
  /**
   * Calls `listener` with the current endpoints (synchronously if they are known) and again on
   * every change, until the returned function is called.
   */
  subscribe(listener: (endpoints: readonly Endpoint[]) => void): () => void;
  /** Releases what the resolver holds (watches, connections to a registry). */
  close?(): void;
}

/** `host:port`, the identity of an endpoint. */
export function endpointKey(endpoint: Pick<Endpoint, 'host' | 'port'>): string {
  return `${endpoint.host}:${endpoint.port}`;
}

/**
 * Parses `host:port` (IPv6 in brackets: `[::1]:9090`).
 *
 * @throws TypeError for anything else.
 */
export function parseEndpoint(address: string): Endpoint {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) throw new TypeError(`'${address}' is not host:port`);
  return { host: match[1] ?? match[2]!, port };
}

/** A fixed list of endpoints (`'host:port'` strings or {@link Endpoint}s), never changing. */
export function staticResolver(endpoints: readonly (string | Endpoint)[]): Resolver {
  const list = endpoints.map((e) => (typeof e === 'string' ? parseEndpoint(e) : e));
  if (list.length === 0) throw new TypeError('a static resolver needs at least one endpoint');
  return {
    subscribe(listener) {
      listener(list);
      return () => {};
    },
  };
}
