/**
 * What the RPC benchmark needs from an implementation under test. Client and server sides are
 * separate plug-ins, so a run can pair any client with any server that speaks its protocol
 * (skiff -> skiff, thrift -> thrift, and cross pairs such as thrift -> skiff). To add a peer,
 * write a {@link ServerPeer} and/or {@link ClientPeer}, register them in `peers/index.ts` and
 * list the pair in `PAIRS` there; generate whatever code it needs in `prepare.ts`.
 *
 * The workload is one method, `echo(item) -> item` (bench/rpc/echo.rpc, echo.proto; the values are
 * in `fixture.ts`): every server decodes the item and encodes it back, served from memory, so
 * the cost measured is the RPC stack's.
 */
import type { FixtureItem } from './fixture.js';

/** Where `prepare.ts` left each peer's generated code (every path absolute). */
export interface GeneratedCode {
  /** rpcgen's EchoService compiled to ESM (`echo.js`, imports `skiff/runtime`). */
  readonly skiffEcho: string;
  /** `thrift --gen js:node,es6` output for EchoService (CommonJS): the directory. */
  readonly thriftDir: string;
  /** protobufjs static code (`pbjs -t static-module -w es6`) for echo.proto (ES module). */
  readonly protobufEcho: string;
}

/** A server started in the server process. */
export interface RunningServer {
  /** The bound port on 127.0.0.1. */
  readonly port: number;
  close(): Promise<void>;
}

/** A server implementation; `serve` runs in the child process `server-main.ts`. */
export interface ServerPeer {
  /** Registry key (`skiff`, `thrift`, `grpc`, `raw`, ...). */
  readonly name: string;
  /** Serves EchoService on 127.0.0.1, port 0, over one listening socket. */
  serve(generated: GeneratedCode): Promise<RunningServer>;
}

/** One client connection, made by a {@link ClientPeer}. */
export interface BenchClient {
  /**
   * Makes call number `index`: sends `itemFor(index)` and checks that the reply has its id and
   * name (catches replies matched to the wrong call); rejects on any failure.
   */
  call(index: number): Promise<void>;
  /** Like {@link call}, but returns the whole reply for a field-by-field check before timing. */
  echo(index: number): Promise<FixtureItem>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** A client implementation. */
export interface ClientPeer {
  /** Registry key (`skiff`, `skiff-framed`, `thrift`, `grpc`, `raw`, ...). */
  readonly name: string;
  /** How it talks, for the results' legend. */
  readonly wire: string;
  /**
   * Opens exactly one connection to the server on 127.0.0.1:`port` (or prepares one that the
   * first call opens; the benchmark always times the connect and the first call together).
   * Separate clients never share a connection.
   */
  connect(generated: GeneratedCode, port: number): Promise<BenchClient>;
}
