/**
 * What the RPC benchmark needs from an implementation under test. Client and server sides are
 * separate plug-ins, so a run can pair any client with any server that speaks its protocol
 * (skiff -> skiff, thrift -> thrift, and the cross pairs). To add a peer (grpc-js, a raw-socket
 * ceiling), write a {@link ServerPeer} and/or {@link ClientPeer}, register them in `peers/index.ts`
 * and list the pair in `PAIRS` there; generate whatever code it needs in `prepare.ts`.
 */

/** The call being measured. Both are served from memory: the cost measured is the RPC stack's. */
export type Workload = 'ping' | 'getUser';

/** Where `prepare.ts` left each peer's generated code (every path absolute). */
export interface GeneratedCode {
  /** rpcgen's UserService compiled to ESM (`user_service.js`, imports `skiff/runtime`). */
  readonly skiffUserService: string;
  /** `thrift --gen js:node,es6` output for UserService (CommonJS): the directory. */
  readonly thriftDir: string;
}

/** A server started in the server process. */
export interface RunningServer {
  /** The bound port on 127.0.0.1. */
  readonly port: number;
  close(): Promise<void>;
}

/** A server implementation; `serve` runs in the child process `server-main.ts`. */
export interface ServerPeer {
  /** Registry key and label (`skiff`, `thrift`). */
  readonly name: string;
  /** Serves UserService on 127.0.0.1, port 0, over one listening socket. */
  serve(generated: GeneratedCode): Promise<RunningServer>;
}

/** One client connection, made by a {@link ClientPeer}. */
export interface BenchClient {
  /**
   * Makes one call and checks its result; rejects on any failure or a wrong result. `key` (1..4)
   * picks the user of `getUser`, so replies matched to the wrong request are caught.
   */
  call(workload: Workload, key: number): Promise<void>;
  close(): Promise<void>;
}

/** A client implementation; `connect` must open exactly one connection. */
export interface ClientPeer {
  /** Registry key and label (`skiff`, `skiff-framed`, `thrift`). */
  readonly name: string;
  /** How it talks, for the results' legend. */
  readonly wire: string;
  connect(generated: GeneratedCode, port: number): Promise<BenchClient>;
}
