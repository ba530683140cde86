/**
 * The runtime's public surface. Generated code imports only from here (as `skiff/runtime`).
 *
 * Importing it must stay cheap (issue 8: <= 10 ms beyond Node's cost of importing any module), so:
 * - the build bundles this entry into one file (`scripts/bundle-runtime.mjs`): Node loads ES
 *   modules one file at a time, at about 1 ms each;
 * - subsystems behind an async factory (the admin endpoint, prefork) load on their first call,
 *   through `import()` (see the end of this file): V8 parses all of a file it loads, about 1 ms
 *   per 30 KB of code;
 * - no module reachable from here loads a slow Node built-in or does slow work at its top level:
 *   those load on first use (`internal/node-builtins.ts`).
 */
import type { AdminServer, AdminServerOptions } from './admin/admin-server.js';
import type { Prefork, PreforkOptions } from './server/prefork.js';

export { ErrorCode, ProtocolError, RpcError, type ProtocolErrorReason } from './errors.js';
export {
  MessageType,
  TType,
  type MessageHeader,
  type NonBoolValueType,
  type Reader,
  type ReaderOptions,
  type ValueType,
  type WireType,
  type Writer,
} from './protocol/types.js';
export type { ByteWriterOptions } from './protocol/writer.js';
export { CompactReader, CompactWriter, type CompactReaderOptions, type CompactWriterOptions } from './protocol/compact.js';
export { BinaryReader, BinaryWriter, type BinaryReaderOptions, type BinaryWriterOptions } from './protocol/binary.js';
export {
  decode,
  encode,
  missingField,
  readListHeader,
  readMapHeader,
  readSetHeader,
  requiredField,
  type Codec,
  type ExceptionCodec,
  type Protocol,
  type StructCodec,
  type UnionCodec,
} from './codec.js';
export {
  NoArgs,
  VoidResult,
  type CallContext,
  type CallOptions,
  type Channel,
  type MethodDescriptor,
  type MethodResult,
  type ServiceDescriptor,
} from './service.js';
export { createStderrLogger, silentLogger, stderrLogger, type LogFields, type Logger, type LogLevel } from './logger.js';
export { ApplicationExceptionType } from './protocol/application-exception.js';
export type { Framing, WireProtocol } from './protocol/framing.js';
export type { BackoffOptions } from './internal/backoff.js';
export {
  createChannel,
  type ChannelOptions,
  type ClientCall,
  type ClientCallHandler,
  type ClientChannel,
  type ClientInterceptor,
} from './client/channel.js';
export type { ClientTlsOptions } from './client/call-connection.js';
export { multiplexed } from './client/multiplexed.js';
export {
  createServer,
  type CloseOptions,
  type ConnectionInfo,
  type DrainReport,
  type Server,
  type ServerOptions,
  type ServerState,
  type ServerStats,
  type ServerTlsOptions,
  type ServiceInfo,
} from './server/server.js';
export type { CallObserver, CallRecord } from './server/call-observer.js';
export { authInterceptor, principalOf, type AuthOptions } from './server/auth.js';
export { bearerToken } from './client/bearer-token.js';
export type { LoadCounters } from './server/server-load.js';
export { AdaptiveLimiter, type AdaptiveLimitOptions, type AdaptiveLimitState } from './server/adaptive-limiter.js';
export type { ServerCall, ServerCallHandler, ServerInterceptor } from './server/server-connection.js';
export type {
  Prefork,
  PreforkCloseOptions,
  PreforkDrainReport,
  PreforkModel,
  PreforkOptions,
  PreforkState,
} from './server/prefork.js';
export { isPreforkWorker, runWorker, type RunWorkerOptions } from './server/prefork-worker.js';
export { WorkerThreadResult, type WorkerPoolStats, type WorkerThreadOptions } from './server/worker-pool.js';
export { isSkiffWorkerThread, serveInWorkerThread, type WorkerThreadServices } from './server/worker-thread.js';
export { leastConnectionsPicker, roundRobinPicker, type PreforkWorker, type WorkerPicker } from './server/prefork-picker.js';
export { endpointKey, parseEndpoint, staticResolver, type Endpoint, type Resolver } from './discovery/resolver.js';
export {
  consistentHash,
  leastPending,
  roundRobin,
  weightedRandom,
  type Balancer,
  type BalancerCandidate,
  type ConsistentHashOptions,
  type PickContext,
  type Random,
} from './client/balancer.js';
export {
  EtcdClient,
  prefixRangeEnd,
  type EtcdClientOptions,
  type EtcdKeyValue,
  type EtcdWatchBatch,
  type EtcdWatchEvent,
} from './discovery/etcd-client.js';
export {
  DEFAULT_ETCD_PREFIX,
  etcdRegistration,
  type EtcdDeregisterOptions,
  type EtcdInstanceValue,
  type EtcdRegistration,
  type EtcdRegistrationOptions,
  type EtcdRegistrationState,
} from './discovery/etcd-registration.js';
export { etcdResolver, type EtcdResolver, type EtcdResolverOptions, type EtcdResolverState } from './discovery/etcd-resolver.js';
export type { RetryOptions } from './client/retry.js';
export type { OutlierDetectionOptions } from './client/outlier-detector.js';
export type { FailureRateOptions } from './client/outlier-detector.js';
export type { SlowStartOptions } from './client/slow-start.js';
export type { HedgingOptions } from './client/hedging.js';
export type { EndpointInstance } from './client/endpoint-set.js';
export type { AdminServer, AdminServerOptions } from './admin/admin-server.js';
export type { ChannelInstanceStatus, ChannelStatus, ChannelStatusSource } from './admin/channel-status.js';
export type { ChannelSection, MethodStatus, ServerStatus, StatusSnapshot } from './admin/status-snapshot.js';
export type { LatencySummary } from './admin/call-metrics.js';
export type { Readiness } from './admin/readiness.js';
export type { Rpcz, RpczCall } from './admin/rpcz.js';
export { REDACTED, redactMetadata } from './admin/redact.js';

/**
 * Starts the admin endpoint (see `admin/admin-server.ts`); resolves once it listens. Rejects with
 * `INVALID_ARGUMENT` for a bad port, `UNAVAILABLE` when the address cannot be bound.
 */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const admin = await import('./admin/admin-server.js');
  return admin.createAdminServer(options);
}

/**
 * Forks the prefork workers and resolves once every one of them serves (see
 * `server/prefork.ts`). Rejects (killing what it started) if one fails to start or the start
 * takes longer than `startTimeoutMs`.
 */
export async function startPrefork(options: PreforkOptions): Promise<Prefork> {
  const prefork = await import('./server/prefork.js');
  return prefork.startPrefork(options);
}
