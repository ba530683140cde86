/**
 * The registry of peers and the client -> server pairs a run measures. Issue 8 adds grpc-js and a
 * raw-socket ceiling here.
 */
import type { ClientPeer, ServerPeer } from '../peer.js';
import { skiffClientFramed, skiffClientHeader, skiffServer } from './skiff.js';
import { thriftClient, thriftServer } from './thrift.js';

/** Server implementations by name; each runs in its own child process. */
export const SERVER_PEERS: ReadonlyMap<string, ServerPeer> = new Map([skiffServer, thriftServer].map((peer) => [peer.name, peer]));

/** Client implementations by name; they all run in the benchmark's own process. */
export const CLIENT_PEERS: ReadonlyMap<string, ClientPeer> = new Map([skiffClientHeader, skiffClientFramed, thriftClient].map((peer) => [peer.name, peer]));

/** A measured combination: which client calls which server. */
export interface Pair {
  /** Row label and `--pairs` key, `client/server`. */
  readonly label: string;
  readonly client: string;
  readonly server: string;
}

function pair(client: string, server: string): Pair {
  return { label: `${client}/${server}`, client, server };
}

/**
 * Every pair the benchmark knows. The first is the reference the others are compared with; the
 * cross pairs show which side (client or server) makes the difference.
 */
export const PAIRS: readonly Pair[] = [pair('skiff', 'skiff'), pair('thrift', 'thrift'), pair('thrift', 'skiff'), pair('skiff-framed', 'thrift')];
