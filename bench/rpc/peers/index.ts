/**
 * The registry of peers and the client -> server pairs a run measures. Peers are loaded by name
 * on demand: a server process loads only its own peer (and so only its own libraries), which
 * keeps the servers' RSS comparable.
 */
import type { ClientPeer, ServerPeer } from '../peer.js';

const SERVER_LOADERS: Readonly<Record<string, () => Promise<ServerPeer>>> = {
  skiff: async () => (await import('./skiff.js')).skiffServer,
  thrift: async () => (await import('./thrift.js')).thriftServerCompact,
  'thrift-binary': async () => (await import('./thrift.js')).thriftServerBinary,
  grpc: async () => (await import('./grpc.js')).grpcServer,
  raw: async () => (await import('./raw.js')).rawServer,
  'raw-codec': async () => (await import('./raw.js')).rawCodecServer,
};

const CLIENT_LOADERS: Readonly<Record<string, () => Promise<ClientPeer>>> = {
  skiff: async () => (await import('./skiff.js')).skiffClientHeader,
  'skiff-framed': async () => (await import('./skiff.js')).skiffClientFramed,
  thrift: async () => (await import('./thrift.js')).thriftClientCompact,
  'thrift-binary': async () => (await import('./thrift.js')).thriftClientBinary,
  grpc: async () => (await import('./grpc.js')).grpcClient,
  raw: async () => (await import('./raw.js')).rawClient,
  'raw-codec': async () => (await import('./raw.js')).rawCodecClient,
};

/** Names of the server implementations; each runs in its own child process. */
export const SERVER_PEER_NAMES: readonly string[] = Object.keys(SERVER_LOADERS);

/** Loads the server peer `name`; throws for an unknown name. */
export async function loadServerPeer(name: string): Promise<ServerPeer> {
  const load = SERVER_LOADERS[name];
  if (load === undefined) throw new Error(`unknown server peer ${JSON.stringify(name)}; known: ${SERVER_PEER_NAMES.join(', ')}`);
  return load();
}

/** Loads the client peer `name` (clients run in the benchmark's own process); throws for an unknown name. */
export async function loadClientPeer(name: string): Promise<ClientPeer> {
  const load = CLIENT_LOADERS[name];
  if (load === undefined) throw new Error(`unknown client peer ${JSON.stringify(name)}; known: ${Object.keys(CLIENT_LOADERS).join(', ')}`);
  return load();
}

/** A measured combination: which client calls which server. */
export interface Pair {
  /** `--pairs` key and row label, `client/server`. */
  readonly label: string;
  /** Short name for charts and ratio columns. */
  readonly title: string;
  readonly client: string;
  readonly server: string;
}

function pair(client: string, server: string, title: string): Pair {
  return { label: `${client}/${server}`, title, client, server };
}

/** skiff's native mode: the pair the targets are about. */
export const SKIFF = pair('skiff', 'skiff', 'skiff');
/** skiff in stock-Thrift mode (its server answers every framing on one port). */
export const SKIFF_FRAMED = pair('skiff-framed', 'skiff', 'skiff framed');
/** `@grpc/grpc-js` with protobufjs static code. */
export const GRPC = pair('grpc', 'grpc', 'grpc-js');
/** The npm `thrift` library, framed compact: "thrift" in ratio columns. */
export const THRIFT = pair('thrift', 'thrift', 'thrift compact');
/** The npm `thrift` library, framed binary. */
export const THRIFT_BINARY = pair('thrift-binary', 'thrift-binary', 'thrift binary');
/** The ceiling: length-prefixed frames echoed over `net` with batched writes, no RPC stack. */
export const RAW = pair('raw', 'raw', 'raw net');
/**
 * The ceiling's framing plus the codec work of every RPC (each call's arguments and result encoded
 * and decoded on both sides): the floor under any stack that decodes its messages in JavaScript.
 */
export const RAW_CODEC = pair('raw-codec', 'raw-codec', 'raw + codec');

/** What a run measures unless `--pairs` says otherwise. */
export const DEFAULT_PAIRS: readonly Pair[] = [SKIFF, SKIFF_FRAMED, GRPC, THRIFT, THRIFT_BINARY, RAW, RAW_CODEC];

/**
 * Every pair the benchmark knows: the defaults plus cross pairs, which show which side (client or
 * server) makes a difference.
 */
export const PAIRS: readonly Pair[] = [
  ...DEFAULT_PAIRS,
  pair('thrift', 'skiff', 'thrift -> skiff'),
  pair('thrift-binary', 'skiff', 'thrift binary -> skiff'),
  pair('skiff-framed', 'thrift', 'skiff framed -> thrift'),
];
